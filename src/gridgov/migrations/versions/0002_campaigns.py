"""suggestion campaigns (便民利民微改革征集): campaigns, suggestions, attachments, events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:40:00.033791
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("opens_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("late_policy", sa.String(length=10), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("mail_address", sa.String(length=254), nullable=True),
        sa.Column("postal_address", sa.String(length=300), nullable=False),
        sa.Column("postcode", sa.String(length=6), nullable=False),
        sa.Column("letter_marking", sa.String(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_campaigns_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("mail_address", name=op.f("uq_campaigns_mail_address")),
        sa.UniqueConstraint("slug", name=op.f("uq_campaigns_slug")),
    )
    op.create_table(
        "campaign_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=True),
        sa.Column("field_source", sa.String(length=20), nullable=False),
        sa.Column("field_scores", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("cluster_similarity", sa.Float(), nullable=True),
        sa.Column("submitter_name", sa.String(length=100), nullable=False),
        sa.Column("submitter_phone", sa.String(length=30), nullable=False),
        sa.Column("submitter_email", sa.String(length=254), nullable=False),
        sa.Column("submitter_address", sa.String(length=300), nullable=False),
        sa.Column("postcode", sa.String(length=6), nullable=False),
        sa.Column("letter_marking", sa.String(length=100), nullable=False),
        sa.Column("marking_ok", sa.Boolean(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("received_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_suggestions_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_campaign_suggestions_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_campaign_suggestions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_suggestions")),
        sa.UniqueConstraint("campaign_id", "message_id", name="uq_campaign_suggestions_message"),
        sa.UniqueConstraint("case_id", name=op.f("uq_campaign_suggestions_case_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_campaign_suggestions_ref")),
    )
    with op.batch_alter_table("campaign_suggestions", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_suggestions_campaign_cluster", ["campaign_id", "cluster_id"], unique=False)
        batch_op.create_index("ix_campaign_suggestions_campaign_received", ["campaign_id", "received_at"], unique=False)

    op.create_table(
        "campaign_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["campaign_suggestions.id"],
            name=op.f("fk_campaign_attachments_suggestion_id_campaign_suggestions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_attachments")),
    )
    with op.batch_alter_table("campaign_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_attachments_suggestion_id"), ["suggestion_id"], unique=False)

    op.create_table(
        "campaign_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_campaign_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["campaign_suggestions.id"],
            name=op.f("fk_campaign_events_suggestion_id_campaign_suggestions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_events")),
    )
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_events_suggestion_id"), ["suggestion_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_events_suggestion_id"))

    op.drop_table("campaign_events")
    with op.batch_alter_table("campaign_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_attachments_suggestion_id"))

    op.drop_table("campaign_attachments")
    with op.batch_alter_table("campaign_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_suggestions_campaign_received")
        batch_op.drop_index("ix_campaign_suggestions_campaign_cluster")

    op.drop_table("campaign_suggestions")
    op.drop_table("campaigns")
