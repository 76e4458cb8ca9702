"""What the admin services need: the users and units (the accounts' and units' repositories), the admin record,
and the sign-in throttle (an outside port that commits on its own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from gridgov.accounts.models import ApiToken
from gridgov.accounts.ports import UserRepository
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.geo.geojson import ParsedGrids
from gridgov.transaction import Transaction
from gridgov.units.models import Unit
from gridgov.units.ports import UnitAdminStore, UnitRepository


class AdminRepository(Protocol):
    def subject(self, kind: str, ref: str) -> AdminSubject:
        """The subject's row, made on its first change, locked until the transaction ends."""
        ...

    def add_event(self, event: AdminEvent) -> None: ...

    def tokens_of(self, user_id: int) -> Sequence[ApiToken]: ...

    def token(self, token_id: int) -> ApiToken | None: ...

    def unit_load(self, unit_id: int) -> dict[str, int]: ...

    def move_unit_load(self, from_id: int, into_id: int) -> dict[str, int]: ...

    def is_below(self, unit_id: int, ancestor_id: int) -> bool: ...

    def add_unit(self, unit: Unit) -> None: ...

    def grids_of(self, user_id: int) -> list[str]: ...

    def set_grids(self, user_id: int, codes: Sequence[str]) -> None:
        """A grid worker's assigned grids become exactly `codes`."""
        ...


class GridFiles(Protocol):
    """Grid versions written inside the admin's transaction (gridgov.geo.services)."""

    def store(self, parsed: ParsedGrids, name: str, now: datetime, activate: bool) -> tuple[int, dict[int, int]]: ...

    def activate(self, version_id: int, now: datetime) -> int | None:
        """Make the version the active one; the one active before (None: none was)."""
        ...

    def name_of(self, version_id: int) -> str | None: ...


class AdminUnitOfWork(Transaction, Protocol):
    @property
    def users(self) -> UserRepository: ...

    @property
    def units(self) -> UnitRepository: ...

    @property
    def unit_admin(self) -> UnitAdminStore: ...

    @property
    def admin(self) -> AdminRepository: ...

    @property
    def grid_files(self) -> GridFiles: ...
