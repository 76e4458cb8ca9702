"""12345 operations: the knowledge base (知识库) — articles, every version, the articles' hash-chained record,
纠错 flags (tasks for the owning department) and synonym groups; appeals (申诉/甄别) on case tasks

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-02 06:04:58
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0016"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("words", sa.String(length=500), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_synonyms")),
        sa.UniqueConstraint("words", name=op.f("uq_knowledge_synonyms_words")),
    )
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_knowledge_articles_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_articles")),
        sa.UniqueConstraint("code", name=op.f("uq_knowledge_articles_code")),
    )
    with op.batch_alter_table("knowledge_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_articles_category"), ["category"], unique=False)
        batch_op.create_index("ix_knowledge_articles_changed", ["changed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_articles_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_articles_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "knowledge_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["knowledge_articles.id"], name=op.f("fk_knowledge_events_article_id_knowledge_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_events")),
        sa.UniqueConstraint("article_id", "seq", name=op.f("uq_knowledge_events_article_id")),
    )
    with op.batch_alter_table("knowledge_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_events_article_id"), ["article_id"], unique=False)

    op.create_table(
        "knowledge_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=True),
        sa.Column("raised_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["knowledge_articles.id"], name=op.f("fk_knowledge_flags_article_id_knowledge_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_flags")),
    )
    with op.batch_alter_table("knowledge_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_flags_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_flags_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_flags_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "knowledge_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("written_by", sa.Integer(), nullable=True),
        sa.Column("written_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["knowledge_articles.id"], name=op.f("fk_knowledge_versions_article_id_knowledge_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_versions")),
        sa.UniqueConstraint("article_id", "number", name=op.f("uq_knowledge_versions_article_id")),
    )
    with op.batch_alter_table("knowledge_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_versions_article_id"), ["article_id"], unique=False)
    # appeals (申诉/甄别): one per task, with what an upheld one excludes from the unit's rates
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("appeal_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("appeal_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("appeal_evidence", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("appealed_at", gridgov.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("appeal_due_at", gridgov.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("appeal_decided_at", gridgov.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("appeal_decision", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("appeal_excludes", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        for name in (
            "appeal_excludes",
            "appeal_decision",
            "appeal_decided_at",
            "appeal_due_at",
            "appeal_evidence",
            "appealed_at",
            "appeal_reason",
            "appeal_status",
            "appeal_kind",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("knowledge_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_versions_article_id"))

    op.drop_table("knowledge_versions")
    with op.batch_alter_table("knowledge_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_flags_unit_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_flags_status"))
        batch_op.drop_index(batch_op.f("ix_knowledge_flags_article_id"))

    op.drop_table("knowledge_flags")
    with op.batch_alter_table("knowledge_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_events_article_id"))

    op.drop_table("knowledge_events")
    with op.batch_alter_table("knowledge_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_articles_unit_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_articles_status"))
        batch_op.drop_index("ix_knowledge_articles_changed")
        batch_op.drop_index(batch_op.f("ix_knowledge_articles_category"))

    op.drop_table("knowledge_articles")
    op.drop_table("knowledge_synonyms")
