"""What category look-ups need from storage."""

from __future__ import annotations

from typing import Protocol

from gridgov.categories.models import Category


class CategoryRepository(Protocol):
    def by_code(self, code: str) -> Category | None: ...
