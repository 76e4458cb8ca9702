from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.grids.models import Grid, GridVersion


class GridRepository(Protocol):
    def active_version(self) -> GridVersion | None: ...
    def by_code(self, code: str, version_id: int) -> Grid | None: ...


class SqlGridRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_version(self) -> GridVersion | None:
        return self.session.scalars(select(GridVersion).where(GridVersion.active.is_(True))).first()

    def by_code(self, code: str, version_id: int) -> Grid | None:
        return self.session.scalars(select(Grid).where(Grid.version_id == version_id, Grid.code == code)).first()
