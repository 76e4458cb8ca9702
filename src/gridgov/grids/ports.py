"""What grid look-ups need from storage."""

from __future__ import annotations

from typing import Protocol

from gridgov.grids.models import Grid, GridVersion


class GridRepository(Protocol):
    def active_version(self) -> GridVersion | None: ...
    def by_code(self, code: str, version_id: int) -> Grid | None: ...
