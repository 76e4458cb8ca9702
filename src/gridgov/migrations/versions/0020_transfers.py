"""12345 operations (issue 17): case_transfers (转办), one row per transfer out of this instance or into it, unique
by the sender's reference (an import sent twice makes no second case); cases.caller_key (重复来电), the keyed hash
of the caller's phone, indexed with the time. Cases filed before this revision keep no key (the migration does not
hold the signing secret) and are not matched.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.db import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("counterpart", sa.String(length=40), nullable=False),
        sa.Column("counterpart_name", sa.String(length=100), nullable=False),
        sa.Column("transfer_ref", sa.String(length=80), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("outcome_status", sa.String(length=20), nullable=False),
        sa.Column("outcome_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_transfers_case_id_cases")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_case_transfers_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfers")),
        sa.UniqueConstraint("direction", "counterpart", "transfer_ref", name="uq_case_transfers_ref"),
    )
    op.create_index("ix_case_transfers_case", "case_transfers", ["case_id"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caller_key", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_cases_caller_key", ["caller_key", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_caller_key")
        batch_op.drop_column("caller_key")
    op.drop_index("ix_case_transfers_case", table_name="case_transfers")
    op.drop_table("case_transfers")
