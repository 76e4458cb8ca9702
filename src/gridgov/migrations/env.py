"""Alembic environment: migrations run with lock and statement timeouts on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.types import NullType

import gridgov.admin.models  # noqa: F401  (admin_* tables: the admin package sits above models)
from gridgov.config import Settings
from gridgov.db import make_engine
from gridgov.models import Base


class _PostgisType(NullType):
    """What reflection calls a PostGIS column (geometry, geography): known, so no warning, and never compared."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__()


config = context.config
target_metadata = Base.metadata
# in the database but not in the models: case search's expression indexes and SQLite FTS5 tables (0009);
# PostGIS's own table, the grids' geometry column and the GiST indexes (0010, where PostGIS is created)
UNMODELLED = ("cases_fts", "ix_cases_search_", "ix_cases_phone_digits", "procrastinate_")  # 0012: the job queue
POSTGIS = ("spatial_ref_sys", "geom", "ix_grids_geom", "ix_cases_geog")


def _include(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    return not (reflected and compare_to is None and name is not None and name.startswith(UNMODELLED + POSTGIS))


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # PostGIS columns are reflected as unmodelled (no "did not recognize type" warning)
        dialect: Any = connection.dialect
        dialect.ischema_names = {
            **dialect.ischema_names,
            "geometry": _PostgisType,
            "geography": _PostgisType,
        }
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text("SET statement_timeout = '10min'"))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(Settings(database_url=url), nullpool=True)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


run_migrations_online()
