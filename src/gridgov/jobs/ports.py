"""The job queue port: a unit of work collects jobs while it runs and hands them to the queue at commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# task names: the job rows and the worker's registry agree on these
ENRICH_CASES = "gridgov.enrich_cases"  # case_ids: one job for every case a transaction reported
ENRICH_CASE = "gridgov.enrich_case"  # case_id: jobs queued before ENRICH_CASES (still run by the worker)
SCAN_DEADLINES = "gridgov.scan_deadlines"
AUDIT_CHECKPOINT = "gridgov.audit_checkpoint"


@dataclass(frozen=True, slots=True)
class Job:
    task: str
    args: dict[str, Any] = field(default_factory=dict)
    queue: str = "default"
    lock: str | None = None  # jobs sharing a lock never run at the same time
    queueing_lock: str | None = None  # at most one such job waiting in the queue


# tasks whose jobs a transaction writes as one: the list argument named here concatenated, in order. A group
# commit of 16 reported cases then leaves one enrichment job, not 16 (each a row, a fetch and a finish)
BATCHED: dict[str, str] = {ENRICH_CASES: "case_ids"}


def merged(jobs: Sequence[Job]) -> list[Job]:
    """The jobs with those of each BATCHED task (same queue and locks) folded into the first of them."""
    out: list[Job] = []
    firsts: dict[tuple[str, str, str | None, str | None], int] = {}
    for job in jobs:
        arg = BATCHED.get(job.task)
        if arg is None:
            out.append(job)
            continue
        key = (job.task, job.queue, job.lock, job.queueing_lock)
        at = firsts.get(key)
        if at is None:
            firsts[key] = len(out)
            out.append(Job(job.task, {**job.args, arg: list(job.args[arg])}, job.queue, job.lock, job.queueing_lock))
        else:
            out[at].args[arg].extend(job.args[arg])
    return out


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
