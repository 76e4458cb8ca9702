"""Intake benchmark: cases/s and p50/p99 latency of POST /api/v1/cases through a real HTTP server,
next to the rate at which the same database commits the same rows without HTTP, in one run.

    .venv/bin/python bench/intake.py                 # SQLite and PostgreSQL, 2,000 cases each
    .venv/bin/python bench/intake.py --backends sqlite --cases 500
    .venv/bin/python bench/intake.py --smoke         # 50 cases, 4 clients, one backend (see _common)

Three figures per backend:
  raw      — the same two rows per case (the case and its first hash-chained event), one transaction each,
             written with SQLAlchemy Core: the database's own commit rate for this shape of write
  service  — report_case() called in-process with the classification and duplicate hints done inline
             (as the CLI and tests do): validation, idempotency, proposal, duplicates, event chain; no HTTP
  http     — uvicorn serving gridgov in a separate process, a client with N concurrent connections; the
             server classifies and looks for duplicates after each commit in its background enricher
  enriched — cases/s counted until the last case also has its proposal and duplicate hints
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.accounts.domain import Actor, Role  # noqa: E402
from gridgov.audit.domain import GENESIS  # noqa: E402
from gridgov.cases.models import Case, CaseEvent  # noqa: E402
from gridgov.cases.services import CaseDraft, report_case  # noqa: E402

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, percentile, smoke_backend  # noqa: E402

BODY = {
    "title": "楼道里堆满杂物",
    "description": "三楼楼道堆放大量纸箱，堵塞消防通道",
    "source": "hotline",
    "category_code": "H1802",
    "reporter_name": "张伟",
    "reporter_phone": "13812341234",
}


def raw_rate(db: BenchDb, n: int) -> float:
    engine = db.container.engine
    now = datetime.now(UTC)
    start = time.perf_counter()
    for i in range(n):
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("SELECT 1")
            case_id = conn.execute(
                insert(Case).returning(Case.id),
                [
                    dict(
                        tracking_code=f"RAW-{i}",
                        title=BODY["title"],
                        description=BODY["description"],
                        source="hotline",
                        category_code="H1802",
                        urgency="normal",
                        grid_code=db.grid,
                        address="",
                        reporter_name="张伟",
                        reporter_phone="13812341234",
                        status="reported",
                        created_at=now,
                        updated_at=now,
                        alarm_level="none",
                        escalation_level=0,
                        rework_count=0,
                        return_count=0,
                        postponed=False,
                        event_count=1,
                        last_event_hash="f" * 64,
                        version=1,
                    )
                ],
            ).scalar_one()
            conn.execute(
                insert(CaseEvent),
                [
                    dict(
                        case_id=case_id,
                        seq=1,
                        event_type="case_reported",
                        tag="case:created",
                        action="report_case",
                        from_status=None,
                        to_status="reported",
                        actor_id=None,
                        actor_role="operator",
                        unit_id=None,
                        occurred_at=now,
                        payload={"source": "hotline"},
                        prev_hash=GENESIS,
                        hash=hashlib.sha256(str(i).encode()).hexdigest(),
                    )
                ],
            )
    return n / (time.perf_counter() - start)


def service_rate(db: BenchDb, n: int) -> float:
    actor = Actor(user_id=1, role=Role.OPERATOR, unit_id=None)
    draft = CaseDraft(grid_code=db.grid, **BODY)  # type: ignore[arg-type]
    start = time.perf_counter()
    c = db.container
    for _ in range(n):
        report_case(c.uow(), draft, actor, datetime.now(UTC), classifier=c.classifier, policy=c.policy)
    return n / (time.perf_counter() - start)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(server: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    """Until the server answers /healthz; a server that exits or never answers stops the benchmark."""
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read().decode()[-3000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def http_rate(db: BenchDb, n: int, concurrency: int) -> tuple[float, float, float, float]:
    with tempfile.TemporaryFile() as log:  # the server's stderr, shown if it fails
        return _http_rate(db, n, concurrency, log)


def _http_rate(db: BenchDb, n: int, concurrency: int, log: IO[bytes]) -> tuple[float, float, float, float]:
    port = _port()
    env = {**os.environ, "GRIDGOV_DATABASE_URL": db.url, "GRIDGOV_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gridgov.cli", "serve", "--port", str(port), "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(server, base, log)
        latencies: list[float] = []
        lock = threading.Lock()
        counter = iter(range(n))
        headers = {"Authorization": f"Bearer {db.token}"}
        errors: list[BaseException] = []

        def worker() -> None:
            # a plain keep-alive http.client connection: the client should cost the 2 shared CPUs little
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    payload = json.dumps({**BODY, "grid_code": db.grid}).encode()
                    t0 = time.perf_counter()
                    conn.request(
                        "POST",
                        "/api/v1/cases",
                        body=payload,
                        headers={**headers, "Content-Type": "application/json", "Idempotency-Key": f"b-{i}"},
                    )
                    resp = conn.getresponse()
                    text = resp.read()
                    dt = time.perf_counter() - t0
                    if resp.status != 201:
                        raise RuntimeError(text.decode())
                    with lock:
                        latencies.append(dt)
            except BaseException as exc:  # a failed request stops the benchmark, not only this thread
                errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        if errors:
            raise RuntimeError(f"{len(errors)} of {concurrency} clients failed") from errors[0]
        # the server classifies and looks for duplicates after each commit: wait until that is done too
        waited = 0.0
        while waited < 120:
            with db.container.engine.connect() as conn:
                pending = conn.execute(
                    text("SELECT count(*) FROM cases WHERE enriched_at IS NULL AND idempotency_key IS NOT NULL")
                ).scalar_one()
            if not pending:
                break
            time.sleep(0.05)
            waited = time.perf_counter() - start - elapsed
        enriched = time.perf_counter() - start
        return (
            len(latencies) / elapsed,
            percentile(latencies, 50) * 1000,
            percentile(latencies, 99) * 1000,
            len(latencies) / enriched,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    add_smoke(ap)
    args = ap.parse_args()
    admin = PG_ADMIN
    if args.smoke:
        smoke_kind, admin = smoke_backend()
        apply_smoke(ap, args, cases=50, concurrency=4, backends=smoke_kind)
    rows = []
    for kind in args.backends.split(","):
        with fresh_db(kind, admin=admin) as db:
            raw = raw_rate(db, args.cases)
            svc = service_rate(db, args.cases)
            rate, p50, p99, enriched = http_rate(db, args.cases, args.concurrency)
            rows.append((kind, raw, svc, rate, p50, p99, enriched))
    print(
        f"intake benchmark: {args.cases} cases per measurement, {args.concurrency} concurrent HTTP clients, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'backend':<11}{'raw rows/s':>12}{'service/s':>12}{'HTTP cases/s':>14}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'HTTP/raw':>10}{'enriched/s':>12}"
    )
    for kind, raw, svc, rate, p50, p99, enriched in rows:
        print(
            f"{kind:<11}{raw:>12.0f}{svc:>12.0f}{rate:>14.0f}{p50:>9.1f}{p99:>9.1f}{rate / raw:>10.0%}{enriched:>12.0f}"
        )


if __name__ == "__main__":
    main()
