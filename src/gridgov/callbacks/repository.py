"""The 回访 queue's SQL storage, and its unit of work over the shared one."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.accounts.ports import UserRepository
from gridgov.audit.ports import AuditLog
from gridgov.callbacks.models import Callback, CallbackAttempt
from gridgov.callbacks.ports import ClosedCase
from gridgov.cases.models import Case
from gridgov.cases.ports import CaseRepository, CasesUnitOfWork
from gridgov.categories.ports import CategoryRepository
from gridgov.errors import DuplicateKey
from gridgov.grids.ports import GridRepository
from gridgov.transaction import BoundUnitOfWork
from gridgov.units.ports import UnitRepository


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


class SessionUnitOfWork(CasesUnitOfWork, Protocol):
    session: Session


class SqlCallbacksUnitOfWork(BoundUnitOfWork):
    """The shared SQL unit of work with the 回访 repository bound to its session; the case loop's repositories
    are the shared unit's own (an answered call-back is the case's evaluation)."""

    callbacks: SqlCallbackRepository
    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        self.callbacks = SqlCallbackRepository(self._base.session)

    @property
    def audit(self) -> AuditLog:
        return self._base.audit

    @property
    def cases(self) -> CaseRepository:
        return self._base.cases

    @property
    def units(self) -> UnitRepository:
        return self._base.units

    @property
    def categories(self) -> CategoryRepository:
        return self._base.categories

    @property
    def grids(self) -> GridRepository:
        return self._base.grids

    @property
    def users(self) -> UserRepository:
        return self._base.users

    def enqueue(self, task: str, **args: Any) -> None:
        self._base.enqueue(task, **args)
