"""What the 回访 services need: the queue's storage, in the case loop's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gridgov.callbacks.models import Callback, CallbackAttempt
from gridgov.cases.ports import CasesUnitOfWork


@dataclass(frozen=True, slots=True)
class ClosedCase:
    """A closed case not yet looked at by the queue."""

    id: int
    tracking_code: str
    category_code: str | None
    closed_at: datetime
    has_contact: bool


class CallbackRepository(Protocol):
    def get(self, callback_id: int) -> Callback | None: ...
    def add(self, callback: Callback) -> None: ...
    def add_attempt(self, attempt: CallbackAttempt) -> None: ...
    def closed_not_queued(self, limit: int) -> list[ClosedCase]: ...


class CallbacksUnitOfWork(CasesUnitOfWork, Protocol):
    @property
    def callbacks(self) -> CallbackRepository: ...
