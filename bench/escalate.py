"""Escalation benchmark: `gridgov escalate` over 1M open cases, of which 0, 1,000 or 10,000 are due.

    .venv/bin/python bench/escalate.py                         # SQLite and PostgreSQL, 1,000,000 open cases
    .venv/bin/python bench/escalate.py --cases 100000 --backends sqlite
    .venv/bin/python bench/escalate.py --smoke              # 2,000 cases, 0/10/100 due, one backend (see _common)

The open cases are written in bulk by SQL (dispatched, owned by a street office, response clock running).
For each batch size the due cases get a deadline in the past; we time scan_overdue() in-process and the whole
`gridgov escalate` command (Python start-up included), next to a bare indexed SELECT of the due rows in the
same run (the floor any scanner pays).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.cases.services import scan_overdue  # noqa: E402

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, smoke_backend  # noqa: E402

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def fill(db: BenchDb, n: int) -> float:
    """n dispatched cases whose response clock runs until far in the future."""
    with db.container.sessions() as s:
        unit_id = s.execute(text("SELECT id FROM units WHERE code = :c"), {"c": db.grid[:9]}).scalar_one()
    start = time.perf_counter()
    dialect = db.container.engine.dialect.name
    series = (
        "SELECT g AS i FROM generate_series(1, :n) AS g"
        if dialect == "postgresql"
        else "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s"
    )
    ts = "CAST(:t AS TIMESTAMP WITH TIME ZONE)" if dialect == "postgresql" else ":t"
    sql = f"""
        INSERT INTO cases (tracking_code, title, description, source, category_code, urgency, grid_code, address,
            location_source, reporter_name, reporter_phone, category_source, needs_review, status, owner_unit_id,
            created_at, updated_at, dispatched_at,
            clock_start, clock_due, clock_unit, response_due_at, handle_due_at, handle_unit, alarm_level,
            escalation_level, next_alarm_at, rework_count, return_count, postponed, event_count, last_event_hash,
            version)
        SELECT 'B' || i, '基准案件', '', 'hotline', 'H1802', 'normal', :grid, '', 'none', '', '', 'reporter', false,
            'dispatched', :unit, {ts}, {ts}, {ts},
            {ts}, {ts}, 'minutes', {ts}, {ts}, 'minutes', 'none', 0, {ts}, 0, 0, false, 0,
            :genesis, 1
        FROM ({series}) AS seq
    """
    far = NOW + timedelta(days=365)
    # SQLite keeps datetimes as text: write exactly the format SQLAlchemy writes, or comparisons go wrong
    stamp = far if dialect == "postgresql" else far.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    with db.container.engine.begin() as conn:
        conn.execute(text(sql), {"n": n, "grid": db.grid, "unit": unit_id, "t": stamp, "genesis": "0" * 64})
    with db.container.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - start


def make_due(db: BenchDb, k: int) -> None:
    """k cases: clock started 10 h ago, due 1 h ago (so one escalation is due; the warning is skipped)."""
    sqlite = db.container.engine.dialect.name == "sqlite"

    def t(dt: datetime) -> object:
        return dt.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if sqlite else dt

    with db.container.engine.begin() as conn:
        conn.execute(
            text("""UPDATE cases SET clock_start = :s, clock_due = :d, next_alarm_at = :d
                             WHERE id IN (SELECT id FROM cases WHERE alarm_level = 'none' ORDER BY id LIMIT :k)"""),
            {"s": t(NOW - timedelta(hours=10)), "d": t(NOW - timedelta(hours=1)), "k": k},
        )


def bare_select(db: BenchDb) -> float:
    sqlite = db.container.engine.dialect.name == "sqlite"
    now = NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if sqlite else NOW
    start = time.perf_counter()
    with db.container.engine.connect() as conn:
        sql = "SELECT * FROM cases WHERE next_alarm_at <= :n ORDER BY next_alarm_at, id"
        conn.execute(text(sql), {"n": now}).fetchall()
    return time.perf_counter() - start


def cli_time(db: BenchDb) -> float:
    env = {**os.environ, "GRIDGOV_LOG_LEVEL": "WARNING"}
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridgov.cli",
            "escalate",
            "--database-url",
            db.url,
            "--now",
            NOW.isoformat(),
            "--dry-run",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--due", default="0,1000,10000")
    add_smoke(ap)
    args = ap.parse_args()
    admin = PG_ADMIN
    if args.smoke:
        smoke_kind, admin = smoke_backend()
        apply_smoke(ap, args, cases=2_000, due="0,10,100", backends=smoke_kind)
    lines = []
    for kind in args.backends.split(","):
        with fresh_db(kind, admin=admin) as db:
            fill_s = fill(db, args.cases)
            lines.append(f"{kind}: wrote {args.cases:,} open cases in {fill_s:.1f} s")
            for k in (int(x) for x in args.due.split(",")):
                make_due(db, k)
                floor = bare_select(db)
                cli_s = cli_time(db)  # dry run: the same scan, rolled back
                c = db.container
                t0 = time.perf_counter()
                report = scan_overdue(c.uow_factory, NOW, c.calendar, c.policy, c.settings.escalation_batch_size)
                scan_s = time.perf_counter() - t0
                again = time.perf_counter()
                second = scan_overdue(c.uow_factory, NOW, c.calendar, c.policy, c.settings.escalation_batch_size)
                again_s = time.perf_counter() - again
                lines.append(
                    f"  due {k:>6,}: bare SELECT {floor * 1000:8.1f} ms | scan {scan_s * 1000:8.1f} ms "
                    f"({report.escalated:,} escalated) | rerun {again_s * 1000:6.1f} ms ({second.escalated} more) | "
                    f"CLI --dry-run wall {cli_s:5.2f} s"
                )
    print(f"escalation benchmark, {os.cpu_count()} CPUs")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
