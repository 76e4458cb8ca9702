"""Jobs across processes on procrastinate (issue 13), on a fresh PostgreSQL database:

- a periodic job runs exactly once per period with three workers (`gridgov worker` ×3, each deferring the
  period's job; procrastinate's table of periodic defers lets one of them succeed);
- a job written by a unit of work commits with it, and one whose transaction rolls back does not exist;
- a NOTIFY for a case event reaches the listener of every process (the payload is the event's id).

Skipped without PostgreSQL (GRIDGOV_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TEST_URL = os.environ.get("GRIDGOV_TEST_DATABASE_URL", "")
if not TEST_URL.startswith("postgresql"):
    pytest.skip("needs PostgreSQL (GRIDGOV_TEST_DATABASE_URL)", allow_module_level=True)


@pytest.fixture
def fresh_url() -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    from gridgov import migrate

    name = f"gg_jobs_{os.getpid()}_{int(time.time() * 1000)}"
    admin = make_url(TEST_URL).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(TEST_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


PERIODIC_WORKER = """
import sys, time
from gridgov.jobs.pgqueue import Periodic, make_app, register, run_worker_blocking
import psycopg

url = sys.argv[1]
conninfo = url.replace("postgresql+psycopg://", "postgresql://")

def tick(timestamp: int) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("INSERT INTO ticks (at, pid) VALUES (%s, %s)", (timestamp, __import__("os").getpid()))

app = make_app(url)
register(app, {}, [Periodic("test.tick", 1, tick)])
run_worker_blocking(app, concurrency=2, name=sys.argv[2])
"""


@pytest.mark.slow
def test_a_periodic_job_runs_once_per_period_with_three_workers(fresh_url: str, tmp_path: Path) -> None:
    import psycopg

    conninfo = fresh_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE ticks (at bigint NOT NULL, pid int NOT NULL)")
    script = tmp_path / "tick_worker.py"
    script.write_text(PERIODIC_WORKER)
    logs = [(tmp_path / f"w{i}.log").open("wb") for i in range(3)]
    workers = [
        subprocess.Popen([sys.executable, str(script), fresh_url, f"w{i}"], stdout=logs[i], stderr=subprocess.STDOUT)
        for i in range(3)
    ]
    try:
        time.sleep(12)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
        for f in logs:
            f.close()
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT at, pid FROM ticks ORDER BY at").fetchall()
        defers = conn.execute(
            "SELECT task_name, defer_timestamp, count(*) FROM procrastinate_periodic_defers"
            " GROUP BY task_name, periodic_id, defer_timestamp HAVING count(*) > 1"
        ).fetchall()
    logs_text = "\n".join((tmp_path / f"w{i}.log").read_text()[-1500:] for i in range(3))
    assert len(rows) >= 6, logs_text  # a tick a second for about ten seconds, once the workers are up
    periods = [at for at, _ in rows]
    assert len(periods) == len(set(periods)), rows  # each period ran once, never twice
    assert defers == []


def test_a_job_commits_with_its_transaction_and_not_without(fresh_url: str) -> None:
    import psycopg

    from gridgov.config import Settings
    from gridgov.db import make_engine, make_sessionmaker
    from gridgov.jobs.pgqueue import ProcrastinateQueue, make_app
    from gridgov.uow import SqlUnitOfWork

    engine = make_engine(Settings(database_url=fresh_url))
    queue = ProcrastinateQueue(make_app(fresh_url))
    try:
        uow = SqlUnitOfWork(make_sessionmaker(engine), jobs=queue)
        with uow:
            uow.enqueue("test.kept", n=1)
            uow.commit()
        with uow:
            uow.enqueue("test.lost", n=2)  # never committed
        with uow:
            uow.enqueue("test.lost", n=3)
            uow.rollback()
            uow.commit()  # nothing left to write
    finally:
        engine.dispose()
    conninfo = fresh_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        jobs = conn.execute("SELECT task_name, args FROM procrastinate_jobs ORDER BY id").fetchall()
    assert jobs == [("test.kept", {"n": 1})]


def test_every_process_hears_a_case_event(fresh_url: str) -> None:
    from gridgov.jobs.notify import EVENTS, Listener
    from gridgov.jobs.pgqueue import conninfo

    heard: list[list[str | None]] = [[], []]
    done = [threading.Event(), threading.Event()]
    listeners = [Listener(conninfo(fresh_url)) for _ in range(2)]
    for i, listener in enumerate(listeners):
        listener.subscribe(EVENTS, lambda payload, i=i: (heard[i].append(payload), done[i].set()))
        listener.start()
    try:
        for listener in listeners:
            assert listener.ready.wait(10)
        import psycopg

        with psycopg.connect(conninfo(fresh_url), autocommit=True) as conn:
            conn.execute("SELECT pg_notify('gridgov_events', '42')")
        for d in done:
            assert d.wait(10)
    finally:
        for listener in listeners:
            listener.stop()
    assert heard == [["42"], ["42"]]
