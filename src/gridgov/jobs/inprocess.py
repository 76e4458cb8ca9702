"""The embedded adapter (SQLite, and `GRIDGOV_JOB_QUEUE=inprocess`): jobs go to handlers in this process
after the commit. Nothing is kept if the process dies; the periodic sweep finds what was left (a case
without its proposal), as it always has."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from gridgov.jobs.ports import Job
from gridgov.logging import get_logger

log = get_logger(__name__)

Handler = Callable[[dict[str, Any]], None]


class InProcessQueue:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def register(self, task: str, handler: Handler) -> None:
        with self._lock:
            self._handlers[task] = handler

    def unregister(self, task: str) -> None:
        with self._lock:
            self._handlers.pop(task, None)

    def write(self, connection: Any, jobs: Sequence[Job]) -> None:
        return None  # nothing durable: the commit itself is what the sweep looks at

    def committed(self, jobs: Sequence[Job]) -> None:
        for job in jobs:
            with self._lock:
                handler = self._handlers.get(job.task)
            if handler is None:
                continue  # no thread for it here (a CLI process): the sweep picks the work up
            try:
                handler(job.args)
            except Exception:  # the change is committed; a failed hand-off is the sweep's to repair
                log.exception("job_handoff_failed", task=job.task)
