"""A small in-process cache for reference rows (categories, the active grid version, grids).

Reference data changes rarely and through gridgov's own commands; intake reads it on every case.
Entries live `ttl` seconds, so an edit made by another process is seen within that time (0 disables).
Cached rows are detached ORM objects: read them, never modify them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class ReferenceCache:
    def __init__(self, ttl: float, size: int = 50000) -> None:
        self.ttl, self.size = ttl, size
        self._items: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T | None]) -> T | None:
        if self.ttl <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[return-value]
        value = load()
        if value is not None:
            with self._lock:
                if len(self._items) >= self.size:
                    self._items.clear()
                self._items[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


NO_CACHE = ReferenceCache(0)


def detached(session: Session, row: T | None) -> T | None:
    """The row taken out of its session, so that a later rollback there cannot expire the cached copy."""
    if row is not None:
        session.expunge(row)
    return row
