"""A feature's unit of work over the shared SQL one that also carries the case loop's repositories: features
whose services act on cases (回访, 转办, 三个一批 blockers, 社情民意, 安全隐患) bind their own repository and
reach the case loop's through the shared unit — the same transaction, lock and hooks
(gridgov.transaction.BoundUnitOfWork)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from gridgov.accounts.ports import UserRepository
from gridgov.audit.ports import AuditLog
from gridgov.cases.ports import CaseRepository, CasesUnitOfWork
from gridgov.categories.ports import CategoryRepository
from gridgov.grids.ports import GridRepository
from gridgov.transaction import BoundUnitOfWork
from gridgov.units.ports import UnitRepository


class SessionUnitOfWork(CasesUnitOfWork, Protocol):
    session: Session


class CaseLoopBoundUnitOfWork(BoundUnitOfWork):
    """BoundUnitOfWork whose case-loop repositories are the shared unit's own; subclasses bind theirs in `_bind`."""

    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

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
