"""Unit of work: one transaction, the repositories bound to it, and hooks that run after commit.

`AbstractUnitOfWork` is every feature's unit-of-work protocol at once (each feature's services type only their
own, from `<feature>/ports.py`, so no feature imports this module); `SqlUnitOfWork` is the SQLAlchemy adapter
that bootstrap hands out, and tests/fakes.py has the in-memory `FakeUnitOfWork`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from gridgov.accounts.ports import AccountsUnitOfWork
from gridgov.accounts.repository import SqlUserRepository
from gridgov.audit.sql import LogSettings, SqlAuditLog
from gridgov.campaigns.ports import CampaignsUnitOfWork
from gridgov.campaigns.repository import SqlCampaignRepository
from gridgov.cases.audit import AuditedCaseRepository, case_states
from gridgov.categories.repository import SqlCategoryRepository
from gridgov.errors import Conflict
from gridgov.grids.repository import SqlGridRepository
from gridgov.jobs.ports import NULL_QUEUE, Job, JobQueue, merged
from gridgov.open311.ports import Open311UnitOfWork
from gridgov.open311.repository import SqlOpen311Repository
from gridgov.refcache import NO_CACHE, ReferenceCache
from gridgov.reference.ports import ReferenceUnitOfWork
from gridgov.reference.repository import SqlReferenceStore
from gridgov.units.admin_store import SqlUnitAdminStore
from gridgov.units.ports import UnitAdminUnitOfWork
from gridgov.units.repository import SqlUnitRepository

_SQLITE_WRITE_LOCK = threading.Lock()

# called at commit with the (case id, seq) of the transaction's case events; writes what they cause in the same
# transaction (notifications: gridgov.notify.repository.OutboxWriter) and returns jobs to enqueue with them
EventHook = Callable[[Session, list[tuple[int, int]]], list[Job]]


class AbstractUnitOfWork(
    CampaignsUnitOfWork, AccountsUnitOfWork, ReferenceUnitOfWork, UnitAdminUnitOfWork, Open311UnitOfWork, Protocol
):
    """Every repository of every feature in one transaction (cases, units, categories, grids, users, campaigns)."""


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit.

    On SQLite a writing unit of work takes the write lock at BEGIN (BEGIN IMMEDIATE), so two
    writers queue instead of failing half-way; on PostgreSQL optimistic version checks decide.
    """

    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        write: bool = True,
        cache: ReferenceCache = NO_CACHE,
        log: LogSettings | None = None,
        jobs: JobQueue = NULL_QUEUE,
        case_repository: type[AuditedCaseRepository] = AuditedCaseRepository,
        before_commit: Sequence[Callable[[SqlUnitOfWork], None]] = (),
        on_case_events: EventHook | None = None,
    ) -> None:
        self._on_case_events = on_case_events
        self._before_commit = tuple(before_commit)  # run in the transaction, before the outbox and the log
        self._factory = session_factory
        self._case_repository = case_repository
        self._jobs = jobs
        self._outbox: list[Job] = []
        self._cache = cache
        self._log = log or LogSettings()
        self._write = write
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        self._locked = False
        if self._write and self.session.get_bind().dialect.name == "sqlite":
            # one writer at a time inside this process (SQLite's own busy wait backs off with sleeps),
            # and BEGIN IMMEDIATE against writers in other processes
            _SQLITE_WRITE_LOCK.acquire()
            self._locked = True
            try:
                self.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            except BaseException:
                self._release()
                raise
        # every event enters the city's log; at commit the log takes the head lock last and seals them
        self.audit = SqlAuditLog(
            self.session,
            origin=self._log.origin,
            now=self._log.now,
            signer=self._log.signer,
            states={"case": case_states},
        )
        self.cases = self._case_repository(self.session, self.audit)
        self.units = SqlUnitRepository(self.session)
        self.categories = SqlCategoryRepository(self.session, self._cache)
        self.grids = SqlGridRepository(self.session, self._cache)
        self.users = SqlUserRepository(self.session)
        self.campaigns = SqlCampaignRepository(self.session)
        self.reference = SqlReferenceStore(self.session)
        self.unit_admin = SqlUnitAdminStore(self.session)
        self.open311 = SqlOpen311Repository(self.session)
        self._after_commit = []
        self._outbox = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self._release()
        if isinstance(exc, StaleDataError):
            # another transaction changed the same row first (optimistic version check)
            raise Conflict() from exc

    def _release(self) -> None:
        if self._locked:
            self._locked = False
            _SQLITE_WRITE_LOCK.release()

    def commit(self) -> None:
        for observe in self._before_commit:  # e.g. open311's deliveries of the events just written (gridgov.open311)
            observe(self)
        if self._on_case_events is not None:  # the notification outbox: rows in this transaction
            self._outbox.extend(self._on_case_events(self.session, self.audit.pending("case")))
        jobs, self._outbox = merged(self._outbox), []
        try:
            if jobs:  # the outbox: the jobs are written in this transaction, on its own connection
                self._jobs.write(self.session.connection().connection.driver_connection, jobs)
            self.audit.seal()  # the log's head is locked last
            self.session.commit()
        except StaleDataError as exc:
            raise Conflict() from exc
        if jobs:
            self._jobs.committed(jobs)
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def rollback(self) -> None:
        self.session.rollback()
        self._outbox = []

    def enqueue(self, task: str, **args: object) -> None:
        self._outbox.append(Job(task, dict(args)))

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._after_commit.append(hook)

    def savepoint(self) -> AbstractContextManager[object]:
        return self.session.begin_nested()


UnitOfWork = SqlUnitOfWork  # the adapter's old name
