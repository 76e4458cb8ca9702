"""The transfers' SQL storage, and its unit of work over the shared one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.cases.bound import CaseLoopBoundUnitOfWork
from gridgov.cases.models import CaseEvent
from gridgov.errors import DuplicateKey
from gridgov.transfers.models import CaseTransfer


class SqlTransferRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, transfer_id: int) -> CaseTransfer | None:
        return self.session.get(CaseTransfer, transfer_id, with_for_update=True)

    def add(self, transfer: CaseTransfer) -> None:
        self.session.add(transfer)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc

    def by_ref(self, direction: str, transfer_ref: str, counterpart: str | None = None) -> CaseTransfer | None:
        stmt = select(CaseTransfer).where(
            CaseTransfer.direction == direction, CaseTransfer.transfer_ref == transfer_ref
        )
        if counterpart is not None:
            stmt = stmt.where(CaseTransfer.counterpart == counterpart)
        return self.session.scalars(stmt.order_by(CaseTransfer.id).with_for_update()).first()

    def of_case(self, case_id: int) -> Sequence[CaseTransfer]:
        stmt = select(CaseTransfer).where(CaseTransfer.case_id == case_id).order_by(CaseTransfer.id)
        return list(self.session.scalars(stmt))

    def status_payloads(self, case_id: int) -> Sequence[Mapping[str, Any]]:
        stmt = (
            select(CaseEvent.payload)
            .where(CaseEvent.case_id == case_id, CaseEvent.from_status != CaseEvent.to_status)
            .order_by(CaseEvent.seq)
        )
        return [dict(p or {}) for p in self.session.scalars(stmt)]


class SqlTransfersUnitOfWork(CaseLoopBoundUnitOfWork):
    """The shared SQL unit of work with the transfers' repository bound to its session; the case loop's
    repositories are the shared unit's own."""

    transfers: SqlTransferRepository

    def _bind(self) -> None:
        self.transfers = SqlTransferRepository(self._base.session)
