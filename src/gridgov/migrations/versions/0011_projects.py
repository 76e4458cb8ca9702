"""三个一批: phases, projects (their lists and stage dates), the projects' hash-chained record, evidence,
blockers (each a case), investment completed by month and the yearly list adjustments

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:44:24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("made_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_adjustments")),
        sa.UniqueConstraint("year", name=op.f("uq_project_adjustments_year")),
    )
    op.create_table(
        "project_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_phases")),
        sa.UniqueConstraint("number", name=op.f("uq_project_phases_number")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("investor", sa.String(length=200), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("district_name", sa.String(length=50), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("total_investment", sa.BigInteger(), nullable=False),
        sa.Column("annual_investment", sa.BigInteger(), nullable=False),
        sa.Column("funding", sa.String(length=20), nullable=False),
        sa.Column("size_band", sa.String(length=10), nullable=False),
        sa.Column("attracted", sa.Boolean(), nullable=False),
        sa.Column("leader", sa.String(length=50), nullable=False),
        sa.Column("responsible_unit", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("signed_phase", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("honoured_on", sa.Date(), nullable=True),
        sa.Column("started_phase", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("producing_phase", sa.Integer(), nullable=True),
        sa.Column("producing_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_projects_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["producing_phase"], ["project_phases.number"], name=op.f("fk_projects_producing_phase_project_phases")
        ),
        sa.ForeignKeyConstraint(
            ["signed_phase"], ["project_phases.number"], name=op.f("fk_projects_signed_phase_project_phases")
        ),
        sa.ForeignKeyConstraint(
            ["started_phase"], ["project_phases.number"], name=op.f("fk_projects_started_phase_project_phases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_generated"), ["generated"], unique=False)
        batch_op.create_index("ix_projects_producing_phase", ["producing_phase", "district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_sector"), ["sector"], unique=False)
        batch_op.create_index("ix_projects_signed_phase", ["signed_phase", "district_code"], unique=False)
        batch_op.create_index("ix_projects_started_phase", ["started_phase", "district_code"], unique=False)

    op.create_table(
        "project_blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=40), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("reported_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_project_blockers_case_id_cases")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_blockers_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_blockers")),
        sa.UniqueConstraint("case_id", name=op.f("uq_project_blockers_case_id")),
    )
    with op.batch_alter_table("project_blockers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_blockers_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_events_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_events")),
        sa.UniqueConstraint("project_id", "seq", name=op.f("uq_project_events_project_id")),
    )
    with op.batch_alter_table("project_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_events_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("taken_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("distance_m", sa.Double(), nullable=True),
        sa.Column("used_in_seq", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_evidence_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_evidence")),
    )
    with op.batch_alter_table("project_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_evidence_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_investments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reported_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_investments_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_investments")),
        sa.UniqueConstraint("project_id", "year", "month", name=op.f("uq_project_investments_project_id")),
    )
    with op.batch_alter_table("project_investments", schema=None) as batch_op:
        batch_op.create_index("ix_project_investments_year_month", ["year", "month"], unique=False)


def downgrade() -> None:
    for table in (
        "project_investments",
        "project_evidence",
        "project_events",
        "project_blockers",
        "projects",
        "project_phases",
        "project_adjustments",
    ):
        op.drop_table(table)
