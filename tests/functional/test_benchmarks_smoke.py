"""Every bench/ script, run in its smoke mode (`--smoke`: tiny sizes, the same code paths), exits cleanly and
prints its figures, so a benchmark that rots fails here rather than on the day someone wants its numbers.

Each script runs as a subprocess with this interpreter. Its database is SQLite, or a throw-away database on
the PostgreSQL server that GRIDGOV_TEST_DATABASE_URL names (bench/_common.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # seven subprocesses, about 40 s on 2 shared cores

ROOT = Path(__file__).resolve().parents[2]
NUM = r"(\d[\d,]*(?:\.\d+)?)"  # one captured figure: 1,234 or 12.5
TIMEOUT_S = 240  # a smoke run takes seconds; this only stops a hung one on a loaded machine
CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")


def run_smoke(script: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert done.returncode == 0, f"bench/{script} --smoke exited {done.returncode}:\n{done.stderr[-5000:]}"
    return done.stdout.splitlines()


def figures(lines: list[str], pattern: str) -> list[float]:
    """The figures of the one printed line that matches `pattern` in full."""
    hits = [m for m in map(re.compile(pattern).fullmatch, lines) if m]
    assert len(hits) == 1, f"expected one line matching {pattern!r} in:\n" + "\n".join(lines)
    return [float(g.replace(",", "")) for g in hits[0].groups()]


def smoke_backend() -> str:
    url = os.environ.get("GRIDGOV_TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgresql", "postgres:")) else "sqlite"


def test_classify_prints_rates_and_latency() -> None:
    lines = run_smoke("classify.py")
    texts, features = figures(lines, rf"texts: {NUM} from .*; model \S+, {NUM} features")
    assert texts == 100 and features > 0
    rate, p50, p99 = figures(
        lines, rf"shipped model :\s+{NUM} texts/s \(batch \d+\); predict\(\) p50 {NUM} ms, p99 {NUM} ms"
    )
    assert rate > 0 and 0 < p50 <= p99
    assert figures(lines, rf"  of which features\(\):\s+{NUM} texts/s")[0] > 0
    assert figures(lines, rf"sklearn pipe  :\s+{NUM} texts/s \(same features, .*\)")[0] > 0
    assert figures(lines, rf"keywords      :\s+{NUM} texts/s \(fallback rule classifier, {NUM} keywords\)")[0] > 0


def test_locate_prints_rates_next_to_the_bare_query() -> None:
    lines = run_smoke("locate.py")
    polygons, l3, points, inside = figures(
        lines, rf"grids: {NUM} polygons, {NUM} L3; points: {NUM} uniform in the city bbox \({NUM}% inside\)"
    )
    assert polygons > l3 > 0 and points == 20_000 and 0 < inside < 100
    assert figures(lines, rf"generate \(all levels\)\s+{NUM} s")[0] > 0
    figures(lines, rf"GridIndex build\s+{NUM} s")
    for label in (r"bare STRtree query", r"bare query \+ points\(\)", r"GridIndex\.locate_many"):
        rate, seconds = figures(lines, rf"{label}\s+{NUM} points/s\s+\({NUM} s\)")
        assert rate > 0
    assert all(r > 0 for r in figures(lines, rf"  ratio to bare query\s+{NUM}\s+\(to bare \+ points\(\): {NUM}\)"))
    p50, p99, calls, per_s = figures(
        lines, rf"GridIndex\.locate \(single\)  p50 {NUM} µs   p99 {NUM} µs   \({NUM} calls, {NUM} calls/s\)"
    )
    assert 0 < p50 <= p99 and calls == 2_000 and per_s > 0


def test_escalate_escalates_exactly_the_due_cases_once() -> None:
    lines = run_smoke("escalate.py")
    assert figures(lines, rf"escalation benchmark, {NUM} CPUs")[0] >= 1
    kind = smoke_backend()
    assert figures(lines, rf"{kind}: wrote {NUM} open cases in {NUM} s")[0] == 2_000
    for due in (0, 10, 100):
        _, floor, scan, escalated, rerun, more, wall = figures(
            lines,
            rf"  due\s+({due}): bare SELECT\s+{NUM} ms \| scan\s+{NUM} ms \({NUM} escalated\) \| "
            rf"rerun\s+{NUM} ms \({NUM} more\) \| CLI --dry-run wall\s+{NUM} s",
        )
        assert escalated == due and more == 0
        assert floor >= 0 and scan > 0 and rerun >= 0 and wall > 0


def test_intake_prints_its_table() -> None:
    lines = run_smoke("intake.py")
    clients = figures(lines, rf"intake benchmark: {NUM} cases per measurement, {NUM} concurrent HTTP clients, .*")
    assert clients == [50, 4]
    header = next(i for i, line in enumerate(lines) if line.startswith("backend"))
    columns = re.split(r"\s{2,}", lines[header].strip())
    assert columns == [
        "backend",
        "raw rows/s",
        "service/s",
        "HTTP cases/s",
        "p50 ms",
        "p99 ms",
        "HTTP/raw",
        "enriched/s",
    ]
    rows = [line.split() for line in lines[header + 1 :] if line.strip()]
    assert [row[0] for row in rows] == [smoke_backend()]
    cells = dict(zip(columns, rows[0], strict=True))
    for column in columns[1:]:
        assert re.fullmatch(r"\d+(\.\d+)?%?", cells[column]), f"{column}: {cells[column]!r}"
    for column in ("raw rows/s", "service/s", "HTTP cases/s", "enriched/s"):
        assert float(cells[column]) > 0, f"{column} is 0: {lines}"
    assert 0 < float(cells["p50 ms"]) <= float(cells["p99 ms"])
    if smoke_backend() == "postgresql":  # the floors the goal is read against, in the same run
        for floor in ("bare", "fastapi", "commit"):
            rate, p50, p99, cpu, share = figures(lines, rf"{floor}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}%  \(.*\)")
            assert rate > 0 and 0 < p50 <= p99 and cpu > 0 and share > 0


def table(lines: list[str], title: str) -> dict[str, tuple[float, float]]:
    """label → (p50 ms, p95 ms) of the rows printed under `title`, up to the next blank line."""
    start = lines.index(title)
    assert re.fullmatch(r"\s+p50 ms\s+p95 ms( {2}≤ 1 s)?", lines[start + 1]), lines[start + 1]
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        m = re.fullmatch(rf"(.+?)\s+{NUM}\s+{NUM}(?:  (?:yes|NO))?", line)
        assert m, f"not a row of figures: {line!r}"
        p50, p95 = float(m[2].replace(",", "")), float(m[3].replace(",", ""))
        assert 0 <= p50 <= p95, line  # a bare SQL query can print 0.0 ms
        rows[m[1]] = (p50, p95)
    return rows


def test_pages_prints_server_browser_and_baseline_tables() -> None:
    lines = run_smoke("pages.py")
    backend = "PostgreSQL" if smoke_backend() == "postgresql" else "SQLite"
    _, runs, browser_runs = figures(
        lines, rf"page benchmark: {backend}, {NUM} CPUs, {NUM} runs per call \(browser: {NUM}\)"
    )
    assert (runs, browser_runs) == (2, 1)
    cases, _, tasks, _, events, _, _ = figures(
        lines,
        rf"loaded {NUM} cases \({NUM} s\), {NUM} tasks \({NUM} s\), {NUM} events \({NUM} s\); VACUUM ANALYZE {NUM} s",
    )
    assert cases == events == 2_000 and 0 < tasks < cases

    server = table(lines, "(a) server: HTML shell and first data calls (HTTP, signed-in session)")
    assert len(server) == 9 and {"GET /queue (HTML)", "GET /dashboard (HTML)"} <= set(server)
    browser = table(lines, "(b) browser: navigation start → rendered (performance.now())")
    if Path(CHROMIUM).exists():
        assert len(browser) == 3 and all(label.startswith("browser: ") for label in browser)
    else:  # the script says why the browser part is missing
        assert f"{CHROMIUM} not found: browser timings skipped" in lines and not browser
    floor = table(lines, "baseline: bare SQL on the same database")
    assert len(floor) == 4 and all(label.startswith("SQL: ") for label in floor)


def test_air_prints_import_and_aggregation_next_to_the_bare_sql() -> None:
    lines = run_smoke("air.py")
    assert figures(lines, rf"air benchmark: {NUM} stations × {NUM} days, {NUM} CPUs")[:2] == [2, 3]
    assert figures(lines, rf"{smoke_backend()}: {NUM} rows, {NUM} MB of CSV")[0] == 144
    for label in (
        r"parse \+ check \(read_hourly\)",
        r"import_hourly \(whole service\)",
        r"bare INSERT \(executemany\)",
    ):
        seconds, rate = figures(lines, rf"  {label}\s+{NUM} s\s+{NUM} rows/s")
        assert seconds >= 0 and rate > 0
    assert figures(lines, rf"  recompute_days \(aggregation\)\s+{NUM} s  \({NUM} area days\)")[1] > 0
    assert figures(lines, rf"  bare GROUP BY \(district, day\)\s+{NUM} s  \({NUM} groups\)")[1] > 0
    assert figures(lines, rf"  composite \(city, year to date\)\s+{NUM} ms \(index {NUM}\)")[1] > 0
    assert figures(lines, rf"  ratio import / bare INSERT\s+{NUM}x")[0] > 0


def test_audit_prints_verify_next_to_the_bare_hash() -> None:
    lines = run_smoke("audit.py")
    assert figures(lines, rf"audit benchmark, {NUM} CPUs, {NUM} events \({NUM} per case\)")[1] == 2_000
    assert (
        figures(lines, rf"{smoke_backend()}: wrote {NUM} events of {NUM} cases with their log in {NUM} s")[0] == 2_000
    )
    seconds, rate, _wall, cases, log_size = figures(
        lines, rf"  verify_all\s+{NUM} s\s+{NUM} events/s  \(wall {NUM} s; {NUM} cases, log {NUM}, checkpoint True\)"
    )
    assert seconds > 0 and rate > 0 and cases == 200 and log_size == 2_000
    assert figures(lines, rf"  bare SHA-256\s+{NUM} s\s+{NUM} events/s  \({NUM} strings, {NUM} MB, {NUM} MB/s\)")[1] > 0
    assert figures(lines, rf"  read \+ SHA-256\s+{NUM} s\s+{NUM} events/s  \(the rows' bytes as stored\)")[1] > 0
    jobs, wall, _rate, cpu, parent, workers, _load = figures(
        lines,
        rf"  verify --jobs {NUM}\s+{NUM} s\s+{NUM} events/s  \(wall; CPU {NUM} s = parent {NUM} \+ workers {NUM}; "
        rf"load {NUM}\)",
    )
    assert jobs >= 1 and wall > 0 and cpu > 0 and abs(cpu - parent - workers) < 0.02
    assert all(
        r > 0
        for r in figures(lines, rf"  --jobs {NUM} / bare\s+{NUM}% by wall, {NUM}% by CPU \(the bare hash on one CPU\)")
    )
    assert all(
        r > 0 for r in figures(lines, rf"  verify / bare\s+{NUM}% \(goal ≥ 30%\); verify / read \+ SHA-256 {NUM}%")
    )
    total, leaves, tree, sign = figures(
        lines, rf"  checkpoint\s+{NUM} ms  \(tree from {NUM} leaves {NUM} ms, signature {NUM} ms\)"
    )
    assert leaves == 2_000 and 0 < sign <= total
    assert all(v > 0 for v in figures(lines, rf"Ed25519 per checkpoint: sign {NUM} µs, verify {NUM} µs \({NUM} runs\)"))


def test_search_prints_each_query_next_to_the_bare_lookup() -> None:
    lines = run_smoke("search.py")
    backend = "PostgreSQL" if smoke_backend() == "postgresql" else "SQLite"
    assert figures(lines, rf"search benchmark: {backend}, {NUM} CPUs, {NUM} runs per query, each with another term")
    assert figures(lines, rf"loaded {NUM} cases \({NUM} s\), text {NUM} s(?:, indexes built in \S+ s)?")[0] == 2_000
    for who in ("city", "street"):
        for label in ("tracking code", "full phone", r"phone, last 4 digits", r"two characters \(路灯…\)"):
            p50, p95 = figures(lines, rf"{who}: {label}\s+{NUM}\s+{NUM}  (?:ok|SLOW)")
            assert 0 < p50 <= p95
    assert all(v > 0 for v in figures(lines, rf"baseline: bare lookup by tracking code\s+{NUM}\s+{NUM}"))


def test_projects_prints_the_phase_dashboard_next_to_a_bare_group_by() -> None:
    lines = run_smoke("projects.py")
    assert figures(lines, rf"projects benchmark: {NUM} projects, {NUM} phases, {NUM} runs, {NUM} CPUs")[:2] == [
        2_000,
        6,
    ]
    kind = smoke_backend()
    loaded, _, invested, _ = figures(
        lines, rf"{kind}: loaded {NUM} projects \({NUM} s\), {NUM} investment rows \({NUM} s\)"
    )
    assert loaded == 2_000 and invested > 0
    projects, _, _, phases = figures(
        lines, rf"phase 6 dashboard: {NUM} projects, {NUM} 亿元, {NUM} districts, {NUM} phases in the trend"
    )
    assert projects == 2_000 and phases == 6
    backend = "PostgreSQL" if kind == "postgresql" else "SQLite"
    rows = table(lines, f"{backend}: phase dashboard vs a bare GROUP BY (same rows, same run)")
    assert list(rows) == [
        "phase dashboard (every figure of the page)",
        "  of which the four rates and investment",
        "bare GROUP BY district over the same rows",
    ]
    assert figures(lines, rf"{backend}: dashboard p50 / bare GROUP BY p50 = {NUM}")[0] > 0


def test_routing_prints_the_cached_learner_next_to_the_whole_history() -> None:
    lines = run_smoke("routing.py")
    kind = smoke_backend()
    (settled,) = figures(lines, rf"routing benchmark: {kind}, {NUM} CPUs, {NUM} settled dispatches")[1:]
    assert 0 < settled <= 2_000
    for label in (r"whole history \(learner_from\)", "cache, first call", "cache, 10 new settled dispatches"):
        assert figures(lines, rf"  {label}\s+{NUM} ms")[0] > 0
    assert figures(lines, rf"  cache, nothing new\s+{NUM} ms  \({NUM}x faster than the whole history\)")[0] > 0
    assert "  cache agrees with the whole history: True" in lines


def test_open311_prints_the_update_feed_with_its_index_next_to_the_same_query_without() -> None:
    lines = run_smoke("open311.py")
    kind = smoke_backend()
    assert figures(lines, rf"open311 benchmark: {kind}, {NUM} CPUs, {NUM} runs, one-hour windows")[1] == 5
    cases, events, _, _ = figures(lines, rf"loaded {NUM} cases, {NUM} events \({NUM} s\); index built in {NUM} s")
    assert (cases, events) == (2_000, 10_000)
    assert figures(lines, rf"updates per window: {NUM} on average")[0] > 0
    for label in (r"with the index    ", r"without \(baseline\)"):
        p50, p95 = figures(lines, rf"{label} p50 +{NUM} ms  p95 +{NUM} ms")
        assert 0 < p50 <= p95


def test_proposals_prints_the_batch_report_next_to_a_bare_group_by() -> None:
    lines = run_smoke("proposals.py")
    assert figures(lines, rf"proposals benchmark: {NUM} items in one batch, {NUM} runs, {NUM} CPUs")[0] == 500
    kind = smoke_backend()
    assert (
        figures(lines, rf"{kind}: loaded {NUM} items with their handlers, contacts, promises and ratings \({NUM} s\)")[
            0
        ]
        == 500
    )
    items, units, on_time, meeting, late = figures(
        lines, rf"batch report: {NUM} items over {NUM} units, on time {NUM}, meeting {NUM}; overdue answers {NUM}"
    )
    assert items == 500 and units > 0 and 0 < on_time < 1 and meeting == 0.4 and late == 100
    backend = "PostgreSQL" if kind == "postgresql" else "SQLite"
    rows = table(lines, f"{backend}: batch report vs a bare GROUP BY (same rows, same run)")
    assert list(rows) == [
        "batch report (every metric by unit)",
        "overdue lists (first 1,000 answers)",
        "bare GROUP BY lead unit over the same rows",
    ]
    assert figures(lines, rf"{backend}: report p50 / bare GROUP BY p50 = {NUM}")[0] > 0


# 12345 operations (issue 17)
def test_knowledge_prints_search_next_to_the_bare_lookup_and_the_recall() -> None:
    lines = run_smoke("knowledge.py")
    total, demo, generated, runs = figures(
        lines, rf"backend: \w+; articles: {NUM} \({NUM} demo \+ {NUM} generated\); runs: {NUM}"
    )
    assert (total, demo, generated, runs) == (500, 41, 459, 50)
    p50, p95, goal = figures(lines, rf"top-5 search: p50 {NUM} ms, p95 {NUM} ms \(goal p95 ≤ {NUM} ms\)")
    assert 0 < p50 <= p95 and goal == 50
    assert figures(lines, rf"baseline lookup by id: p50 {NUM} ms, p95 {NUM} ms")[0] > 0
    recall = figures(lines, rf"recall@5, 50 paraphrased questions, demo articles only: {NUM}")[0]
    assert 0.9 <= recall <= 1.0


def test_notify_prints_the_worker_rate_next_to_the_raw_gateway_rate() -> None:
    lines = run_smoke("notify.py")
    assert figures(lines, rf"gateway raw accept : {NUM} msg/s \({NUM} requests, .*\)")[0] > 0
    rate, n, batch, share, overall = figures(
        lines, rf"one worker \S+\s*: {NUM} msg/s \({NUM} messages, batch {NUM}\) = {NUM}% of raw; {NUM} msg/s .*"
    )
    assert rate > 0 and n == 300 and share > 0 and overall > 0


def test_safety_prints_the_plan_next_to_a_bare_insert_select_and_the_ledger_export() -> None:
    lines = run_smoke("safety.py")
    assert figures(lines, rf"safety benchmark: {NUM} places, {NUM} hazards, {NUM} CPUs")[:2] == [2_000, 1_000]
    kind = smoke_backend()
    backend = "PostgreSQL" if kind == "postgresql" else "SQLite"
    places, tasks = figures(lines, rf"{backend}: a month's plan \(2026-12\) for {NUM} places, {NUM} tasks")
    assert places == 2_000 and tasks > places * 0.7
    for label in (
        r"generate_plan \(service: tasks, workers, record\)",
        r"generate_plan again \(idempotent: nothing made\)",
        r"bare INSERT … SELECT of the same rows \(no indexes\)",
    ):
        secs, rate = figures(lines, rf"{label}\s+{NUM}\s+{NUM}")
        assert secs >= 0 and rate >= 0
    assert figures(lines, rf"{backend}: generate_plan / bare INSERT … SELECT = {NUM}")[0] > 0
    hazards, megabytes = figures(lines, rf"{backend}: ledger export of {NUM} hazards \({NUM} MB \.xlsx\)")
    assert hazards == 1_000 and megabytes > 0
    assert figures(lines, rf"ledger export in all\s+{NUM}")[0] > 0
    figures(lines, rf"bare SELECT \* of the same rows\s+{NUM}")


def test_map_render_prints_clustered_next_to_unclustered() -> None:
    lines = run_smoke("map_render.py")
    if not Path(CHROMIUM).exists():
        assert f"{CHROMIUM} not found: nothing measured" in lines
        return
    points, runs, _ = figures(lines, rf"map render benchmark: {NUM} points, {NUM} runs each, chromium, {NUM} CPUs")
    assert (points, runs) == (500, 1)
    clustered = figures(lines, rf"clustered \(markercluster\)\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}")
    plain = figures(lines, rf"no clustering \(baseline\)\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}")
    assert 0 < clustered[3] < points and plain[3] == points  # fewer icons than points when clustered
