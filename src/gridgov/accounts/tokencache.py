"""A short-lived in-process memory of authenticated tokens."""

from __future__ import annotations

import threading
import time

from gridgov.actor import Actor


class TokenCache:
    """Remembers authenticated tokens for a few seconds, so a burst of requests costs one look-up.

    A revoked token stops working within `ttl` seconds (0 disables the cache).
    """

    def __init__(self, ttl: float, size: int = 10000) -> None:
        self.ttl, self.size = ttl, size
        self._items: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Actor | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            hit = self._items.get(token)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, token: str, actor: Actor) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[token] = (time.monotonic() + self.ttl, actor)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
