"""accounts: login_throttle, failed sign-ins per (user name, client address) with until when the next try waits

Replaces the account-wide lock (users.failed_logins, users.locked_until), which a stranger could use to lock
anyone out and which did not hold under parallel tries on PostgreSQL. Those two columns are left in place
(expand first) and are no longer read; a later revision drops them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("username", "client", name="uq_login_throttle_username_client"),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
