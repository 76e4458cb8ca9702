"""Notifications: the outbox of messages (notify_messages, written in the transaction of the case event that
causes them) and the contacts and consents per person and channel (notify_contacts)

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-02 06:04:38
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_contacts",
        sa.Column("recipient_key", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("changed_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("recipient_key", "channel", name=op.f("pk_notify_contacts")),
    )
    op.create_table(
        "notify_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("rule_id", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient_key", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gateway_id", sa.String(length=100), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notify_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notify_messages_idempotency_key")),
    )
    with op.batch_alter_table("notify_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_messages_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_notify_messages_due", ["status", "not_before"], unique=False)
        batch_op.create_index("ix_notify_messages_inbox", ["user_id", "channel", "read_at"], unique=False)
        batch_op.create_index("ix_notify_messages_recipient_day", ["recipient_key", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notify_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_messages_recipient_day")
        batch_op.drop_index("ix_notify_messages_inbox")
        batch_op.drop_index("ix_notify_messages_due")
        batch_op.drop_index(batch_op.f("ix_notify_messages_case_id"))

    op.drop_table("notify_messages")
    op.drop_table("notify_contacts")
