"""What loading the reference data needs from storage (the SQL adapter is reference.repository)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from gridgov.grids.tree import GridNode
from gridgov.transaction import Transaction


class ReferenceStore(Protocol):
    def has_grid_version(self, name: str) -> bool: ...
    def load_categories(self) -> int: ...
    def load_tree(
        self, nodes: list[GridNode], name: str, source: str, now: datetime, shapes: Mapping[str, Any] | None
    ) -> int: ...
    def load_units(self, nodes: list[GridNode], city_code: str, city_name: str) -> int: ...
    def load_rules(self, city_code: str) -> int: ...
    def load_grid_workers(self, nodes: Iterable[GridNode], now: datetime) -> int: ...
    def load_organisations(self, nodes: Iterable[GridNode]) -> int: ...


class ReferenceUnitOfWork(Transaction, Protocol):
    @property
    def reference(self) -> ReferenceStore: ...
