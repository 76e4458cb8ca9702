"""What Open311's services need: its own rows beside the case (in the case loop's transaction) and the photo
checks of gridgov.media (a feature of the same layer, so reached through this port, wired in bootstrap)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from gridgov.actor import Actor
from gridgov.cases.models import Case
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.open311.models import Open311Delivery, Open311Request, Open311Update


class Open311Repository(Protocol):
    def case_by_tracking_code(self, code: str) -> Case | None: ...
    def case_of_external_id(self, user_id: int | None, external_id: str) -> int | None: ...
    def add_request(self, row: Open311Request) -> None: ...
    def email_of(self, case_id: int) -> str | None: ...
    def update_of_client(self, user_id: int | None, client_update_id: str) -> Open311Update | None: ...
    def add_update(self, row: Open311Update) -> None: ...
    def event_id(self, case_id: int, seq: int) -> int | None: ...
    def add_deliveries(self, rows: Sequence[Open311Delivery]) -> None: ...


class Open311UnitOfWork(CasesUnitOfWork, Protocol):
    @property
    def open311(self) -> Open311Repository: ...


class Photos(Protocol):
    """gridgov.media's checks and store: `check` refuses what is not a whole JPEG/PNG/WebP within the limits
    (UploadRefused, a 400), `add` stores it without its metadata on the case and gives its reference."""

    def check(self, data: bytes) -> None: ...

    def add(self, case_id: int, data: bytes, actor: Actor, now: datetime) -> str: ...
