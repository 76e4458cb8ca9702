from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.grids.models import Grid, GridVersion
from gridgov.grids.ports import GridRepository
from gridgov.refcache import NO_CACHE, ReferenceCache, detached


class SqlGridRepository:
    def __init__(self, session: Session, cache: ReferenceCache = NO_CACHE) -> None:
        self.session = session
        self.cache = cache

    def active_version(self) -> GridVersion | None:
        return self.cache.get(
            ("grid-version",),
            lambda: detached(
                self.session, self.session.scalars(select(GridVersion).where(GridVersion.active.is_(True))).first()
            ),
        )

    def by_code(self, code: str, version_id: int) -> Grid | None:
        stmt = select(Grid).where(Grid.version_id == version_id, Grid.code == code)
        return self.cache.get(
            ("grid", version_id, code), lambda: detached(self.session, self.session.scalars(stmt).first())
        )


__all__ = ["GridRepository", "SqlGridRepository"]
