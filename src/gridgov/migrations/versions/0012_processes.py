"""Many processes: shared token buckets and stream leases; on PostgreSQL, procrastinate's job queue and the
NOTIFY triggers (case events, reference data)

- rate_buckets (bucket, tokens, updated_at) and stream_leases (owner, lease, expires_at): the state that limits
  hold across processes (gridgov.jobs.shared), on every backend;
- PostgreSQL only: procrastinate's own schema (procrastinate_* tables, types, functions and its job NOTIFY
  trigger), applied once, as procrastinate ships it for the pinned version; a later procrastinate upgrade adds
  a revision that runs its migration files;
- PostgreSQL only: `pg_notify('gridgov_events', id)` after each case event insert, and
  `pg_notify('gridgov_reference', table)` after any change to grids, grid_versions, categories or units
  (gridgov.jobs.notify).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REFERENCE_TABLES = ("grids", "grid_versions", "categories", "units")

NOTIFY_DDL = (
    "CREATE OR REPLACE FUNCTION gridgov_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM pg_notify('gridgov_events', NEW.id::text); RETURN NULL; END $$",
    "CREATE TRIGGER case_events_notify AFTER INSERT ON case_events "
    "FOR EACH ROW EXECUTE FUNCTION gridgov_notify_event()",
    "CREATE OR REPLACE FUNCTION gridgov_notify_reference() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM pg_notify('gridgov_reference', TG_TABLE_NAME); RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {t}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t} "
        "FOR EACH STATEMENT EXECUTE FUNCTION gridgov_notify_reference()"
        for t in REFERENCE_TABLES
    ),
)


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_rate_buckets")),
    )
    op.create_table(
        "stream_leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("lease", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_leases")),
        sa.UniqueConstraint("lease", name=op.f("uq_stream_leases_lease")),
    )
    op.create_index(op.f("ix_stream_leases_owner"), "stream_leases", ["owner"], unique=False)
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
        from gridgov.jobs.pgqueue import apply_schema

        apply_schema(conn.connection.driver_connection)
    for statement in NOTIFY_DDL:
        op.execute(statement)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for t in REFERENCE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_notify ON {t}")
        op.execute("DROP TRIGGER IF EXISTS case_events_notify ON case_events")
        op.execute("DROP FUNCTION IF EXISTS gridgov_notify_reference()")
        op.execute("DROP FUNCTION IF EXISTS gridgov_notify_event()")
        # procrastinate's schema stays: it may hold jobs (drop it by hand with its own tooling)
    op.drop_index(op.f("ix_stream_leases_owner"), table_name="stream_leases")
    op.drop_table("stream_leases")
    op.drop_table("rate_buckets")
