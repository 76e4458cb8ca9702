"""The admin record, and units that can be retired: admin_subjects (one per user, unit, rule or grid version an
admin changed, with its chain's head) and admin_events (each change, hash-chained per subject; each also a leaf
of the city's log, stream `admin`); units.active (a merged or deactivated unit stays on the record but takes no
new work).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.db import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_subjects")),
        sa.UniqueConstraint("kind", "ref", name=op.f("uq_admin_subjects_kind")),
    )
    op.create_table(
        "admin_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["admin_subjects.id"], name=op.f("fk_admin_events_subject_id_admin_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_events")),
        sa.UniqueConstraint("subject_id", "seq", name=op.f("uq_admin_events_subject_id")),
    )
    op.create_index(op.f("ix_admin_events_subject_id"), "admin_events", ["subject_id"], unique=False)
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("active")
    op.drop_index(op.f("ix_admin_events_subject_id"), table_name="admin_events")
    op.drop_table("admin_events")
    op.drop_table("admin_subjects")
