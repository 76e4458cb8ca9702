"""The schema is built by migrating (tests/conftest.py `migrated`), and the migrations at head describe exactly the
models: one head, the database at it, and `alembic check` finds nothing to autogenerate."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from gridgov import migrate
from gridgov.models import Base


def test_migrations_have_one_head_and_the_database_is_at_it(migrated: str, connection: Connection) -> None:
    heads = ScriptDirectory.from_config(migrate.alembic_config(migrated)).get_heads()
    assert len(heads) == 1
    assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


def test_migrations_at_head_match_the_models(migrated: str, connection: Connection) -> None:
    # tables kept by migrations alone, outside the models: SQLite's FTS5 search index and its shadow tables,
    # and the job queue's own schema (the same list migrations/env.py leaves out of autogenerate)
    unmodelled = ("cases_fts", "procrastinate_", "spatial_ref_sys")  # and PostGIS's own table, where it is created
    tables = {t for t in inspect(connection).get_table_names() if not t.startswith(unmodelled)} - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    migrate.check(migrated)  # raises when autogenerate would find a difference
