"""The job queue port: a unit of work collects jobs while it runs and hands them to the queue at commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# task names: the job rows and the worker's registry agree on these
ENRICH_CASE = "gridgov.enrich_case"
SCAN_DEADLINES = "gridgov.scan_deadlines"
AUDIT_CHECKPOINT = "gridgov.audit_checkpoint"


@dataclass(frozen=True, slots=True)
class Job:
    task: str
    args: dict[str, Any] = field(default_factory=dict)
    queue: str = "default"
    lock: str | None = None  # jobs sharing a lock never run at the same time
    queueing_lock: str | None = None  # at most one such job waiting in the queue


class JobQueue(Protocol):
    """Where a unit of work's jobs go.

    `write` runs inside the transaction, just before its commit, on the transaction's own DB-API connection:
    a job written there commits or rolls back with the change that caused it. `committed` runs after the
    commit (an in-process queue hands its jobs to a thread there; a database queue has nothing left to do)."""

    def write(self, connection: Any, jobs: Sequence[Job]) -> None: ...

    def committed(self, jobs: Sequence[Job]) -> None: ...


class NullQueue:
    """Drops every job (the CLI, scripts): what a job would have done is picked up by the periodic sweeps."""

    def write(self, connection: Any, jobs: Sequence[Job]) -> None:
        return None

    def committed(self, jobs: Sequence[Job]) -> None:
        return None


NULL_QUEUE = NullQueue()
