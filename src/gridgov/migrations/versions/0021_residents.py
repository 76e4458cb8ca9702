"""Resident sign-in by phone (issue 15): sign_in_codes (SMS one-time codes, only their keyed digest), phone_accounts
(a resident user and the keyed digest of the number), follows (a user follows a case or an area).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.db import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_key", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")),
    )
    op.create_index(op.f("ix_sign_in_codes_phone_key"), "sign_in_codes", ["phone_key"])
    op.create_table(
        "phone_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_phone_accounts_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_phone_accounts")),
        sa.UniqueConstraint("phone_key", name=op.f("uq_phone_accounts_phone_key")),
    )
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("grid_prefix", sa.String(length=15), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("digest_until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
    )
    op.create_index(op.f("ix_follows_user_id"), "follows", ["user_id"])
    op.create_index(op.f("ix_follows_case_id"), "follows", ["case_id"])
    op.create_index("uq_follows_user_target", "follows", ["user_id", "target"], unique=True)


def downgrade() -> None:
    op.drop_table("follows")
    op.drop_table("phone_accounts")
    op.drop_index(op.f("ix_sign_in_codes_phone_key"), table_name="sign_in_codes")
    op.drop_table("sign_in_codes")
