"""Group commit for intake: concurrent intake requests of one process share one transaction.

Every committing transaction takes the log's head lock and waits for its own WAL flush, so one case per
transaction spends most of its time in the commit. Here the requests take turns on one open transaction:
each runs its whole use case (`report_case`, unchanged) inside a savepoint of it — what fails is undone
alone, its events never reach the log — and whoever finds nobody else waiting for a turn (or the group full)
commits the lot: one head lock, one insert of every leaf, one signature, one flush. Every request is answered
only after the transaction holding its case has committed (a replay found inside the group waits too); if
that commit fails, every request in it fails, and none was acknowledged.

`GroupedUnitOfWork` has the shape of `CasesUnitOfWork` (the intake's protocol); it is made by
`Container.intake_uow()`, which hands out a plain unit of work when GRIDGOV_INTAKE_GROUP_MAX is 1.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from gridgov.audit.ports import PendingLeaf
from gridgov.cases.audit import AuditedCaseRepository
from gridgov.errors import Conflict
from gridgov.uow import SqlUnitOfWork


class _Batch:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow
        self.members = 0
        self.done = threading.Event()
        self.error: BaseException | None = None


class IntakeGroup:
    """One per process: the open transaction and whose turn it is."""

    def __init__(self, factory: Callable[[], SqlUnitOfWork], max_members: int = 64) -> None:
        self._factory = factory
        self.max_members = max_members
        self._turn = threading.Lock()
        self._state = threading.Lock()
        self._waiting = 0
        self._batch: _Batch | None = None
        self.commits = 0  # transactions committed (for the benchmark's figures)
        self.members = 0  # cases they held

    def unit_of_work(self) -> GroupedUnitOfWork:
        return GroupedUnitOfWork(self)

    def _take_turn(self) -> _Batch:
        with self._state:
            self._waiting += 1
        self._turn.acquire()
        with self._state:
            self._waiting -= 1
        try:
            if self._batch is None:
                uow = self._factory()
                uow.__enter__()
                self._batch = _Batch(uow)
            return self._batch
        except BaseException:
            self._turn.release()
            raise

    def _end_turn(self) -> None:
        """Give the turn up; commit the group first when nobody else is waiting for one, or it is full."""
        try:
            batch = self._batch
            with self._state:
                waiting = self._waiting
            if batch is not None and (waiting == 0 or batch.members >= self.max_members):
                self._batch = None
                try:
                    if batch.members:
                        batch.uow.commit()
                        self.commits += 1
                        self.members += batch.members
                except BaseException as exc:
                    batch.error = exc
                finally:
                    try:
                        batch.uow.__exit__(None, None, None)
                    except BaseException as exc:  # the commit's own error, mapped (StaleDataError → Conflict)
                        batch.error = batch.error or exc
                    batch.done.set()
        finally:
            self._turn.release()


class _MemberLog:
    """The log as one member sees it: its leaves reach the group's log only when the member commits."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared
        self.leaves: list[PendingLeaf] = []

    def queue(self, leaf: PendingLeaf) -> None:
        self.leaves.append(leaf)

    def forget(self, stream: str, subject_id: int) -> None:
        self.shared.forget(stream, subject_id)

    def seal(self) -> None:
        return None  # the group seals at its commit


class GroupedUnitOfWork:
    """`with uow: ...; uow.commit()` as a member of the process's intake group (see the module)."""

    def __init__(self, group: IntakeGroup) -> None:
        self._group = group
        self._batch: _Batch | None = None
        self._holding = False

    def __enter__(self) -> GroupedUnitOfWork:
        self._batch = batch = self._group._take_turn()
        self._holding = True
        self._committed = False
        self._shared = shared = batch.uow
        self.session = shared.session
        self.audit = _MemberLog(shared.audit)
        self.cases = AuditedCaseRepository(self.session, self.audit)
        self._jobs: list[tuple[str, dict[str, Any]]] = []
        self._hooks: list[Callable[[], None]] = []
        try:
            self._sp: SessionTransaction = self.session.begin_nested()
        except BaseException:
            self._holding = False
            self._group._end_turn()
            raise
        return self

    # the repositories without events are the group transaction's own
    @property
    def units(self) -> Any:
        return self._shared.units

    @property
    def categories(self) -> Any:
        return self._shared.categories

    @property
    def grids(self) -> Any:
        return self._shared.grids

    @property
    def users(self) -> Any:
        return self._shared.users

    def commit(self) -> None:
        try:
            self._sp.commit()  # flushes: a duplicate key or a stale row fails here, for this member alone
        except StaleDataError as exc:
            raise Conflict() from exc
        for leaf in self.audit.leaves:
            self._shared.audit.queue(leaf)
        for task, args in self._jobs:
            self._shared.enqueue(task, **args)
        for hook in self._hooks:
            self._shared.after_commit(hook)
        self.audit.leaves, self._jobs, self._hooks = [], [], []
        assert self._batch is not None
        self._batch.members += 1
        self._committed = True
        self._holding = False
        self._group._end_turn()

    def rollback(self) -> None:
        """Undo this member's work (its savepoint) and go on inside a fresh one."""
        if self._sp.is_active:
            self._sp.rollback()
        self.audit.leaves, self._jobs, self._hooks = [], [], []
        self._sp = self.session.begin_nested()

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._hooks.append(hook)

    def enqueue(self, task: str, **args: Any) -> None:
        self._jobs.append((task, dict(args)))

    def savepoint(self) -> AbstractContextManager[object]:
        return self.session.begin_nested()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        batch = self._batch
        if self._holding:
            self._holding = False
            try:
                if self._sp.is_active:
                    self._sp.rollback()
            finally:
                self._group._end_turn()
        if isinstance(exc, StaleDataError):
            raise Conflict() from exc
        if exc is None and batch is not None and (self._committed or batch.members):
            batch.done.wait()  # answered only once the transaction holding the case (or the one seen) commits
            if batch.error is not None:
                raise batch.error
