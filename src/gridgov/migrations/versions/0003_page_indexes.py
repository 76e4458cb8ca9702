"""indexes for the dashboard at a million cases: day counts, running deadlines, alarms

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_cases_created_at": ["created_at"],  # today's new cases, the daily trend
    "ix_cases_closed_at": ["closed_at"],  # today's closes, the daily trend
    "ix_cases_status_due": ["status", "clock_due"],  # overdue: running clock (dispatched/accepted) past due
    "ix_cases_alarm_status": ["alarm_level", "status"],  # red and yellow cards among the open cases
}


def upgrade() -> None:
    # Built inside the migration's transaction: writes to cases wait while they build (about 5 s at a million
    # cases on 2 CPUs). A larger deployment can build them first with CREATE INDEX CONCURRENTLY and the same names.
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns, unique=False, if_not_exists=True)


def downgrade() -> None:
    for name in reversed(list(INDEXES)):
        op.drop_index(name, table_name="cases", if_exists=True)
