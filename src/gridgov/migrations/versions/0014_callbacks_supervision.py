"""督办, 催办 and 回访 (issue 15)

- case_supervisions: each 督办 of a case (deadline, note, the unit that must answer, its answer, escalations);
- case_urges: each 催办 the deadline scan wrote to a task, unique per (task, level);
- callbacks, callback_attempts: the 回访 queue and its calls.

Revision ID: 0014
Revises: 0016
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.db import UTCDateTime

revision = "0014"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_supervisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_role", sa.String(length=20), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("replied_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalated_to_unit_id", sa.Integer(), nullable=True),
        sa.Column("next_check_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_supervisions_case_id_cases")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_case_supervisions_unit_id_units")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_case_supervisions_issued_by_id_users")),
        sa.ForeignKeyConstraint(["replied_by_id"], ["users.id"], name=op.f("fk_case_supervisions_replied_by_id_users")),
        sa.ForeignKeyConstraint(
            ["escalated_to_unit_id"], ["units.id"], name=op.f("fk_case_supervisions_escalated_to_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_supervisions")),
    )
    op.create_index("ix_supervisions_case", "case_supervisions", ["case_id"])
    op.create_index("ix_supervisions_status_check", "case_supervisions", ["status", "next_check_at"])
    op.create_index("ix_supervisions_issued", "case_supervisions", ["issued_at"])
    op.create_table(
        "case_urges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("urged_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_urges_case_id_cases")),
        sa.ForeignKeyConstraint(["task_id"], ["case_tasks.id"], name=op.f("fk_case_urges_task_id_case_tasks")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_case_urges_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_urges")),
        sa.UniqueConstraint("task_id", "level", name="uq_case_urges_task_level"),
    )
    op.create_index(op.f("ix_case_urges_case_id"), "case_urges", ["case_id"])
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("queued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_callbacks_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
        sa.UniqueConstraint("case_id", name=op.f("uq_callbacks_case_id")),
    )
    op.create_index("ix_callbacks_status_due", "callbacks", ["status", "due_at"])
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["callback_id"], ["callbacks.id"], name=op.f("fk_callback_attempts_callback_id_callbacks")
        ),
        sa.ForeignKeyConstraint(["operator_id"], ["users.id"], name=op.f("fk_callback_attempts_operator_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
    )
    op.create_index("ix_callback_attempts_callback", "callback_attempts", ["callback_id"])


def downgrade() -> None:
    op.drop_table("callback_attempts")
    op.drop_table("callbacks")
    op.drop_table("case_urges")
    op.drop_table("case_supervisions")
