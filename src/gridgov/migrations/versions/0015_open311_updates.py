"""Open311 both ways: what a client sent with a request (hidden id, attributes, e-mail), the updates it posted
(its update_id → the case event), the delivery outbox of updates pushed to remote endpoints, and an index of
the case events by time (the update feed's window)

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.db import UTCDateTime

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open311_requests",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_open311_requests_case_id_cases")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_open311_requests_user_id_users")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_open311_requests")),
        sa.UniqueConstraint("user_id", "external_id", name=op.f("uq_open311_requests_user_id")),
    )
    op.create_table(
        "open311_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("client_update_id", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_open311_updates_case_id_cases")),
        sa.ForeignKeyConstraint(["event_id"], ["case_events.id"], name=op.f("fk_open311_updates_event_id_case_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_open311_updates_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_updates")),
        sa.UniqueConstraint("user_id", "client_update_id", name=op.f("uq_open311_updates_user_id")),
    )
    op.create_index(op.f("ix_open311_updates_case_id"), "open311_updates", ["case_id"])
    op.create_table(
        "open311_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote", sa.String(length=50), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_open311_deliveries_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name=op.f("fk_open311_deliveries_event_id_case_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_deliveries")),
        sa.UniqueConstraint("remote", "event_id", name=op.f("uq_open311_deliveries_remote")),
    )
    op.create_index(op.f("ix_open311_deliveries_case_id"), "open311_deliveries", ["case_id"])
    op.create_index(op.f("ix_open311_deliveries_status"), "open311_deliveries", ["status"])
    op.create_index("ix_case_events_occurred_at", "case_events", ["occurred_at"])  # the update feed's window


def downgrade() -> None:
    op.drop_index("ix_case_events_occurred_at", table_name="case_events")
    op.drop_table("open311_deliveries")
    op.drop_table("open311_updates")
    op.drop_table("open311_requests")
