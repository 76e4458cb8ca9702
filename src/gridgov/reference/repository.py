"""The SQL side of loading reference data: bulk inserts in the unit of work's session (reference.loader)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.grids.models import GridVersion
from gridgov.grids.tree import GridNode
from gridgov.reference import loader


class SqlReferenceStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def has_grid_version(self, name: str) -> bool:
        return self.session.scalars(select(GridVersion.id).where(GridVersion.name == name)).first() is not None

    def load_categories(self) -> int:
        return loader.load_categories(self.session)

    def load_tree(
        self, nodes: list[GridNode], name: str, source: str, now: datetime, shapes: Mapping[str, Any] | None
    ) -> int:
        return loader.load_tree(self.session, nodes, name, source, now, shapes)

    def load_units(self, nodes: list[GridNode], city_code: str, city_name: str) -> int:
        return loader.load_units(self.session, nodes, city_code, city_name)

    def load_rules(self, city_code: str) -> int:
        return loader.load_rules(self.session, city_code)

    def load_grid_workers(self, nodes: Iterable[GridNode], now: datetime) -> int:
        return loader.load_grid_workers(self.session, nodes, now)

    def load_organisations(self, nodes: Iterable[GridNode]) -> int:
        return loader.load_organisations(self.session, nodes)
