"""The deadline scheduler: calls scan_overdue every interval until stopped."""

from __future__ import annotations

import threading

from gridgov.bootstrap import Container
from gridgov.cases.services import scan_overdue
from gridgov.logging import get_logger

log = get_logger(__name__)


class DeadlineScheduler:
    def __init__(self, container: Container) -> None:
        self.container = container
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        interval = self.container.settings.escalation_interval_seconds
        if interval <= 0:
            return
        self._thread = threading.Thread(target=self._loop, args=(interval,), name="deadline-scheduler", daemon=True)
        self._thread.start()

    def _loop(self, interval: int) -> None:
        while not self._stop.wait(interval):
            self.run_once()

    def run_once(self) -> None:
        c = self.container
        try:
            scan_overdue(c.uow_factory, c.clock.now(), c.calendar, c.policy, c.settings.escalation_batch_size)
        except Exception:  # an entry point: log and keep the loop alive
            log.exception("deadline_scan_failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
