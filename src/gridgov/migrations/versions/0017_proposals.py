"""建议提案: batches, members (deputies and committee members) and liaison stations on the grid tree, the items
with their authors, handling units, contacts, promises and ratings, and the items' hash-chained record

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-02 06:06:48
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposal_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_batches")),
        sa.UniqueConstraint("code", name=op.f("uq_proposal_batches_code")),
    )
    op.create_table(
        "proposal_stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_stations")),
        sa.UniqueConstraint("name", name=op.f("uq_proposal_stations_name")),
    )
    with op.batch_alter_table("proposal_stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_stations_grid_code"), ["grid_code"], unique=False)

    op.create_table(
        "proposal_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("delegation", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_proposal_members_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_members")),
        sa.UniqueConstraint("body", "name", name=op.f("uq_proposal_members_body")),
        sa.UniqueConstraint("user_id", name=op.f("uq_proposal_members_user_id")),
    )
    op.create_table(
        "proposal_station_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["proposal_members.id"], name=op.f("fk_proposal_station_members_member_id_proposal_members")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["proposal_stations.id"],
            name=op.f("fk_proposal_station_members_station_id_proposal_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_station_members")),
        sa.UniqueConstraint("station_id", "member_id", name=op.f("uq_proposal_station_members_station_id")),
    )
    with op.batch_alter_table("proposal_station_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_station_members_member_id"), ["member_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("focus", sa.Boolean(), nullable=False),
        sa.Column("focus_leader", sa.String(length=50), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=True),
        sa.Column("return_by", sa.Date(), nullable=True),
        sa.Column("views_by", sa.Date(), nullable=True),
        sa.Column("contact_by", sa.Date(), nullable=True),
        sa.Column("answer_by", sa.Date(), nullable=True),
        sa.Column("final_by", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("first_answered_on", sa.Date(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answer_class", sa.String(length=1), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("not_public_reason", sa.Text(), nullable=False),
        sa.Column("rehandles", sa.Integer(), nullable=False),
        sa.Column("rehandle_by", sa.Date(), nullable=True),
        sa.Column("rating_work", sa.String(length=20), nullable=True),
        sa.Column("rating_result", sa.String(length=20), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["proposal_batches.id"], name=op.f("fk_proposals_batch_id_proposal_batches")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_proposals_case_id_cases")),
        sa.ForeignKeyConstraint(["lead_unit_id"], ["units.id"], name=op.f("fk_proposals_lead_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("batch_id", "number", name=op.f("uq_proposals_batch_id")),
        sa.UniqueConstraint("case_id", name=op.f("uq_proposals_case_id")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_batch_status", ["batch_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_generated"), ["generated"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_lead_unit_id"), ["lead_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)

    op.create_table(
        "proposal_authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["proposal_members.id"], name=op.f("fk_proposal_authors_member_id_proposal_members")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_authors_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_authors")),
        sa.UniqueConstraint("proposal_id", "member_id", name=op.f("uq_proposal_authors_proposal_id")),
    )
    with op.batch_alter_table("proposal_authors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_authors_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_authors_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "proposal_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("in_time", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_contacts_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_proposal_contacts_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_contacts")),
    )
    with op.batch_alter_table("proposal_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_contacts_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "proposal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
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
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_events_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_events")),
        sa.UniqueConstraint("proposal_id", "seq", name=op.f("uq_proposal_events_proposal_id")),
    )
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_events_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "proposal_handlers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("views_on", sa.Date(), nullable=True),
        sa.Column("views_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_handlers_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_proposal_handlers_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_handlers")),
    )
    with op.batch_alter_table("proposal_handlers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_handlers_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index("ix_proposal_handlers_unit", ["unit_id", "active"], unique=False)

    op.create_table(
        "proposal_promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("kept_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_promises_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_promises")),
    )
    with op.batch_alter_table("proposal_promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_promises_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "proposal_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("work", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_ratings_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_ratings")),
    )
    with op.batch_alter_table("proposal_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_ratings_proposal_id"), ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_ratings_proposal_id"))

    op.drop_table("proposal_ratings")
    with op.batch_alter_table("proposal_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_promises_proposal_id"))

    op.drop_table("proposal_promises")
    with op.batch_alter_table("proposal_handlers", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_handlers_unit")
        batch_op.drop_index(batch_op.f("ix_proposal_handlers_proposal_id"))

    op.drop_table("proposal_handlers")
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_events_proposal_id"))

    op.drop_table("proposal_events")
    with op.batch_alter_table("proposal_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_contacts_proposal_id"))

    op.drop_table("proposal_contacts")
    with op.batch_alter_table("proposal_authors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_authors_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_authors_member_id"))

    op.drop_table("proposal_authors")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_lead_unit_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_generated"))
        batch_op.drop_index(batch_op.f("ix_proposals_due_on"))
        batch_op.drop_index("ix_proposals_batch_status")

    op.drop_table("proposals")
    with op.batch_alter_table("proposal_station_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_station_members_member_id"))

    op.drop_table("proposal_station_members")
    op.drop_table("proposal_members")
    with op.batch_alter_table("proposal_stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_stations_grid_code"))

    op.drop_table("proposal_stations")
    op.drop_table("proposal_batches")
