"""Case storage: the protocol services use, and its SQLAlchemy version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import literal, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.cases.domain import StatusKind, statuses_of_kind
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.db import UTCDateTime
from gridgov.errors import DuplicateKey


class CaseRepository(Protocol):
    def add(self, case: Case, first_event: CaseEvent) -> None: ...
    def get(self, case_id: int) -> Case | None: ...
    def by_idempotency_key(self, key: str) -> Case | None: ...
    def tasks(self, case_id: int) -> Sequence[CaseTask]: ...
    def add_task(self, task: CaseTask) -> None: ...
    def add_event(self, event: CaseEvent) -> None: ...
    def children(self, case_id: int) -> Sequence[Case]: ...
    def due_for_alarm(self, now: datetime, limit: int, after: tuple[datetime, int] | None) -> Sequence[Case]: ...


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, case: Case, first_event: CaseEvent) -> None:
        """Insert a new case with its first event (the case row already holds the chain's head)."""
        self.session.add(case)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc
        first_event.case_id = case.id
        self.session.add(first_event)

    def get(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def by_idempotency_key(self, key: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.idempotency_key == key)).first()

    def tasks(self, case_id: int) -> Sequence[CaseTask]:
        return self.session.scalars(select(CaseTask).where(CaseTask.case_id == case_id).order_by(CaseTask.id)).all()

    def add_task(self, task: CaseTask) -> None:
        self.session.add(task)
        self.session.flush()

    def add_event(self, event: CaseEvent) -> None:
        self.session.add(event)

    def children(self, case_id: int) -> Sequence[Case]:
        return self.session.scalars(select(Case).where(Case.parent_case_id == case_id).order_by(Case.id)).all()

    def due_for_alarm(self, now: datetime, limit: int, after: tuple[datetime, int] | None) -> Sequence[Case]:
        """Open cases whose next alarm is due, in (next_alarm_at, id) order after the keyset `after`
        (the index on (next_alarm_at, id) serves both the range and the order)."""
        open_statuses = [s.value for s in statuses_of_kind(StatusKind.OPEN)]
        stmt = select(Case).where(Case.next_alarm_at <= now, Case.status.in_(open_statuses))
        if after is not None:
            stmt = stmt.where(tuple_(Case.next_alarm_at, Case.id) > tuple_(literal(after[0], UTCDateTime()), after[1]))
        return self.session.scalars(stmt.order_by(Case.next_alarm_at, Case.id).limit(limit)).all()
