"""The job queue port and the shared-state adapters, without a server: cron lines for periods, the in-process
queue's hand-off after commit, a job that commits only with its unit of work (the fake), token buckets and
stream leases (in memory, and the SQL adapters on a SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from gridgov.jobs.inprocess import InProcessQueue
from gridgov.jobs.pgqueue import cron_for
from gridgov.jobs.ports import ENRICH_CASE, ENRICH_CASES, Job, merged
from gridgov.jobs.shared import SqlRateLimiter, SqlStreamLeases, metadata
from gridgov.ratelimit import MemoryStreamLeases, RateLimiter

from fakes import FakeUnitOfWork


@pytest.mark.parametrize(
    ("seconds", "cron"),
    [
        (1, "* * * * * */1"),
        (2, "* * * * * */2"),
        (10, "* * * * * */10"),
        (60, "*/1 * * * *"),
        (300, "*/5 * * * *"),
        (3600, "0 */1 * * *"),
        (86400, "0 0 * * *"),
    ],
)
def test_a_period_becomes_a_clock_aligned_cron_line(seconds: int, cron: str) -> None:
    assert cron_for(seconds) == cron


def test_the_in_process_queue_hands_jobs_over_after_commit_only_to_a_registered_handler() -> None:
    queue = InProcessQueue()
    got: list[dict[str, object]] = []
    queue.write(None, [Job(ENRICH_CASE, {"case_id": 1})])
    assert got == []
    queue.committed([Job("nobody.listens", {}), Job(ENRICH_CASE, {"case_id": 1})])  # the first is dropped
    queue.register(ENRICH_CASE, got.append)
    queue.committed([Job(ENRICH_CASE, {"case_id": 2})])
    assert got == [{"case_id": 2}]


def test_a_job_exists_only_if_its_unit_of_work_commits() -> None:
    uow = FakeUnitOfWork()
    with uow:
        uow.enqueue(ENRICH_CASE, case_id=1)
        uow.commit()
    with uow:
        uow.enqueue(ENRICH_CASE, case_id=2)  # left without a commit
    with uow:
        uow.enqueue(ENRICH_CASE, case_id=3)
        uow.rollback()
        uow.commit()
    assert uow.db.jobs == [(ENRICH_CASE, {"case_id": 1})]


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    metadata.create_all(engine)
    return engine


def test_token_buckets_in_memory_and_in_the_table_agree(tmp_path: Path) -> None:
    clock = [1000.0]
    engine = _engine(tmp_path)
    table = SqlRateLimiter(engine, per_minute=60, burst=3, now=lambda: clock[0])
    other = SqlRateLimiter(engine, per_minute=60, burst=3, now=lambda: clock[0])  # a second process
    memory = RateLimiter(per_minute=60, burst=3)
    assert [memory.allow("k") for _ in range(4)] == [True, True, True, False]
    assert [(table, other)[i % 2].allow("k") for i in range(4)] == [True, True, True, False]
    assert table.allow("someone-else")
    clock[0] += 1.0  # one token a second
    assert other.allow("k") and not table.allow("k")
    engine.dispose()


@pytest.mark.parametrize("kind", ["memory", "table"])
def test_stream_leases_cap_an_owner_and_lapse(kind: str, tmp_path: Path) -> None:
    clock = [1000.0]
    engine = _engine(tmp_path)
    leases = MemoryStreamLeases() if kind == "memory" else SqlStreamLeases(engine, now=lambda: clock[0])
    held = [leases.acquire("user:1", 2, 60) for _ in range(3)]
    assert held[0] and held[1] and held[2] is None
    assert leases.acquire("user:2", 2, 60) is not None
    leases.release(held[0])  # type: ignore[arg-type]
    assert leases.acquire("user:1", 2, 60) is not None
    if kind == "table":
        clock[0] += 61  # a process died holding its leases: they lapse
        assert leases.acquire("user:1", 2, 60) is not None
    engine.dispose()


def test_a_transactions_batched_jobs_become_one_and_the_others_stay_as_they_are() -> None:
    jobs = [
        Job(ENRICH_CASES, {"case_ids": [3]}),
        Job("gridgov.other", {"n": 1}),
        Job(ENRICH_CASES, {"case_ids": [1, 2]}),
        Job(ENRICH_CASES, {"case_ids": [9]}, queue="elsewhere"),  # another queue: a job of its own
        Job("gridgov.other", {"n": 2}),
    ]
    assert merged(jobs) == [
        Job(ENRICH_CASES, {"case_ids": [3, 1, 2]}),
        Job("gridgov.other", {"n": 1}),
        Job(ENRICH_CASES, {"case_ids": [9]}, queue="elsewhere"),
        Job("gridgov.other", {"n": 2}),
    ]
    assert jobs[0].args == {"case_ids": [3]}  # the jobs handed in are left as they were
    assert merged([]) == []
