"""Request limits (kernel): the ports for token buckets and stream leases, and their in-memory adapters.

The in-memory adapters hold for one process only; `gridgov.jobs.shared` keeps the same state in the database
(the default store, `GRIDGOV_SHARED_STATE=database`), so that it holds across processes and machines."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Protocol


class Limiter(Protocol):
    """`per_minute` requests a minute per key (`rate` is per second), with bursts up to `burst`."""

    rate: float
    burst: int

    def allow(self, key: str) -> bool: ...


class StreamLeases(Protocol):
    """At most `cap` live streams per owner; a lease lapses after `ttl` seconds unless released first."""

    def acquire(self, owner: str, cap: int, ttl: float) -> str | None: ...

    def release(self, lease: str) -> None: ...


class RateLimiter:
    """Token buckets in memory: `per_minute` requests a minute per key, with bursts up to `burst`."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate, self.burst = per_minute / 60.0, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            return True


class MemoryStreamLeases:
    """Stream leases in memory (one process)."""

    def __init__(self) -> None:
        self._leases: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, owner: str, cap: int, ttl: float) -> str | None:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (_, until) in self._leases.items() if until < now]:
                del self._leases[key]
            if sum(1 for o, _ in self._leases.values() if o == owner) >= cap:
                return None
            lease = secrets.token_hex(16)
            self._leases[lease] = (owner, now + ttl)
            return lease

    def release(self, lease: str) -> None:
        with self._lock:
            self._leases.pop(lease, None)
