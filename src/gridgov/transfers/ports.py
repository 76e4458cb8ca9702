"""What the 转办 services need: the transfers' storage, in the case loop's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from gridgov.cases.ports import CasesUnitOfWork
from gridgov.transfers.models import CaseTransfer


class TransferRepository(Protocol):
    def get(self, transfer_id: int) -> CaseTransfer | None: ...
    def add(self, transfer: CaseTransfer) -> None: ...  # raises DuplicateKey on a reference already held
    def by_ref(self, direction: str, transfer_ref: str, counterpart: str | None = None) -> CaseTransfer | None: ...
    def of_case(self, case_id: int) -> Sequence[CaseTransfer]: ...
    def status_payloads(self, case_id: int) -> Sequence[Mapping[str, Any]]: ...  # of the status changes, in order


class TransfersUnitOfWork(CasesUnitOfWork, Protocol):
    @property
    def transfers(self) -> TransferRepository: ...
