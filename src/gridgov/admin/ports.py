"""What the admin services need: the users and units (the accounts' and units' repositories), the admin record,
and the sign-in throttle (an outside port that commits on its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gridgov.accounts.models import ApiToken
from gridgov.accounts.ports import UserRepository
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.transaction import Transaction
from gridgov.units.ports import UnitAdminStore, UnitRepository


class AdminRepository(Protocol):
    def subject(self, kind: str, ref: str) -> AdminSubject:
        """The subject's row, made on its first change, locked until the transaction ends."""
        ...

    def add_event(self, event: AdminEvent) -> None: ...

    def tokens_of(self, user_id: int) -> Sequence[ApiToken]: ...

    def token(self, token_id: int) -> ApiToken | None: ...

    def grids_of(self, user_id: int) -> list[str]: ...

    def set_grids(self, user_id: int, codes: Sequence[str]) -> None:
        """A grid worker's assigned grids become exactly `codes`."""
        ...


class AdminUnitOfWork(Transaction, Protocol):
    @property
    def users(self) -> UserRepository: ...

    @property
    def units(self) -> UnitRepository: ...

    @property
    def unit_admin(self) -> UnitAdminStore: ...

    @property
    def admin(self) -> AdminRepository: ...
