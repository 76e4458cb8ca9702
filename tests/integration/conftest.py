"""Integration tier: repositories, queries and migrations on a real database (SQLite by default, PostgreSQL with
GRIDGOV_TEST_DATABASE_URL), the schema built by migrating. Each test runs inside a transaction that is rolled back
at the end ("joining a session into an external transaction", SQLAlchemy 2): the test's session and units of work
commit to SAVEPOINTs, so nothing a test writes outlives it and no table is emptied by DELETE."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from gridgov.config import Settings
from gridgov.db import make_engine
from gridgov.uow import UnitOfWork

# rows other tiers may leave behind in the shared test database; hidden (inside the rolled-back transaction)
# so that a test sees only what it wrote
CASE_TABLES = ("case_transfers", "open311_deliveries", "open311_updates", "open311_requests",  # 转办, Open311
               "notify_messages", "notify_contacts",  # notify
               "safety_photos", "safety_events", "safety_hazards", "safety_inspections", "safety_tasks",
               "safety_plan_runs", "safety_places",
               "campaign_events", "campaign_attachments", "campaign_suggestions", "campaigns", "case_photos",
               "pii_access_log", "audit_log", "audit_head", "audit_salts", "category_labels", "case_events",
               "case_tasks", "cases")  # fmt: skip


@pytest.fixture(scope="session")
def engine(migrated: str, settings: Settings) -> Iterator[Engine]:
    # gridgov's SQLite engine already carries the pysqlite workaround the recipe needs: the driver's own
    # transaction handling is off (isolation_level=None) and the "begin" event emits BEGIN, so SAVEPOINT works
    eng = make_engine(settings)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection with an outer transaction that is always rolled back."""
    with engine.connect() as conn:
        outer = conn.begin()
        for table in CASE_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions bound to the test's connection: their commit releases a SAVEPOINT, the outer rollback undoes it."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False, autoflush=False
    )


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s


@pytest.fixture
def uow_factory(sessions: sessionmaker[Session]) -> Callable[[], UnitOfWork]:
    """Real SQL units of work inside the test's transaction (read-only, so SQLite takes no BEGIN IMMEDIATE on the
    already open connection)."""
    return lambda: UnitOfWork(sessions, write=False)
