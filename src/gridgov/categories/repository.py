from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.categories.models import Category


class CategoryRepository(Protocol):
    def by_code(self, code: str) -> Category | None: ...


class SqlCategoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_code(self, code: str) -> Category | None:
        return self.session.scalars(select(Category).where(Category.code == code)).first()
