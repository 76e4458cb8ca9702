"""Group commit for intake: concurrent intake requests of one process share one transaction.

Every committing transaction takes the log's head lock and waits for its own WAL flush, so one case per
transaction spends most of its time in the commit. Here the requests take turns on one open transaction:
each runs its whole use case (`report_case`, unchanged) with its turn, but writes nothing while it has it —
the case and its first event are kept aside (their ids reserved, a round trip per group rather than per
case), with the member's log leaves, jobs and after-commit hooks. Whoever finds nobody else waiting for a
turn (or the group full) writes the group's cases with one multi-row INSERT and their events with another,
then commits the lot: one head lock, one insert of every leaf, one signature, one flush.

A member whose idempotency key turns out to be taken (by a case committed before, by another member of the
same group, or by another process) is left out of the INSERT — `ON CONFLICT DO NOTHING` — with its event,
leaves, jobs and hooks, and its `commit()` raises DuplicateKey: `report_case` then answers it with the case
under that key, read after the group has committed. Should the INSERT fail otherwise, the group's cases are
written again one by one, each in a savepoint, so that a failing member fails alone. Every request is
answered only after the transaction holding its case has committed; if that commit fails, every request in
it fails, and none was acknowledged.

`GroupedUnitOfWork` has the shape of `CasesUnitOfWork` (the intake's protocol); it is made by
`Container.intake_uow()`, which hands out a plain unit of work when GRIDGOV_INTAKE_GROUP_MAX is 1.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from gridgov.audit.ports import PendingLeaf
from gridgov.cases.audit import AuditedCaseRepository
from gridgov.cases.models import Case, CaseEvent
from gridgov.errors import Conflict, DuplicateKey
from gridgov.uow import SqlUnitOfWork


class _Member:
    """What one member adds to its group, kept apart until the group writes its rows."""

    def __init__(self) -> None:
        self.rows: list[tuple[Case, CaseEvent]] = []
        self.leaves: list[PendingLeaf] = []
        self.jobs: list[tuple[str, dict[str, Any]]] = []
        self.hooks: list[Callable[[], None]] = []
        self.refused = False  # its case was not written (a key already taken, or its row failed)

    def clear(self) -> None:
        self.rows, self.leaves, self.jobs, self.hooks = [], [], [], []


class _Batch:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow
        self.members: list[_Member] = []
        self.ids: list[int] = []  # case ids reserved and not yet handed out
        self.done = threading.Event()
        self.error: BaseException | None = None


class IntakeGroup:
    """One per process: the open transaction and whose turn it is."""

    def __init__(
        self,
        factory: Callable[[], SqlUnitOfWork],
        max_members: int = 64,
        reader: Callable[[], SqlUnitOfWork] | None = None,
    ) -> None:
        self._factory = factory
        self._reader = reader or factory  # a unit of work to read a replay's case in, after the group
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

    def _new_id(self, batch: _Batch) -> int:
        """A case id for the member whose turn it is: reserved for it and for those waiting behind it."""
        if not batch.ids:
            with self._state:
                wanted = self._waiting + 1
            batch.ids = batch.uow.cases.reserve_ids(min(wanted, self.max_members))
        return batch.ids.pop(0)

    def _end_turn(self) -> None:
        """Give the turn up; commit the group first when nobody else is waiting for one, or it is full."""
        try:
            batch = self._batch
            with self._state:
                waiting = self._waiting
            if batch is not None and (waiting == 0 or len(batch.members) >= self.max_members):
                self._batch = None
                try:
                    if batch.members:
                        kept = self._write(batch)
                        if kept:
                            batch.uow.commit()
                            self.commits += 1
                            self.members += kept
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

    @staticmethod
    def _write(batch: _Batch) -> int:
        """The group's cases and events, then what the members whose case was written queued; how many."""
        shared = batch.uow
        rows = [row for m in batch.members for row in m.rows]
        try:
            with shared.session.begin_nested():
                written = shared.cases.insert_new(rows)
        except DBAPIError:  # one member's row sinks the INSERT: each alone, so that it fails alone
            written = set()
            for m in batch.members:
                try:
                    with shared.session.begin_nested():
                        written |= shared.cases.insert_new(m.rows)
                except DBAPIError:
                    m.refused = True
        kept = 0
        for m in batch.members:
            if m.refused or any(case.id not in written for case, _ in m.rows):
                m.refused = True
                continue
            kept += 1
            for leaf in m.leaves:
                shared.audit.queue(leaf)
            for task, args in m.jobs:
                shared.enqueue(task, **args)
            for hook in m.hooks:
                shared.after_commit(hook)
        return kept


class _MemberLog:
    """The log as one member sees it: its leaves reach the group's log only when the member's case is written."""

    def __init__(self, shared: Any, member: _Member) -> None:
        self.shared = shared
        self.member = member

    def queue(self, leaf: PendingLeaf) -> None:
        self.member.leaves.append(leaf)

    def forget(self, stream: str, subject_id: int) -> None:
        self.shared.forget(stream, subject_id)

    def seal(self) -> None:
        return None  # the group seals at its commit


class _MemberCases(AuditedCaseRepository):
    """The case repository as one member sees it: a new case is kept aside for the group's INSERT."""

    def __init__(self, uow: GroupedUnitOfWork) -> None:
        super().__init__(uow.session, uow.audit)
        self._uow = uow

    def add(self, case: Case, first_event: CaseEvent) -> None:
        uow = self._uow
        assert uow._batch is not None
        case.id = uow._group._new_id(uow._batch)
        first_event.case_id = case.id
        uow._member.rows.append((case, first_event))
        self._queue(case.id, first_event.seq, first_event.hash)


class GroupedUnitOfWork:
    """`with uow: ...; uow.commit()` as a member of the process's intake group (see the module)."""

    def __init__(self, group: IntakeGroup) -> None:
        self._group = group
        self._batch: _Batch | None = None
        self._holding = False
        self._after: SqlUnitOfWork | None = None

    def __enter__(self) -> GroupedUnitOfWork:
        self._batch = batch = self._group._take_turn()
        self._holding = True
        self._member = member = _Member()
        self._shared = shared = batch.uow
        self.session = shared.session
        self.audit = _MemberLog(shared.audit, member)
        self.cases: AuditedCaseRepository = _MemberCases(self)
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
        """Hand the member's case to the group and wait until the transaction holding it has committed.
        DuplicateKey when its key was found taken (nothing of it was written)."""
        batch = self._batch
        assert batch is not None and self._holding
        batch.members.append(self._member)
        self._holding = False
        self._group._end_turn()
        batch.done.wait()
        if batch.error is not None:
            raise batch.error
        if self._member.refused:
            raise DuplicateKey()

    def rollback(self) -> None:
        """Forget this member's work. After its group (a key found taken), what it reads next — the case under
        that key — is read in a unit of work of its own."""
        self._member.clear()
        if not self._holding and self._after is None:
            self._after = after = self._group._reader()
            after.__enter__()
            self.session = after.session
            self.cases = after.cases

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._member.hooks.append(hook)

    def enqueue(self, task: str, **args: Any) -> None:
        self._member.jobs.append((task, dict(args)))

    def savepoint(self) -> AbstractContextManager[object]:
        return self.session.begin_nested()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._holding:  # left before its commit: nothing of it was written
                self._holding = False
                self._member.clear()
                self._group._end_turn()
        finally:
            after, self._after = self._after, None
            if after is not None:
                after.__exit__(exc_type, exc, tb)
        if isinstance(exc, StaleDataError):
            raise Conflict() from exc
