"""State every process must agree on, kept in the database (the default store): token buckets for request
limits and leases on live streams. Both work on PostgreSQL and SQLite (UPSERT … RETURNING).

The tables are defined on this module's own MetaData (like the audit log's); gridgov.models copies them into
Base.metadata for Alembic. Times are Unix seconds from the processes' clocks (one machine, or NTP)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Column, Connection, Engine, Float, Integer, MetaData, String, Table, text

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("bucket", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

stream_leases = Table(
    "stream_leases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(100), nullable=False, index=True),
    Column("lease", String(40), nullable=False, unique=True),
    Column("expires_at", Float, nullable=False),
)

TABLES = (rate_buckets, stream_leases)


def _least(engine: Engine) -> tuple[str, str]:
    return ("LEAST", "GREATEST") if engine.dialect.name == "postgresql" else ("MIN", "MAX")


@contextmanager
def _exclusive(engine: Engine, name: str) -> Iterator[Connection]:
    """A transaction that holds the lock on `name`: an advisory lock on PostgreSQL, the write lock (BEGIN
    IMMEDIATE) on SQLite."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
            yield conn


class SqlRateLimiter:
    """Token buckets in `rate_buckets`: `per_minute` a minute per key, bursts up to `burst`, one UPSERT a call
    (refused calls write nothing). Every process sharing the database shares the buckets."""

    def __init__(self, engine: Engine, per_minute: float, burst: int, now: Callable[[], float] = time.time) -> None:
        self.engine, self.rate, self.burst, self._now = engine, per_minute / 60.0, burst, now
        least, greatest = _least(engine)
        refill = f"{least}(:burst, rate_buckets.tokens + {greatest}(0, :now - rate_buckets.updated_at) * :rate)"
        self._sql = text(
            "INSERT INTO rate_buckets (bucket, tokens, updated_at) VALUES (:key, :burst - 1, :now) "
            f"ON CONFLICT (bucket) DO UPDATE SET tokens = {refill} - 1, updated_at = :now "
            f"WHERE {refill} >= 1 RETURNING tokens"
        )
        self._calls = 0

    def allow(self, key: str) -> bool:
        now = self._now()
        params = {"key": key[:200], "burst": float(self.burst), "now": now, "rate": self.rate}
        with self.engine.begin() as conn:
            allowed = conn.execute(self._sql, params).first() is not None
            self._calls += 1
            if self._calls % 1000 == 0:  # a full bucket is the same as no row: forget those
                conn.execute(
                    text("DELETE FROM rate_buckets WHERE updated_at < :t"), {"t": now - self.burst / self.rate - 60}
                )
        return allowed


class SqlStreamLeases:
    """Leases on live streams in `stream_leases`, at most `cap` per owner across all processes. A lease lasts
    `ttl` seconds unless released, so a process killed with its streams open leaks none for long."""

    def __init__(self, engine: Engine, now: Callable[[], float] = time.time) -> None:
        self.engine, self._now = engine, now

    def acquire(self, owner: str, cap: int, ttl: float) -> str | None:
        now = self._now()
        with _exclusive(self.engine, f"stream:{owner}") as conn:
            conn.execute(
                text("DELETE FROM stream_leases WHERE owner = :o AND expires_at < :now"), {"o": owner, "now": now}
            )
            held = conn.execute(text("SELECT count(*) FROM stream_leases WHERE owner = :o"), {"o": owner}).scalar_one()
            if held >= cap:
                return None
            lease = secrets.token_hex(16)
            conn.execute(
                text("INSERT INTO stream_leases (owner, lease, expires_at) VALUES (:o, :l, :e)"),
                {"o": owner, "l": lease, "e": now + ttl},
            )
        return lease

    def release(self, lease: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM stream_leases WHERE lease = :l"), {"l": lease})
