"""The PostgreSQL adapter on procrastinate (https://procrastinate.readthedocs.io).

A web process only writes jobs: `write` calls procrastinate's defer on the unit of work's own psycopg
connection, so the job row commits or rolls back with the case that caused it (procrastinate's schema sends
its own NOTIFY when a job row is inserted; the worker wakes on it). `gridgov worker` runs
`run_worker(...)` with the task bodies `gridgov.worker` binds to the task names of `gridgov.jobs.ports`.

Periodic jobs use procrastinate's periodic deferrer: every worker tries to defer the job of each period, and
procrastinate's table of periodic defers (unique per task, periodic id and period) lets exactly one of them
succeed; the job's `lock` keeps two runs from overlapping and its `queueing_lock` from piling up.
Working-day deadlines are never long-delay jobs: they stay on the case (`next_alarm_at`) and the periodic
scan sweeps them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import jobs as pjobs

from gridgov.jobs.ports import Job


def conninfo(database_url: str) -> str:
    """libpq's form of a SQLAlchemy URL (postgresql+psycopg://… → postgresql://…)."""
    scheme, rest = database_url.split("://", 1)
    if not scheme.startswith("postgres"):
        raise ValueError("the procrastinate queue needs a PostgreSQL database")
    return "postgresql://" + rest


def make_app(database_url: str) -> procrastinate.App:
    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))


class ProcrastinateQueue:
    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    def write(self, connection: Any, jobs: Sequence[Job]) -> None:
        if not jobs:
            return
        self.app.job_manager.batch_defer_jobs(
            [
                pjobs.Job(
                    id=None,
                    queue=j.queue,
                    lock=j.lock,
                    queueing_lock=j.queueing_lock,
                    task_name=j.task,
                    task_kwargs=dict(j.args),
                )
                for j in jobs
            ],
            connection=connection,
        )

    def committed(self, jobs: Sequence[Job]) -> None:
        return None  # the rows are in; the worker was woken by procrastinate's own NOTIFY


def cron_for(seconds: int) -> str:
    """A cron line (procrastinate takes a sixth field for seconds) firing every `seconds`, aligned on the clock:
    every s seconds for divisors of 60, every m minutes for divisors of 60 minutes, every h hours for divisors
    of 24 hours; anything else rounds to the nearest of those."""
    if seconds <= 0:
        raise ValueError("a period must be positive")
    if seconds < 60:
        s = min((d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)), key=lambda d: abs(d - seconds))
        return f"* * * * * */{s}"
    if seconds < 3600:
        m = min((d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)), key=lambda d: abs(d * 60 - seconds))
        return f"*/{m} * * * *"
    h = min((d for d in (1, 2, 3, 4, 6, 8, 12, 24)), key=lambda d: abs(d * 3600 - seconds))
    return "0 0 * * *" if h == 24 else f"0 */{h} * * *"


RETRY_STALLED = "gridgov.retry_stalled_jobs"
STALLED_SECONDS = 20  # procrastinate's workers beat every 10 s


@dataclass(frozen=True, slots=True)
class Periodic:
    task: str
    seconds: int
    body: Callable[[int], None]  # takes the period's timestamp


def register(
    app: procrastinate.App,
    tasks: Mapping[str, Callable[..., None]],
    periodic: Sequence[Periodic] = (),
) -> None:
    """Bind task bodies to their names on `app`: ordinary tasks take the job's keyword arguments; a periodic task
    runs its body once per period (the period's timestamp is procrastinate's to keep)."""
    for name, body in tasks.items():
        app.task(name=name, retry=procrastinate.RetryStrategy(max_attempts=5, wait=2))(body)
    for p in periodic:

        def run(timestamp: int, body: Callable[[int], None] = p.body) -> None:
            body(timestamp)  # the period's start (Unix seconds): the same for whichever worker deferred it

        task = app.task(name=p.task, lock=p.task, queueing_lock=p.task)(run)
        app.periodic(cron=cron_for(p.seconds), periodic_id=p.task)(task)

    async def retry_stalled(timestamp: int) -> None:
        """Jobs whose worker stopped sending heartbeats (killed) go back to the queue; a stalled periodic job
        would otherwise hold its lock for ever."""
        for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
            await app.job_manager.retry_job(job)

    stalled = app.task(name=RETRY_STALLED, queueing_lock=RETRY_STALLED)(retry_stalled)
    app.periodic(cron=cron_for(STALLED_SECONDS // 2), periodic_id=RETRY_STALLED)(stalled)


async def run_worker(app: procrastinate.App, *, concurrency: int = 2, name: str = "gridgov-worker") -> None:
    """Runs until cancelled (SIGINT/SIGTERM stop it gracefully: the job in hand finishes first)."""
    async with app.open_async():
        await app.run_worker_async(
            concurrency=concurrency, name=name, install_signal_handlers=True, delete_jobs="successful"
        )


def run_worker_blocking(app: procrastinate.App, *, concurrency: int = 2, name: str = "gridgov-worker") -> None:
    asyncio.run(run_worker(app, concurrency=concurrency, name=name))


def apply_schema(connection: Any) -> None:
    """procrastinate's schema (tables, types, functions, its NOTIFY triggers) on a DB-API connection."""
    from procrastinate.schema import SchemaManager

    with connection.cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())
