"""安全生产: places (九小场所, rental housing, enterprises) on the grid tree, plan runs and their inspection tasks,
inspections, hidden hazards with their 五落实 plan, review and 销号, photos, and the hash-chained record of
places, hazards and plan runs (streams safety_place, safety_hazard, safety_plan of the city's log)

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-02 06:02:41
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0018"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=20), nullable=False),
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
        sa.Column("occurred_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_events")),
        sa.UniqueConstraint("stream", "subject_id", "seq", name=op.f("uq_safety_events_stream")),
    )
    op.create_table(
        "safety_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("place_group", sa.String(length=20), nullable=False),
        sa.Column("industry", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("responsible_name", sa.String(length=50), nullable=False),
        sa.Column("responsible_phone", sa.String(length=30), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["safety_places.id"], name=op.f("fk_safety_places_merged_into_id_safety_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_places")),
        sa.UniqueConstraint("code", name=op.f("uq_safety_places_code")),
    )
    with op.batch_alter_table("safety_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_places_generated"), ["generated"], unique=False)
        batch_op.create_index("ix_safety_places_grid", ["grid_code"], unique=False)
        batch_op.create_index("ix_safety_places_group_status", ["place_group", "status"], unique=False)
        batch_op.create_index("ix_safety_places_risk_status", ["risk", "status"], unique=False)

    op.create_table(
        "safety_plan_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("plan_code", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_plan_runs")),
        sa.UniqueConstraint("code", name=op.f("uq_safety_plan_runs_code")),
        sa.UniqueConstraint("plan_code", "period", name=op.f("uq_safety_plan_runs_plan_code")),
    )
    op.create_table(
        "safety_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("slot", sa.String(length=10), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["safety_places.id"], name=op.f("fk_safety_tasks_place_id_safety_places")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["safety_plan_runs.id"], name=op.f("fk_safety_tasks_run_id_safety_plan_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_tasks")),
        sa.UniqueConstraint("plan_code", "slot", "place_id", name="uq_safety_task"),
    )
    with op.batch_alter_table("safety_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_safety_tasks_assignee", ["assignee_id", "status"], unique=False)
        batch_op.create_index("ix_safety_tasks_period_grid", ["period", "grid_code"], unique=False)
        batch_op.create_index("ix_safety_tasks_place", ["place_id", "status"], unique=False)

    op.create_table(
        "safety_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("inspector_name", sa.String(length=50), nullable=False),
        sa.Column("inspected_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["safety_places.id"], name=op.f("fk_safety_inspections_place_id_safety_places")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["safety_tasks.id"], name=op.f("fk_safety_inspections_task_id_safety_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_inspections")),
        sa.UniqueConstraint("client_key", name=op.f("uq_safety_inspections_client_key")),
    )
    with op.batch_alter_table("safety_inspections", schema=None) as batch_op:
        batch_op.create_index("ix_safety_inspections_place", ["place_id", "inspected_at"], unique=False)

    op.create_table(
        "safety_hazards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("item_code", sa.String(length=20), nullable=False),
        sa.Column("item_text", sa.String(length=300), nullable=False),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("place_type", sa.String(length=40), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("found_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("found_by_id", sa.Integer(), nullable=True),
        sa.Column("found_by_name", sa.String(length=50), nullable=False),
        sa.Column("rectify_due_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fixed_on_spot", sa.Boolean(), nullable=False),
        sa.Column("responsible", sa.String(length=100), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("funds", sa.BigInteger(), nullable=True),
        sa.Column("time_limit", sa.Date(), nullable=True),
        sa.Column("contingency", sa.Text(), nullable=False),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("supervised_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("supervisor_unit", sa.String(length=40), nullable=False),
        sa.Column("rectified_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewer_name", sa.String(length=50), nullable=False),
        sa.Column("closed_at", gridgov.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("repeat_count", sa.Integer(), nullable=False),
        sa.Column("recurrence_of_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_safety_hazards_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["safety_inspections.id"],
            name=op.f("fk_safety_hazards_inspection_id_safety_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["safety_places.id"], name=op.f("fk_safety_hazards_place_id_safety_places")
        ),
        sa.ForeignKeyConstraint(
            ["recurrence_of_id"], ["safety_hazards.id"], name=op.f("fk_safety_hazards_recurrence_of_id_safety_hazards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_hazards")),
        sa.UniqueConstraint("case_id", name=op.f("uq_safety_hazards_case_id")),
        sa.UniqueConstraint("code", name=op.f("uq_safety_hazards_code")),
    )
    with op.batch_alter_table("safety_hazards", schema=None) as batch_op:
        batch_op.create_index("ix_safety_hazards_found", ["found_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_safety_hazards_generated"), ["generated"], unique=False)
        batch_op.create_index("ix_safety_hazards_place_item", ["place_id", "item_code", "status"], unique=False)
        batch_op.create_index("ix_safety_hazards_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_safety_hazards_street", ["street_code", "status"], unique=False)

    op.create_table(
        "safety_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"], ["safety_hazards.id"], name=op.f("fk_safety_photos_hazard_id_safety_hazards")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["safety_inspections.id"], name=op.f("fk_safety_photos_inspection_id_safety_inspections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_photos")),
    )
    with op.batch_alter_table("safety_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_photos_hazard_id"), ["hazard_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("safety_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_photos_hazard_id"))

    op.drop_table("safety_photos")
    with op.batch_alter_table("safety_hazards", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_hazards_street")
        batch_op.drop_index("ix_safety_hazards_status_due")
        batch_op.drop_index("ix_safety_hazards_place_item")
        batch_op.drop_index(batch_op.f("ix_safety_hazards_generated"))
        batch_op.drop_index("ix_safety_hazards_found")

    op.drop_table("safety_hazards")
    with op.batch_alter_table("safety_inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_inspections_place")

    op.drop_table("safety_inspections")
    with op.batch_alter_table("safety_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_tasks_place")
        batch_op.drop_index("ix_safety_tasks_period_grid")
        batch_op.drop_index("ix_safety_tasks_assignee")

    op.drop_table("safety_tasks")
    op.drop_table("safety_plan_runs")
    with op.batch_alter_table("safety_places", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_places_risk_status")
        batch_op.drop_index("ix_safety_places_group_status")
        batch_op.drop_index("ix_safety_places_grid")
        batch_op.drop_index(batch_op.f("ix_safety_places_generated"))

    op.drop_table("safety_places")
    op.drop_table("safety_events")
