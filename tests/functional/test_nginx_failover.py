"""Many processes behind a real load balancer (issue 13): Debian's nginx on loopback in front of two
`gridgov serve` processes and one `gridgov worker`, on a fresh PostgreSQL database, jobs on procrastinate.

- A bounded load client files 5,000 keyed cases (Idempotency-Key) through nginx and retries every failure
  with the same key, while one web process and then the worker are killed with SIGKILL and started again.
  Afterwards no acknowledged case is missing, none is there twice, every case is enriched and
  `gridgov audit verify` passes.
- Against the two web processes directly: a resident's intake budget, a leader's stream cap, a sign-out, a
  revoked token and the sign-in throttle each hold across both.

Needs PostgreSQL (GRIDGOV_TEST_DATABASE_URL names the server; a new database is made beside it and dropped)
and /usr/sbin/nginx; skipped otherwise."""

from __future__ import annotations

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow

NGINX = "/usr/sbin/nginx"
CASES = int(os.environ.get("GRIDGOV_FAILOVER_CASES", "5000"))
CLIENTS = 8
TEST_URL = os.environ.get("GRIDGOV_TEST_DATABASE_URL", "")
BODY = {
    "title": "楼道里堆满杂物",
    "description": "三楼楼道堆放大量纸箱，堵塞消防通道",
    "source": "hotline",
    "reporter_name": "张伟",
    "reporter_phone": "13812341234",
}

if not TEST_URL.startswith("postgresql"):
    pytest.skip("needs PostgreSQL (GRIDGOV_TEST_DATABASE_URL)", allow_module_level=True)
