from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.categories.models import Category
from gridgov.categories.ports import CategoryRepository
from gridgov.refcache import NO_CACHE, ReferenceCache, detached


class SqlCategoryRepository:
    def __init__(self, session: Session, cache: ReferenceCache = NO_CACHE) -> None:
        self.session = session
        self.cache = cache

    def by_code(self, code: str) -> Category | None:
        return self.cache.get(
            ("category", code),
            lambda: detached(self.session, self.session.scalars(select(Category).where(Category.code == code)).first()),
        )


__all__ = ["CategoryRepository", "SqlCategoryRepository"]
