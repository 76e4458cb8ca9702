"""Shared set-up for benchmarks: a fresh database (SQLite file or a new PostgreSQL database), migrated,
with a small reference city and an operator token."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from gridgov import migrate
from gridgov.accounts.services import add_user, issue_token
from gridgov.bootstrap import Container, bootstrap
from gridgov.config import Settings
from gridgov.grids.domain import GridLevel
from gridgov.reference.divisions import load_city_divisions
from gridgov.reference.services import initialise, small_city

PG_ADMIN = os.environ.get("GRIDGOV_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class BenchDb:
    name: str
    url: str
    container: Container
    token: str
    grid: str


@contextmanager
def fresh_db(kind: str, full_city: bool = False, url: str | None = None, keep: bool = False) -> Iterator[BenchDb]:
    """A new database; `url` names a PostgreSQL one to (re)create, which `keep` leaves behind afterwards."""
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
        url = f"sqlite:///{tmp}/bench.db"
        drop = None
    else:
        name = url.rsplit("/", 1)[1] if url else f"gridgov_bench_{int(time.time())}_{os.getpid()}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
        drop = None if keep else name
    migrate.upgrade(url)
    settings = Settings(database_url=url, log_level="WARNING", escalation_interval_seconds=0)
    from gridgov.logging import configure_logging

    configure_logging(settings)
    container = bootstrap(settings)
    now = datetime.now(UTC)
    if full_city:
        initialise(container.sessions, now, grid_workers=False)
    else:
        divisions = small_city(load_city_divisions())
        counts = {GridLevel.STREET: 5, GridLevel.COMMUNITY: 10, GridLevel.MICRO: 20}
        initialise(container.sessions, now, divisions=divisions, counts=counts, include_zones=False)
    add_user(container.uow(), "bench-operator", "operator", "4101", now)
    token = issue_token(container.uow(), "bench-operator", now)
    from sqlalchemy import text

    with container.sessions() as s:
        grid = s.execute(text("SELECT code FROM grids WHERE level = 4 ORDER BY code LIMIT 1")).scalar_one()
    try:
        yield BenchDb(kind, url, container, token, grid)
    finally:
        container.close()
        if drop:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]
