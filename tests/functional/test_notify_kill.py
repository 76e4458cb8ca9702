"""Nothing lost, nothing doubled: a worker delivering 5,000 messages to the local SMS gateway is killed (SIGKILL)
twice and started again; every message is delivered and the gateway is sent no idempotency key twice (a message
cut off mid-delivery is looked up at the gateway by its key before anything is sent again)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from notify_servers import SmsGateway, seed_messages, worker_env

from conftest import World

pytestmark = pytest.mark.slow

N = 5000
WORKER = [sys.executable, "-c", "from gridgov.cli import main; main()", "notify", "worker", "--idle-exit", "6"]


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(WORKER, env=env, stdout=subprocess.DEVNULL, stderr=err)


def wait_for(gateway: SmsGateway, count: int, proc: subprocess.Popen[bytes], log: Path, limit: float = 40) -> None:
    end = time.monotonic() + limit
    while len(gateway.accepted) < count:
        assert proc.poll() is None, f"the worker stopped early: {log.read_text()[-2000:]}"
        assert time.monotonic() < end, f"only {len(gateway.accepted)} accepted"
        time.sleep(0.02)


def test_killed_twice_the_worker_delivers_all_and_sends_no_key_twice(clean: World, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    engine = clean.container.engine
    keys = seed_messages(engine, N, datetime.now(UTC) - timedelta(minutes=1))
    with SmsGateway() as gw:
        env = worker_env(gw, clean.container.settings.database_url, GRIDGOV_NOTIFY_LEASE_SECONDS="3",
                         GRIDGOV_NOTIFY_BATCH="100")  # fmt: skip
        kills = 0
        for threshold in (N // 5, N // 2):
            # the gateway keeps back its answer to the threshold's message: the kill finds a delivery in hand,
            # never the moment between two batches
            gw.hold(threshold)
            proc = start(env, log)
            wait_for(gw, threshold, proc, log)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            gw.release()
            kills += 1
        proc = start(env, log)
        try:
            assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
        assert kills == 2
        assert sorted(gw.accepted) == sorted(keys)  # every message reached the gateway
        assert gw.duplicates() == {}  # and none was sent twice
        assert len(gw.sends) == N
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM notify_messages GROUP BY status")).all())
        retaken = conn.execute(text("SELECT count(*) FROM notify_messages WHERE attempts > 1")).scalar_one()
    assert statuses == {"sent": N}
    # the messages in hand at each kill were taken again after their lease, and settled by a lookup, not resent
    assert retaken > 0 and len(gw.lookups) >= retaken
