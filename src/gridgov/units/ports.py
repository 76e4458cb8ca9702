"""What unit services need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gridgov.transaction import Transaction
from gridgov.units.models import ResponsibilityRule, Unit


class UnitRepository(Protocol):
    def get(self, unit_id: int) -> Unit | None: ...
    def by_code(self, code: str) -> Unit | None: ...
    def by_area(self, grid_code: str, kind: str) -> Unit | None: ...
    def rules_for(
        self, category_prefixes: Sequence[str], grid_prefixes: Sequence[str]
    ) -> Sequence[ResponsibilityRule]: ...
    def assigned_grid_codes(self, user_id: int) -> Sequence[str]: ...


class UnitsUnitOfWork(Transaction, Protocol):
    @property
    def units(self) -> UnitRepository: ...