if not Path(NGINX).exists():
    pytest.skip("needs nginx (/usr/sbin/nginx)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@dataclass
class Cluster:
    url: str
    tmp: Path
    env: dict[str, str]
    ports: dict[str, int]
    procs: dict[str, Proc] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    grid: str = ""

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def wait_healthy(self, name: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            p = self.procs.get(name)
            if p is not None and p.proc is not None and p.proc.poll() is not None:
                raise AssertionError(f"{name} exited:\n{p.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base(name) + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{name} did not answer /healthz")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gridgov.cli", *args, "--database-url", self.url],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _admin_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(TEST_URL).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def _prepare(url: str) -> tuple[dict[str, str], str]:
    """Migrate, a small city, and the people the checks need; (tokens, an L3 grid code)."""
    from sqlalchemy import text

    from gridgov import migrate
    from gridgov.accounts.services import add_user, issue_token, set_password
    from gridgov.bootstrap import bootstrap
    from gridgov.config import Settings
    from gridgov.grids.divisions import load_city_divisions
    from gridgov.grids.domain import GridLevel
    from gridgov.reference.services import initialise, small_city

    migrate.upgrade(url)
    box = bootstrap(Settings(database_url=url, environment="test", log_level="WARNING"))
    try:
        now = datetime.now(UTC)
        counts = {GridLevel.STREET: 5, GridLevel.COMMUNITY: 10, GridLevel.MICRO: 20}
        initialise(box.uow(), now, divisions=small_city(load_city_divisions()), counts=counts, include_zones=False)
        tokens = {}
        for name, role, unit in (
            ("op", "operator", "4101"),
            ("resident", "resident", None),
            ("leader", "leader", None),
            ("revoked", "resident", None),
        ):
            add_user(box.uow(), name, role, unit, now)
            tokens[name] = issue_token(box.uow(), name, now)
        set_password(box.uow(), "leader", "correct-horse-battery")
        with box.sessions() as s:
            grid = s.execute(text("SELECT code FROM grids WHERE level = 4 ORDER BY code LIMIT 1")).scalar_one()
        return tokens, grid
    finally:
        box.close()


NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream gridgov {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://gridgov;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            # a keyed POST is safe to repeat on the other process (the key gives back the same case)
            proxy_next_upstream error timeout http_502 non_idempotent;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
        location /api/v1/dashboard/stream {{
            proxy_pass http://gridgov;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"gg_failover_{os.getpid()}_{int(time.time())}"
    admin = _admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(TEST_URL).set(database=name).render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix="gg-failover-"))
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_ENVIRONMENT": "test",
        "GRIDGOV_JOB_QUEUE": "procrastinate",
        "GRIDGOV_LOG_LEVEL": "WARNING",
        "GRIDGOV_ESCALATION_INTERVAL_SECONDS": "2",  # the sweep: every 2 s, once across workers
        "GRIDGOV_INTAKE_RATE_PER_MINUTE": "1",
        "GRIDGOV_INTAKE_BURST": "3",
        "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(tmp / "checkpoints"),
    }
    ports = {"a": free_port(), "b": free_port(), "nginx": free_port()}
    c = Cluster(url, tmp, env, ports)
    try:
        c.tokens, c.grid = _prepare(url)
        for web in ("a", "b"):
            args = [sys.executable, "-m", "gridgov.cli", "serve", "--port", str(ports[web])]
            c.procs[web] = Proc(web, args, env, tmp / f"{web}.log")
        c.procs["worker"] = Proc("worker", [sys.executable, "-m", "gridgov.cli", "worker"], env, tmp / "worker.log")
        conf = tmp / "nginx.conf"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / sub).mkdir()
        conf.write_text(NGINX_CONF.format(tmp=tmp, a=ports["a"], b=ports["b"], port=ports["nginx"]))
        nginx_args = [NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")]
        c.procs["nginx"] = Proc("nginx", nginx_args, env, tmp / "nginx.log")
        for p in c.procs.values():
            p.start()
        for web in ("a", "b", "nginx"):
            c.wait_healthy(web)
        yield c
    finally:
        for p in c.procs.values():
            p.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def _load(c: Cluster, acked: dict[str, int], failures: list[str], retries: list[int]) -> None:
    """CLIENTS threads file CASES keyed cases through nginx; a failure (refused connection, reset, 5xx) is
    retried with the same key until the case is acknowledged (201, or 200 for a replay)."""
    lock = threading.Lock()
    keys = iter(range(CASES))
    port = c.ports["nginx"]
    headers = {"Authorization": f"Bearer {c.tokens['op']}", "Content-Type": "application/json"}
    body = json.dumps({**BODY, "grid_code": c.grid}).encode()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(keys, None)
            if i is None:
                conn.close()
                return
            key = f"failover-{i}"
            deadline = time.time() + 90
            while True:
                try:
                    conn.request("POST", "/api/v1/cases", body=body, headers={**headers, "Idempotency-Key": key})
                    resp = conn.getresponse()
                    text = resp.read()
                    if resp.status in (200, 201):
                        with lock:
                            acked[key] = json.loads(text)["id"]
                        break
                    if resp.status < 500:
                        with lock:
                            failures.append(f"{key}: {resp.status} {text[:200]!r}")
                        break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    retries[0] += 1
                if time.time() > deadline:
                    with lock:
                        failures.append(f"{key}: not acknowledged within 90 s")
                    break
                time.sleep(0.05)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, what
        time.sleep(0.2)


def test_kill_a_web_process_and_the_worker_under_load(cluster: Cluster) -> None:
    import psycopg

    c = cluster
    acked: dict[str, int] = {}
    failures: list[str] = []
    retries = [0]
    loader = threading.Thread(target=_load, args=(c, acked, failures, retries))
    started = time.time()
    loader.start()
    _wait_until(lambda: len(acked) >= CASES // 5, 120, "the load did not get going")
    c.procs["a"].kill9()  # a web process, mid-request
    time.sleep(1.0)
    c.procs["a"].start()
    c.wait_healthy("a")
    _wait_until(lambda: len(acked) >= CASES // 2, 120, "the load stalled after the web process came back")
    c.procs["worker"].kill9()  # the worker, mid-job
    time.sleep(1.0)
    c.procs["worker"].start()
    loader.join(timeout=240)
    assert not loader.is_alive()
    elapsed = time.time() - started
    assert not failures, failures[:5]
    assert len(acked) == CASES

    conninfo = c.url.replace("postgresql+psycopg://", "postgresql://")

    def pending() -> int:
        with psycopg.connect(conninfo) as conn:
            return int(conn.execute("SELECT count(*) FROM cases WHERE enriched_at IS NULL").fetchone()[0])  # type: ignore[index]

    _wait_until(lambda: pending() == 0, 90, "cases left without their proposal")
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT id, idempotency_key FROM cases WHERE idempotency_key IS NOT NULL").fetchall()
    by_key: dict[str, list[int]] = {}
    for case_id, key in rows:
        by_key.setdefault(key.split(":", 1)[1], []).append(case_id)
    missing = [k for k, case_id in acked.items() if by_key.get(k) != [case_id]]
    duplicates = [k for k, ids in by_key.items() if len(ids) > 1]
    assert missing == [] and duplicates == []
    assert len(rows) == CASES
    verify = c.cli("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    sys.stderr.write(f"failover: {CASES} cases in {elapsed:.1f} s through nginx, {retries[0]} retries\n")


def test_limits_and_revocation_hold_across_both_processes(cluster: Cluster) -> None:
    c = cluster
    a, b = c.base("a"), c.base("b")
    body = {**BODY, "source": "web", "grid_code": c.grid}
    resident = {"Authorization": f"Bearer {c.tokens['resident']}"}
    # a resident's intake budget (burst 3, one a minute) is one budget, whichever process answers
    codes = [httpx.post(f"{base}/api/v1/cases", json=body, headers=resident).status_code for base in (a, b) * 3]
    assert sorted(codes) == [201, 201, 201, 429, 429, 429], codes

    # a leader's live streams: STREAMS_PER_USER in all, spread over both processes
    from gridgov.dashboard.views import STREAMS_PER_USER

    leader = {"Authorization": f"Bearer {c.tokens['leader']}"}
    clients = [httpx.Client(timeout=10) for _ in range(STREAMS_PER_USER + 1)]
    try:
        streams = []
        for i in range(STREAMS_PER_USER):
            base = (a, b)[i % 2]
            r = clients[i].send(
                clients[i].build_request("GET", f"{base}/api/v1/dashboard/stream", headers=leader), stream=True
            )
            assert r.status_code == 200
            streams.append(r)
        for base in (a, b):
            extra = clients[-1].get(f"{base}/api/v1/dashboard/stream", headers=leader)
            assert extra.status_code == 429 and extra.json()["error"]["code"] == "too_many_streams"
    finally:
        for cl in clients:
            cl.close()

    # a sign-out on A ends the session on B at its next request
    with httpx.Client(base_url=a) as on_a, httpx.Client(base_url=b) as on_b:
        r = on_a.post("/api/v1/auth/login", json={"username": "leader", "password": "correct-horse-battery"})
        assert r.status_code == 200
        csrf = r.json()["csrf_token"]
        on_b.cookies.update(on_a.cookies)
        assert on_b.get("/api/v1/auth/me").status_code == 200
        assert on_a.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
        assert on_b.get("/api/v1/auth/me").status_code == 401

    # a token revoked from the command line stops working at once on both
    revoked = {"Authorization": f"Bearer {c.tokens['revoked']}"}
    for base in (a, b):
        assert httpx.get(f"{base}/api/v1/auth/me", headers=revoked).status_code == 200
    done = c.cli("token", "revoke", c.tokens["revoked"])
    assert done.returncode == 0, done.stdout + done.stderr
    for base in (a, b):
        assert httpx.get(f"{base}/api/v1/auth/me", headers=revoked).status_code == 401

    # the sign-in throttle: five free tries per (name, address) in all, not five per process; then growing waits
    # (1 s, 2 s, 4 s, …), so a slow machine may see one more try through, never five per process
    answers = [
        httpx.post(f"{base}/api/v1/auth/login", json={"username": "leader", "password": "wrong-password!"}).status_code
        for base in (a, b) * 5
    ]
    assert answers[:5] == [401] * 5 and answers.count(423) >= 4, answers
