"""Token buckets for request limits (kernel)."""

from __future__ import annotations

import threading
import time


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
