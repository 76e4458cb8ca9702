"""Shared set-up for benchmarks: a fresh database (SQLite file or a new PostgreSQL database), migrated,
with a small reference city and an operator token; and the `--smoke` mode every script has.

Smoke mode (`--smoke`) runs the same code paths at tiny sizes in a few seconds, so that a test can check
that each script still runs and prints its figures. Its database is SQLite, or a fresh database on the
PostgreSQL server that GRIDGOV_TEST_DATABASE_URL names when it names one.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gridgov.bootstrap import Container

PG_ADMIN = os.environ.get("GRIDGOV_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def add_smoke(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, a few seconds: the same code paths and figures, to check that the script still runs",
    )


def apply_smoke(ap: argparse.ArgumentParser, args: argparse.Namespace, **sizes: Any) -> argparse.Namespace:
    """In smoke mode each option named in `sizes` that was left at its default takes the tiny value given."""
    if args.smoke:
        for name, value in sizes.items():
            if getattr(args, name) == ap.get_default(name):
                setattr(args, name, value)
    return args


def smoke_backend() -> tuple[str, str]:
    """(kind, admin URL) for a smoke run: the PostgreSQL server of GRIDGOV_TEST_DATABASE_URL if it names one
    (a new database is created beside the test database, never in it), else SQLite."""
    from sqlalchemy.engine import make_url

    test_url = os.environ.get("GRIDGOV_TEST_DATABASE_URL", "")
    if test_url.startswith(("postgresql", "postgres:")):
        admin = make_url(test_url).set(drivername="postgresql", database="postgres")
        return "postgresql", admin.render_as_string(hide_password=False)
    return "sqlite", PG_ADMIN


@dataclass
class BenchDb:
    name: str
    url: str
    container: Container
    token: str
    grid: str


@contextmanager
def fresh_db(
    kind: str, full_city: bool = False, url: str | None = None, keep: bool = False, admin: str = PG_ADMIN
) -> Iterator[BenchDb]:
    """A new database; `url` names a PostgreSQL one to (re)create, which `keep` leaves behind afterwards.
    PostgreSQL databases are created and dropped through `admin` (a URL to the server's postgres database)."""
    import psycopg
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from gridgov import migrate
    from gridgov.accounts.services import add_user, issue_token
    from gridgov.bootstrap import bootstrap
    from gridgov.config import Settings
    from gridgov.grids.divisions import load_city_divisions
    from gridgov.grids.domain import GridLevel
    from gridgov.logging import configure_logging
    from gridgov.reference.services import initialise, small_city

    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
        url = f"sqlite:///{tmp}/bench.db"
        drop = None
    else:
        name = url.rsplit("/", 1)[1] if url else f"gridgov_bench_{int(time.time())}_{os.getpid()}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(admin).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
        drop = None if keep else name
    migrate.upgrade(url)
    settings = Settings(database_url=url, log_level="WARNING", escalation_interval_seconds=0)
    configure_logging(settings)
    container = bootstrap(settings)
    now = datetime.now(UTC)
    if full_city:
        initialise(container.uow(), now, grid_workers=False)
    else:
        divisions = small_city(load_city_divisions())
        counts = {GridLevel.STREET: 5, GridLevel.COMMUNITY: 10, GridLevel.MICRO: 20}
        initialise(container.uow(), now, divisions=divisions, counts=counts, include_zones=False)
    add_user(container.uow(), "bench-operator", "operator", "4101", now)
    token = issue_token(container.uow(), "bench-operator", now)

    with container.sessions() as s:
        grid = s.execute(text("SELECT code FROM grids WHERE level = 4 ORDER BY code LIMIT 1")).scalar_one()
    try:
        yield BenchDb(kind, url, container, token, grid)
    finally:
        container.close()
        if drop:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]
