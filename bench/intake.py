"""Intake benchmark: cases/s and p50/p99 latency of POST /api/v1/cases through a real HTTP server,
next to the rate at which the same database commits the same rows without HTTP, in one run.

    .venv/bin/python bench/intake.py                 # SQLite and PostgreSQL, 2,000 cases each
    .venv/bin/python bench/intake.py --backends sqlite --cases 500
    .venv/bin/python bench/intake.py --smoke         # 50 cases, 4 clients, one backend (see _common)
    .venv/bin/python bench/intake.py --backends postgresql --profile /path/to/py-spy
                                                     # only 1 worker direct, sampled: where the time goes
    .venv/bin/python bench/intake.py --backends postgresql --cases 800 --one
                                                     # only 1 worker direct (quick A/B of two trees)

Figures per backend:
  raw      — the same two rows per case (the case and its first hash-chained event), one transaction each,
             written with SQLAlchemy Core: the database's own single-row commit rate for this shape of write
  service  — report_case() called in-process with the classification and duplicate hints done inline
             (as the CLI and tests do): validation, idempotency, proposal, duplicates, event chain; no HTTP
  http     — `gridgov serve` in separate processes, a client with N concurrent keep-alive connections on the
             same machine; intake commits concurrent requests together (gridgov.groupcommit). On PostgreSQL the
             enrichment jobs go to procrastinate and one `gridgov worker` runs them meanwhile; on SQLite the
             server's own enricher does
  enriched — cases/s counted until the last case also has its proposal and duplicate hints

On PostgreSQL the same client also drives three floors (bench/_floor_app.py, one uvicorn process, no gridgov):
a bare ASGI answer, FastAPI with a pydantic model, and FastAPI committing one row per request, with the
machine's CPU per request: the most this machine, this client and this stack allow before gridgov does
anything, so that the goal can be read against them.

On PostgreSQL (not in --smoke) the HTTP figures are taken four ways in the same run: 1 and 2 web workers
(`gridgov serve --workers N`), each directly and through nginx on loopback, with the resident memory (VmRSS)
of every process: the web workers, uvicorn's supervisor, the worker, nginx, and the web processes' CPU time per
case (user + system, /proc/PID/stat), which the other load on a shared machine moves far less than the rates.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
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
    deadline = time.time() + 180
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
    raise RuntimeError("the server did not answer /healthz within 180 s")


NGINX = "/usr/sbin/nginx"
PROFILE_OUT = os.path.join(tempfile.gettempdir(), "gridgov-intake-profile.txt")
NGINX_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream gridgov {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://gridgov;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat), 0 where it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle (all CPUs, /proc/stat), for the split of a run's CPU."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _postgres_seconds() -> float:
    """CPU seconds of every PostgreSQL server process on this machine so far (its backends included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if comm == "postgres" or comm.startswith("postgres:"):
                total += _cpu_seconds(int(entry.name))
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _start(args: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


class _Load:
    """`concurrency` threads, each on one plain keep-alive http.client connection (the client should cost the 2
    shared CPUs little), POST n intakes between them, each with its own Idempotency-Key, and time each."""

    def __init__(self, port: int, n: int, concurrency: int, tag: str, token: str, grid: str) -> None:
        self.port, self.tag, self.grid, self.concurrency = port, tag, grid, concurrency
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.counter = iter(range(n))
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[BaseException] = []

    def _client(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            while True:
                with self.lock:
                    i = next(self.counter, None)
                if i is None:
                    return
                payload = json.dumps({**BODY, "grid_code": self.grid}).encode()
                t0 = time.perf_counter()
                headers = {**self.headers, "Idempotency-Key": f"{self.tag}-{i}"}
                conn.request("POST", "/api/v1/cases", body=payload, headers=headers)
                resp = conn.getresponse()
                text = resp.read()
                dt = time.perf_counter() - t0
                if resp.status != 201:
                    raise RuntimeError(text.decode())
                with self.lock:
                    self.latencies.append(dt)
        except BaseException as exc:  # a failed request stops the benchmark, not only this thread
            self.errors.append(exc)
        finally:
            conn.close()

    def run(self) -> None:
        threads = [threading.Thread(target=self._client) for _ in range(self.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def check(self) -> None:
        if self.errors:
            raise RuntimeError(f"{len(self.errors)} of {self.concurrency} clients failed") from self.errors[0]


FLOORS = (
    ("bare", "bare ASGI: read, decode, answer 201"),
    ("fastapi", "FastAPI + pydantic, sync endpoint"),
    ("commit", "FastAPI + one row committed per request"),
)


def floor_rate(db: BenchDb, kind: str, n: int, concurrency: int) -> tuple[float, float, float, float]:
    """One floor of bench/_floor_app.py under uvicorn (httptools, as gridgov serve), driven by the same client:
    (requests/s, p50 ms, p99 ms, machine CPU ms per request)."""
    port = _port()
    env = {**os.environ, "GRIDGOV_FLOOR": kind, "PYTHONPATH": str(Path(__file__).resolve().parent)}
    if kind == "commit":
        with db.container.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, k text UNIQUE NOT NULL, "
                "title text, body text, at timestamptz NOT NULL DEFAULT now())"
            )
        env["GRIDGOV_FLOOR_DB"] = db.url.replace("postgresql+psycopg://", "postgresql://")
    cmd = [sys.executable, "-m", "uvicorn", "_floor_app:app", "--port", str(port), "--log-level", "warning"]
    with tempfile.TemporaryFile() as log:
        proc = _start(cmd, env, log)
        try:
            _wait_healthy(proc, f"http://127.0.0.1:{port}", log)
            load = _Load(port, n, concurrency, f"floor-{kind}", "none", db.grid)
            machine_before = _machine_busy_seconds()
            start = time.perf_counter()
            load.run()
            elapsed = time.perf_counter() - start
            load.check()
            done = max(len(load.latencies), 1)
            machine_ms = (_machine_busy_seconds() - machine_before) * 1000 / done
            lat = load.latencies
            return len(lat) / elapsed, percentile(lat, 50) * 1000, percentile(lat, 99) * 1000, machine_ms
        finally:
            _stop(proc)


def http_rate(
    db: BenchDb,
    n: int,
    concurrency: int,
    workers: int = 1,
    nginx: bool = False,
    tag: str = "b",
    profile: str | None = None,
) -> tuple[float, float, float, float, str, str]:
    with tempfile.TemporaryFile() as log:  # the servers' stderr, shown if one fails
        return _http_rate(db, n, concurrency, log, workers, nginx, tag, profile)


# where one intake's time goes: the frames that name each part, looked for from the innermost outwards
PARTS = (
    ("log seal (audit append, head lock, signature)", ("audit/sql.py", "audit/merkle", "audit/domain", "signing")),
    ("notify outbox hook", ("notify/",)),
    ("open311 hook", ("open311/",)),
    ("job queue (procrastinate outbox)", ("jobs/", "procrastinate")),
    ("locate", ("geo/", "locate", "shapely")),
    ("enrichment (classify, duplicates)", ("classify", "duplicates", "enrich")),
    ("PostgreSQL round trips (psycopg)", ("psycopg/",)),
    ("SQLAlchemy ORM/Core (flush, compile)", ("sqlalchemy/",)),
    ("validation (pydantic)", ("pydantic",)),
    ("JSON", ("json/", "orjson")),
    ("auth (token check)", ("accounts/", "auth")),
    ("gridgov intake code", ("gridgov/",)),
    ("HTTP (uvicorn, starlette, fastapi)", ("uvicorn/", "httptools", "starlette/", "fastapi/", "anyio/")),
)


def profile_summary(path: str) -> list[tuple[str, float]]:
    """py-spy's raw (collapsed) stacks → share of the busy samples per part (PARTS; idle samples left out)."""
    counts: dict[str, int] = {}
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, num = line.rpartition(" ")
        if not num.isdigit():
            continue
        frames = stack.split(";")
        samples = int(num)
        total += samples
        part = "other"
        for frame in reversed(frames):
            hit = next((name for name, keys in PARTS if any(k in frame for k in keys)), None)
            if hit is not None:
                part = hit
                break
        counts[part] = counts.get(part, 0) + samples
    return sorted(((k, v / total) for k, v in counts.items()), key=lambda kv: -kv[1]) if total else []


def _http_rate(
    db: BenchDb,
    n: int,
    concurrency: int,
    log: IO[bytes],
    workers: int,
    nginx: bool,
    tag: str,
    profile: str | None = None,
) -> tuple[float, float, float, float, str, str]:
    port = _port()
    pg = db.name == "postgresql"
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": db.url,
        "GRIDGOV_LOG_LEVEL": "WARNING",
        "GRIDGOV_ESCALATION_INTERVAL_SECONDS": "60",
        # PostgreSQL: enrichment jobs on procrastinate, run by one gridgov worker; SQLite: the server's enricher
        "GRIDGOV_JOB_QUEUE": "procrastinate" if pg else "inprocess",
    }
    cmd = [sys.executable, "-m", "gridgov.cli", "serve", "--port", str(port), "--no-scheduler"]
    procs = {"web": _start([*cmd, "--workers", str(workers)], env, log)}
    if pg:
        procs["worker"] = _start([sys.executable, "-m", "gridgov.cli", "worker"], env, log)
    tmp = tempfile.mkdtemp(prefix="gridgov-bench-nginx-")
    try:
        _wait_healthy(procs["web"], f"http://127.0.0.1:{port}", log)
        target = port
        if nginx:
            target = _port()
            for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                os.mkdir(os.path.join(tmp, sub))
            conf = os.path.join(tmp, "nginx.conf")
            Path(conf).write_text(NGINX_CONF.format(tmp=tmp, upstream=port, port=target))
            procs["nginx"] = _start([NGINX, "-p", tmp, "-c", conf, "-e", os.path.join(tmp, "error.log")], env, log)
            _wait_healthy(procs["nginx"], f"http://127.0.0.1:{target}", log)
        load = _Load(target, n, concurrency, tag, db.token, db.grid)
        spy = None
        if profile is not None:  # py-spy samples the web process(es) while the load runs (GIL-holding samples)
            spy_cmd = [profile, "record", "--pid", str(procs["web"].pid), "--format", "raw", "--rate", "250"]
            spy_cmd += ["--output", PROFILE_OUT, "--gil", "--nonblocking"]
            spy = subprocess.Popen([*spy_cmd, *(["--subprocesses"] if workers > 1 else [])], stderr=log, stdout=log)
            time.sleep(1.0)  # py-spy attaches before the first request
        web_pids = [procs["web"].pid, *_children(procs["web"].pid)]
        cpu_before = sum(_cpu_seconds(p) for p in web_pids)
        worker_before = _cpu_seconds(procs["worker"].pid) if "worker" in procs else 0.0
        client_before, machine_before = time.process_time(), _machine_busy_seconds()
        postgres_before = _postgres_seconds() if pg else 0.0
        start = time.perf_counter()
        load.run()
        elapsed = time.perf_counter() - start
        latencies = load.latencies
        per_case = 1000 / max(len(latencies), 1)
        web_cpu_ms = (sum(_cpu_seconds(p) for p in web_pids) - cpu_before) * per_case
        machine_ms = (_machine_busy_seconds() - machine_before) * per_case
        client_ms = (time.process_time() - client_before) * per_case
        worker_ms = ((_cpu_seconds(procs["worker"].pid) if "worker" in procs else 0.0) - worker_before) * per_case
        postgres_ms = ((_postgres_seconds() if pg else 0.0) - postgres_before) * per_case
        split = (
            f"machine CPU {machine_ms:.1f} ms/case = web {web_cpu_ms:.1f} + client {client_ms:.1f}"
            + (f" + worker {worker_ms:.1f}" if "worker" in procs else "")
            + (f" + PostgreSQL {postgres_ms:.1f}" if pg else "")
            + f" + the rest {machine_ms - web_cpu_ms - client_ms - worker_ms - postgres_ms:.1f}"
            " (the kernel's loopback traffic, nginx, other load)"
        )
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        load.check()
        rss = []
        for name, proc in procs.items():
            kids = _children(proc.pid) if name == "web" and workers > 1 else []
            if kids:
                rss.append(f"supervisor {_rss_kib(proc.pid) // 1024}")
                for k in kids:  # uvicorn's workers, and multiprocessing's resource tracker beside them
                    tracker = b"resource_tracker" in Path(f"/proc/{k}/cmdline").read_bytes()
                    rss.append(f"{'tracker' if tracker else 'web'} {_rss_kib(k) // 1024}")
            elif name == "nginx":
                rss.append(f"nginx {(_rss_kib(proc.pid) + sum(_rss_kib(k) for k in _children(proc.pid))) // 1024}")
            else:
                rss.append(f"{name} {_rss_kib(proc.pid) // 1024}")
        # the cases' proposals and duplicate hints come after each commit: wait until that is done too
        waited = 0.0
        while waited < 180:
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
            ", ".join(rss) + f" MiB; web CPU {web_cpu_ms:.1f} ms/case",
            split,
        )
    finally:
        for proc in reversed(list(procs.values())):
            _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument(
        "--profile",
        metavar="PY_SPY",
        help="path to a py-spy binary: sample the 1-worker direct run (the only one then) and print where an "
        "intake's time goes",
    )
    ap.add_argument("--one", action="store_true", help="only 1 web worker directly (no nginx, no 2 workers)")
    add_smoke(ap)
    args = ap.parse_args()
    admin = PG_ADMIN
    if args.smoke:
        smoke_kind, admin = smoke_backend()
        apply_smoke(ap, args, cases=50, concurrency=4, backends=smoke_kind)
    rows = []
    setups = []
    every_split: list[tuple[str, int, str, str]] = []
    floors: list[tuple[str, str, float, float, float, float, float]] = []
    for kind in args.backends.split(","):
        with fresh_db(kind, admin=admin) as db:
            raw = raw_rate(db, args.cases)
            svc = service_rate(db, args.cases)
            rate, p50, p99, enriched, rss, split = http_rate(
                db, args.cases, args.concurrency, tag=f"{kind}-1", profile=args.profile
            )
            every_split.append((kind, 1, "direct", split))
            if args.profile:
                print(f"where the web process's time goes ({kind}, 1 worker direct, py-spy --gil samples):")
                for part, share in profile_summary(PROFILE_OUT):
                    print(f"  {share:>6.1%}  {part}")
                print(f"  (stacks: {PROFILE_OUT})")
            rows.append((kind, raw, svc, rate, p50, p99, enriched))
            setups.append((kind, 1, "direct", rate, p50, p99, rate / raw, enriched, rss))
            print(f"  {kind} raw {raw:.0f}/s, 1 direct {rate:.0f}/s ({p50:.0f}/{p99:.0f} ms) {rss}", flush=True)
            if kind == "postgresql" and not args.profile:
                for floor, label in FLOORS:
                    f_rate, f50, f99, f_cpu = floor_rate(db, floor, args.cases, args.concurrency)
                    floors.append((floor, label, f_rate, f50, f99, f_cpu, rate))
                    print(f"  floor {floor}: {f_rate:.0f}/s ({f50:.0f}/{f99:.0f} ms), machine CPU {f_cpu:.2f} ms")
            if kind == "postgresql" and not args.smoke and not args.profile and not args.one:
                for workers, via in ((1, "nginx"), (2, "direct"), (2, "nginx")):
                    if via == "nginx" and not Path(NGINX).exists():
                        continue
                    got = http_rate(db, args.cases, args.concurrency, workers, via == "nginx", f"pg-{workers}-{via}")
                    r, a, b, e, m, cpu = got
                    setups.append((kind, workers, via, r, a, b, r / raw, e, m))
                    every_split.append((kind, workers, via, cpu))
                    print(f"  {kind} {workers} {via} {r:.0f}/s ({a:.0f}/{b:.0f} ms) {m}", flush=True)
    print(f"HTTP intake by setup ({args.cases} cases each, {args.concurrency} clients on this machine)")
    print(
        f"{'setup':<11}{'web':>4} {'via':<7}{'cases/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'HTTP/raw':>9}{'enriched/s':>11}"
        "  RSS per process"
    )
    for kind, workers, via, rate, p50, p99, share, enriched, rss in setups:
        print(f"{kind:<11}{workers:>4} {via:<7}{rate:>9.0f}{p50:>8.1f}{p99:>8.1f}{share:>9.0%}{enriched:>11.0f}  {rss}")
    print("CPU per case by process while the load ran (/proc: the whole machine, the web processes, this client)")
    for kind, workers, via, cpu in every_split:
        print(f"{kind:<11}{workers:>4} {via:<7} {cpu}")
    if floors:
        print("floors on PostgreSQL (bench/_floor_app.py: the same client and uvicorn, 1 process, no gridgov)")
        print(f"{'floor':<9}{'requests/s':>11}{'p50 ms':>8}{'p99 ms':>8}{'CPU ms/req':>11}  gridgov 1 direct / floor")
        for floor, label, f_rate, f50, f99, f_cpu, ours in floors:
            print(f"{floor:<9}{f_rate:>11.0f}{f50:>8.1f}{f99:>8.1f}{f_cpu:>11.2f}  {ours / f_rate:>6.0%}  ({label})")
    print()
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
