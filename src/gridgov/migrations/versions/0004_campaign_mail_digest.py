"""campaigns: digest of a mail's sender, subject and body next to its Message-ID; record of unmasked views

A Message-ID reused with other content is a new suggestion, so the unique key becomes
(campaign_id, message_id, mail_digest). Rows stored before keep a NULL digest and still match on the
Message-ID alone. campaign_pii_access_log records staff views of a suggestion's unmasked personal data.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_digest", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("uq_campaign_suggestions_message", type_="unique")
        batch_op.create_unique_constraint(
            "uq_campaign_suggestions_message_digest", ["campaign_id", "message_id", "mail_digest"]
        )
    op.create_table(
        "campaign_pii_access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.String(length=100), nullable=False),
        sa.Column("viewed_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_campaign_pii_access_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_pii_access_log")),
    )
    with op.batch_alter_table("campaign_pii_access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_pii_access_log_suggestion_id"), ["suggestion_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaign_pii_access_log_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("campaign_pii_access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_pii_access_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_pii_access_log_suggestion_id"))
    op.drop_table("campaign_pii_access_log")
    with op.batch_alter_table("campaign_suggestions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_campaign_suggestions_message_digest", type_="unique")
        batch_op.create_unique_constraint("uq_campaign_suggestions_message", ["campaign_id", "message_id"])
        batch_op.drop_column("mail_digest")
