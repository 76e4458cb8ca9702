"""Time to first render of the dispatcher queue and the leaders' dashboard over 1M cases in PostgreSQL.

    .venv/bin/python bench/pages.py                      # 1,000,000 cases (several minutes to load)
    .venv/bin/python bench/pages.py --cases 50000 --runs 5
    .venv/bin/python bench/pages.py --smoke              # 2,000 cases, 2 runs (browser: 1), SQLite (see _common)

A fresh database (GRIDGOV_BENCH_PAGES_URL or --database-url, default gridgov_bench_pages) is migrated and given
the small reference city; the cases are written in bulk by SQL with a realistic mix of statuses (38 % open,
some overdue and red/yellow-carded), one primary task for each case that reached a unit (with responses,
closes and residents' verdicts for the monthly ranking) and the reporting event of every case. The real
server (`gridgov serve`) runs in a subprocess. Measured, each as p50/p95 over --runs:

  (a) server: the HTML shell of /queue and /dashboard and each data call those pages make first, over HTTP
      with a signed-in session (keep-alive), and
  (b) browser (Debian chromium via Playwright): navigation start → the first queue row visible, → the
      dashboard's KPI tiles filled, → the whole dashboard filled (ranking, overdue list, map points),
      read from performance.now() in the page,

next to a baseline measured in the same run: the bare SQL under the same pages (the newest 50 rows, an exact
count, one pass over the statuses).
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import shapely  # type: ignore[import-untyped]
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.accounts.repository import SqlLoginThrottle  # noqa: E402
from gridgov.accounts.services import add_user, login, set_password  # noqa: E402

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, percentile, smoke_backend  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/gridgov_bench_pages"
CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "bench-pages-2025"
QUEUE_STATUSES = "reported,registered,returned,reopened"  # the queue page's default filter
GOAL_MS = 1000.0
TABLES = ("cases", "case_tasks", "case_events")

# status by i % 100: 38 % open (merged counts as open), 62 % finished
MIX = """CASE WHEN m < 7 THEN 'reported' WHEN m < 11 THEN 'registered' WHEN m < 12 THEN 'returned'
    WHEN m < 20 THEN 'dispatched' WHEN m < 32 THEN 'accepted' WHEN m < 36 THEN 'handled' WHEN m < 37 THEN 'suspended'
    WHEN m < 39 THEN 'rejected' WHEN m < 40 THEN 'merged' WHEN m < 60 THEN 'closed' ELSE 'evaluated' END"""
WORKED = "('dispatched','accepted','handled','suspended','closed','evaluated')"


def _grids(db: BenchDb) -> list[tuple[int, str, int, int, float, float]]:
    """(index, micro-grid code, street office id, district 城管 bureau id, lat, lon) for every L3 grid."""
    with db.container.sessions() as s:
        grids = s.execute(
            text("""SELECT g.code, g.geom_wkb FROM grids g JOIN grid_versions v ON v.id = g.version_id
                    WHERE v.active AND g.level = 4 ORDER BY g.code""")
        ).all()
        units = {code: uid for code, uid in s.execute(text("SELECT code, id FROM units"))}
    out = []
    for i, (code, wkb) in enumerate(grids):
        p = shapely.from_wkb(wkb).representative_point()
        out.append((i, code, units[code[:9]], units[f"{code[:6]}-cg"], p.y, p.x))
    return out


class Sql:
    """The few pieces of the fill that PostgreSQL and SQLite spell differently (SQLite keeps datetimes as the
    text SQLAlchemy writes, 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, so its arithmetic must write that format)."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def add(self, expr: str, count: str, unit: str) -> str:
        """expr + count units (unit: minute, hour or day; count an SQL expression, may be negative)."""
        if self.pg:
            return f"{expr} + ({count}) * interval '1 {unit}'"
        return f"strftime('%Y-%m-%d %H:%M:%S.000000', {expr}, ({count}) || ' {unit}s')"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def series(self, n: str) -> str:
        """Rows i = 1..n."""
        if self.pg:
            return f"SELECT i FROM generate_series(1, {n}) AS i"
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s"

    def hash64(self) -> str:
        """64 hex characters for an event's hash."""
        return "md5(tracking_code) || md5(title)" if self.pg else "lower(hex(randomblob(32)))"

    def stamp(self, dt: datetime) -> object:
        """A datetime as a bound parameter of a text() query."""
        return dt if self.pg else dt.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def fill(db: BenchDb, n: int, now: datetime) -> dict[str, float]:
    """n cases, their tasks and events, written by SQL; returns seconds per step."""
    grids = _grids(db)
    took: dict[str, float] = {}
    q = Sql(db.container.engine.dialect.name)
    add = q.add
    with db.container.engine.begin() as conn:
        conn.execute(
            text("""CREATE TEMP TABLE bench_grids (idx int PRIMARY KEY, code text, street int, dept int,
                    lat float8, lon float8)""")
        )
        conn.execute(
            text("INSERT INTO bench_grids VALUES (:i, :c, :s, :d, :lat, :lon)"),
            [{"i": i, "c": c, "s": s, "d": d, "lat": lat, "lon": lon} for i, c, s, d, lat, lon in grids],
        )
        t0 = time.perf_counter()
        conn.execute(
            text(f"""
            INSERT INTO cases (tracking_code, title, description, source, category_code, urgency, grid_code, address,
                lat, lon, location_source, reporter_name, reporter_phone, category_source, needs_review, status,
                owner_unit_id, created_at, updated_at, registered_at, dispatched_at, handled_at, closed_at,
                clock_start, clock_due, clock_unit, response_due_at, handle_due_at, alarm_level, escalation_level,
                rework_count, return_count, postponed, resolved, satisfaction, evaluated_at, event_count,
                last_event_hash, version)
            SELECT 'P' || i, '基准案件 ' || i, '', CASE WHEN i % 3 = 0 THEN 'hotline' ELSE 'web' END,
                CASE WHEN i % 3 = 0 THEN 'A0101' ELSE 'H1802' END, 'normal', g.code, '',
                g.lat + ((i % 97) - 48) * 0.0001, g.lon + ((i % 89) - 44) * 0.0001, 'point', '', '', 'reporter',
                i % 50 = 0, st, CASE WHEN st IN {WORKED} THEN CASE WHEN i % 3 = 0 THEN g.dept ELSE g.street END END,
                created, created, {add("created", "30", "minute")},
                CASE WHEN st IN {WORKED} THEN {add("created", "1", "hour")} END,
                CASE WHEN st IN ('handled','closed','evaluated') THEN {add("created", "1", "day")} END,
                CASE WHEN st IN ('closed','evaluated') THEN {q.least(add("created", "2", "day"), ":now")}
                     WHEN st = 'rejected' THEN {add("created", "1", "hour")} END,
                CASE WHEN st IN ('dispatched','accepted') THEN {add("created", "1", "hour")} END,
                CASE WHEN st IN ('dispatched','accepted') THEN due END, 'working_days',
                CASE WHEN st IN {WORKED} THEN {add("created", "1", "day")} END,
                CASE WHEN st IN {WORKED} THEN {add("created", "5", "day")} END,
                CASE WHEN st NOT IN ('dispatched','accepted') THEN 'none' WHEN due < :now THEN 'red'
                     WHEN due < {add(":now", "1", "day")} THEN 'yellow' ELSE 'none' END,
                CASE WHEN st IN ('dispatched','accepted') AND due < :now THEN 1 ELSE 0 END,
                0, 0, false,
                CASE WHEN st = 'evaluated' THEN i % 10 < 9 END,
                CASE WHEN st = 'evaluated' THEN CASE WHEN i % 10 < 8 THEN 'satisfied'
                     WHEN i % 10 = 8 THEN 'basically_satisfied' ELSE 'unsatisfied' END END,
                CASE WHEN st = 'evaluated' THEN {q.least(add("created", "3", "day"), ":now")} END,
                1, :genesis, 1
            FROM (SELECT i, {MIX} AS st,
                         {add(":now", "-((CAST(i AS BIGINT) * 7919) % (120 * 1440))", "minute")} AS created,
                         {add(":now", "((i / 100) % 20) - 3", "day")} AS due
                  FROM (SELECT i, i % 100 AS m FROM ({q.series(":n")}) AS seq) AS s) AS c
            JOIN bench_grids g ON g.idx = c.i % :grids
            """),
            {"n": n, "now": q.stamp(now), "grids": len(grids), "genesis": "0" * 64},
        )
        took["cases"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute(
            text(f"""
            INSERT INTO case_tasks (case_id, unit_id, role, status, assigned_at, response_due_at, handle_due_at,
                responded_at, response_late, handled_at, feedback, evidence, return_reason, rework_count, postponed,
                closed_at, resolved, satisfaction, rating_note)
            SELECT id, owner_unit_id, 'primary',
                CASE status WHEN 'dispatched' THEN 'pending' WHEN 'accepted' THEN 'accepted'
                            WHEN 'suspended' THEN 'accepted' ELSE 'fed_back' END,
                dispatched_at, response_due_at, handle_due_at,
                CASE WHEN status <> 'dispatched' THEN {add("dispatched_at", "2", "hour")} END,
                CASE WHEN status <> 'dispatched' THEN id % 20 = 0 END,
                handled_at, '', '[]', '', CASE WHEN id % 25 = 0 THEN 1 ELSE 0 END, id % 40 = 0,
                CASE WHEN status IN ('closed','evaluated') THEN closed_at END, resolved, satisfaction, ''
            FROM cases WHERE status IN {WORKED}
            """)
        )
        took["tasks"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute(
            text(f"""
            INSERT INTO case_events (case_id, seq, event_type, tag, action, from_status, to_status, actor_id,
                actor_role, unit_id, occurred_at, payload, prev_hash, hash)
            SELECT id, 1, 'CaseReported', 'case:created', 'report_case', NULL, 'reported', NULL, 'operator', NULL,
                created_at, '{{}}', :genesis, {q.hash64()}
            FROM cases ORDER BY id
            """),
            {"genesis": "0" * 64},
        )
        took["events"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if q.pg:
        with db.container.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:  # the engine opens a transaction on every connection, and VACUUM must run outside one
        with closing(sqlite3.connect(db.url.split("///", 1)[1], isolation_level=None)) as lite:
            lite.execute("VACUUM")
            lite.execute("ANALYZE")
    took["vacuum"] = time.perf_counter() - t0
    return took


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVE = """
import sys, uvicorn
from gridgov.config import Settings
from gridgov.logging import configure_logging
from gridgov.app import create_app
settings = Settings(database_url=sys.argv[1], log_level="WARNING", enrich_async=False)
configure_logging(settings)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def start_server(db: BenchDb) -> tuple[subprocess.Popen[bytes], str]:
    """The real app under uvicorn in its own process (no deadline scheduler)."""
    port = _free_port()
    cmd = [sys.executable, "-c", SERVE, db.url, str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((proc.stderr.read() if proc.stderr else b"").decode()[-3000:])
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def sessions(db: BenchDb, now: datetime) -> dict[str, str]:
    """Session tokens (the browser's cookie) for a dispatcher and a leader of the city."""
    out = {}
    for name, role, unit in (("bench-dispatcher", "dispatcher", "4101"), ("bench-leader", "leader", None)):
        add_user(db.container.uow(), name, role, unit, now)
        set_password(db.container.uow(), name, PASSWORD)
        out[role] = login(db.container.uow(), SqlLoginThrottle(db.container.sessions), name, PASSWORD, "bench", now)
    return out


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm: connection pool, caches
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def server_calls(base: str, tokens: dict[str, str], month: str, runs: int) -> list[tuple[str, list[float]]]:
    rows: list[tuple[str, list[float]]] = []
    calls = [
        ("dispatcher", "GET /queue (HTML)", "/queue"),
        (
            "dispatcher",
            "GET /api/v1/cases (queue page 1)",
            f"/api/v1/cases?status={QUEUE_STATUSES}&page=1&page_size=50",
        ),
        ("leader", "GET /dashboard (HTML)", "/dashboard"),
        ("leader", "GET /api/v1/dashboard/summary", "/api/v1/dashboard/summary"),
        ("leader", "GET /api/v1/dashboard/overdue", "/api/v1/dashboard/overdue?limit=30"),
        ("leader", "GET /api/v1/dashboard/ranking", f"/api/v1/dashboard/ranking?month={month}"),
        ("leader", "GET /api/v1/dashboard/trend", "/api/v1/dashboard/trend?days=30"),
        (
            "leader",
            "GET /api/v1/cases.geojson (map)",
            "/api/v1/cases.geojson?status=open&limit=2000&bbox=113,34,114,35",
        ),
        ("leader", "GET /api/v1/dashboard/ranking.xlsx", f"/api/v1/dashboard/ranking.xlsx?month={month}"),
    ]
    clients = {
        role: httpx.Client(base_url=base, cookies={"gg_session": tok}, timeout=120) for role, tok in tokens.items()
    }
    try:
        for role, label, path in calls:
            client = clients[role]

            def call(client: httpx.Client = client, path: str = path) -> None:
                r = client.get(path)
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")

            rows.append((label, timed(call, runs)))
    finally:
        for c in clients.values():
            c.close()
    return rows


def baseline(url: str, runs: int) -> list[tuple[str, list[float]]]:
    queries = [
        ("SQL: newest 50 cases (ORDER BY id DESC LIMIT 50)", "SELECT * FROM cases ORDER BY id DESC LIMIT 50"),
        ("SQL: SELECT count(*) FROM cases", "SELECT count(*) FROM cases"),
        (
            "SQL: count of the queue's statuses",
            "SELECT count(*) FROM cases WHERE status IN ('reported','registered','returned','reopened')",
        ),
        ("SQL: count(*) GROUP BY status", "SELECT status, count(*) FROM cases GROUP BY status"),
    ]
    rows = []
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.split("///", 1)[1])) as lite:
            for label, sql in queries:
                rows.append((label, timed(lambda sql=sql: lite.execute(sql).fetchall(), runs)))  # type: ignore[misc]
        return rows
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for label, sql in queries:
            rows.append((label, timed(lambda sql=sql: conn.execute(sql).fetchall(), runs)))  # type: ignore[misc]
    return rows


DASH_TILES = "() => document.querySelector(\"[data-kpi='open'] b\").textContent !== '—'"
DASH_ALL = (
    "() => document.querySelector(\"[data-kpi='open'] b\").textContent !== '—'"
    " && document.querySelector('#streets-table tbody tr') !== null"
    " && document.querySelector('#overdue-table tbody tr a') !== null"
    " && document.querySelector('#map[data-cases]') !== null"
)


def browser(base: str, tokens: dict[str, str], runs: int) -> list[tuple[str, list[float]]]:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: browser timings skipped")
        return []
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}
    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for role, path, marks in (
                ("dispatcher", "/queue", [("browser: /queue → first row visible", "#queue tbody tr", None)]),
                (
                    "leader",
                    "/dashboard",
                    [
                        ("browser: /dashboard → KPI tiles filled", None, DASH_TILES),
                        ("browser: /dashboard → everything filled", None, DASH_ALL),
                    ],
                ),
            ):
                ctx = chrome.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", base_url=base)
                ctx.set_default_timeout(60_000)
                ctx.add_cookies([{"name": "gg_session", "value": tokens[role], "url": base}])
                page = ctx.new_page()
                for run in range(runs + 1):  # the first run warms the browser's cache of scripts
                    page.goto(path, wait_until="commit")
                    for label, selector, predicate in marks:
                        if selector:
                            page.wait_for_selector(selector, state="visible")
                        else:
                            page.wait_for_function(predicate, polling=10)
                        ms = float(page.evaluate("performance.now()"))
                        if run:
                            results.setdefault(label, []).append(ms)
                ctx.close()
        finally:
            chrome.close()
    return list(results.items())


def table(title: str, rows: list[tuple[str, list[float]]], goal: bool) -> str:
    lines = [f"\n{title}", f"{'':52} {'p50 ms':>9} {'p95 ms':>9}" + ("  ≤ 1 s" if goal else "")]
    for label, values in rows:
        p50, p95 = percentile(values, 50), percentile(values, 95)
        mark = ("  yes" if p95 <= GOAL_MS else "  NO") if goal else ""
        lines.append(f"{label:52} {p50:9.1f} {p95:9.1f}{mark}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("GRIDGOV_BENCH_PAGES_URL", DEFAULT_URL))
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20, help="timed runs per call (browser: a quarter, at least 3)")
    ap.add_argument("--full-city", action="store_true", help="the whole Zhengzhou reference city (slower to load)")
    ap.add_argument("--keep", action="store_true", help="leave the database behind")
    add_smoke(ap)
    args = ap.parse_args()
    kind, admin, url = "postgresql", PG_ADMIN, args.database_url
    if args.smoke:  # a throw-away database: SQLite, or beside GRIDGOV_TEST_DATABASE_URL on its PostgreSQL server
        kind, admin = smoke_backend()
        url, args.keep = None, False
        apply_smoke(ap, args, cases=2_000, runs=2)
    browser_runs = 1 if args.smoke else max(3, args.runs // 4)
    now = datetime.now(UTC).replace(microsecond=0)
    month = (now + timedelta(hours=8)).strftime("%Y-%m")
    with fresh_db(kind, full_city=args.full_city, url=url, keep=args.keep, admin=admin) as db:
        took = fill(db, args.cases, now)
        with db.container.sessions() as s:
            counts = {t: int(s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}
        tokens = sessions(db, now)
        proc, base = start_server(db)
        try:
            server = server_calls(base, tokens, month, args.runs)
            pages = browser(base, tokens, browser_runs)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        floor = baseline(db.url, args.runs)
    backend = "PostgreSQL" if kind == "postgresql" else "SQLite"
    print(f"page benchmark: {backend}, {os.cpu_count()} CPUs, {args.runs} runs per call (browser: {browser_runs})")
    print(
        f"loaded {counts['cases']:,} cases ({took['cases']:.1f} s), "
        f"{counts['case_tasks']:,} tasks ({took['tasks']:.1f} s), "
        f"{counts['case_events']:,} events ({took['events']:.1f} s); VACUUM ANALYZE {took['vacuum']:.1f} s"
    )
    print(table("(a) server: HTML shell and first data calls (HTTP, signed-in session)", server, goal=True))
    print(table("(b) browser: navigation start → rendered (performance.now())", pages, goal=True))
    print(table("baseline: bare SQL on the same database", floor, goal=False))


if __name__ == "__main__":
    main()
