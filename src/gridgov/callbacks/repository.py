"""The 回访 queue's SQL storage, and its unit of work over the shared one."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.callbacks.models import Callback, CallbackAttempt
from gridgov.callbacks.ports import ClosedCase
from gridgov.cases.bound import CaseLoopBoundUnitOfWork
from gridgov.cases.models import Case
from gridgov.errors import DuplicateKey


class SqlCallbackRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, callback_id: int) -> Callback | None:
        return self.session.get(Callback, callback_id, with_for_update=True)

    def add(self, callback: Callback) -> None:
        self.session.add(callback)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc

    def add_attempt(self, attempt: CallbackAttempt) -> None:
        self.session.add(attempt)

    def closed_not_queued(self, limit: int) -> list[ClosedCase]:
        """Closed cases (not merged children, which follow their main case) that the queue has not looked at."""
        stmt = (
            select(
                Case.id,
                Case.tracking_code,
                Case.category_code,
                Case.closed_at,
                or_(Case.reporter_phone != "", Case.reporter_user_id.is_not(None)),
            )
            .outerjoin(Callback, Callback.case_id == Case.id)
            .where(Case.status == "closed", Case.parent_case_id.is_(None), Callback.id.is_(None))
            .where(Case.closed_at.is_not(None))
            .order_by(Case.closed_at, Case.id)
            .limit(limit)
        )
        return [
            ClosedCase(i, code, cat, at, bool(contact))
            for i, code, cat, at, contact in self.session.execute(stmt)
            if at
        ]


class SqlCallbacksUnitOfWork(CaseLoopBoundUnitOfWork):
    """The shared SQL unit of work with the 回访 repository bound to its session; the case loop's repositories
    are the shared unit's own (an answered call-back is the case's evaluation)."""

    callbacks: SqlCallbackRepository

    def _bind(self) -> None:
        self.callbacks = SqlCallbackRepository(self._base.session)
