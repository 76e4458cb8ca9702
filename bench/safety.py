"""安全生产 benchmark: a month's inspection plan for 200,000 places next to a bare INSERT … SELECT of the same rows
in the same run, and the ledger (台账) export of 100,000 hazards next to a bare SELECT of them.

    .venv/bin/python bench/safety.py                          # SQLite and PostgreSQL, 200,000 places, 100,000 hazards
    .venv/bin/python bench/safety.py --backends sqlite --places 50000
    .venv/bin/python bench/safety.py --smoke                  # 2,000 places, 1,000 hazards, one backend (see _common)

The places are spread over the reference city's micro-grids (70% 九小场所, 10% rental housing, 20% enterprises; 15%
red). We time gridgov.safety.services.generate_plan for 2026-12 (both shipped plans: every 九小场所 once, every red
place in each of the month's four weeks; one transaction, the record's events and leaves included), then the
same call again (idempotent: it makes nothing), and — in the same run — a bare `INSERT INTO bare_tasks … SELECT
… FROM safety_places WHERE …` of the same rows into a table without indexes: the floor of writing them.

The ledger: 100,000 hazards found in 2026Q4, exported with queries.ledger_rows, the four statistics and
excel.ledger_workbook (the bytes GET /api/v1/safety/ledger.xlsx sends), next to a bare SELECT of the same rows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.actor import Actor, Role  # noqa: E402
from gridgov.audit.domain import GENESIS  # noqa: E402
from gridgov.indicator_sources import Period  # noqa: E402
from gridgov.safety import queries  # noqa: E402
from gridgov.safety.excel import ledger_workbook  # noqa: E402
from gridgov.safety.models import SafetyHazard, SafetyPlace  # noqa: E402
from gridgov.safety.repository import SqlSafetyUnitOfWork  # noqa: E402
from gridgov.safety.rules import shipped_rules  # noqa: E402
from gridgov.safety.services import generate_plan  # noqa: E402

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, smoke_backend  # noqa: E402

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
CHUNK = 5000
ADMIN = Actor(None, Role.ADMIN, None, name="bench")
BARE_TABLE = (
    "CREATE TABLE bare_tasks (run_id INTEGER, plan_code VARCHAR(40), period VARCHAR(7), slot VARCHAR(10), "
    "place_id INTEGER, grid_code VARCHAR(15), due_on DATE, status VARCHAR(10))"
)
BARE_INSERT = (
    "INSERT INTO bare_tasks (run_id, plan_code, period, slot, place_id, grid_code, due_on, status) "
    "SELECT 0, :plan, '2026-12', :slot, id, grid_code, :due, 'open' FROM safety_places "
    "WHERE status = 'open' AND {where}"
)
ROUNDS = [
    ("nine_small_monthly", "place_group = 'nine_small'", "2026-12", "2026-12-31"),
    *(("red_weekly", "risk = 'red'", f"2026-W{w}", d) for w, d in ((50, "2026-12-13"), (51, "2026-12-20"),
                                                                     (52, "2026-12-27"), (53, "2027-01-03"))),
]  # fmt: skip


def load_places(db: BenchDb, n: int) -> float:
    rules = shipped_rules()
    groups = {"nine_small": [], "rental": [], "enterprise": []}  # type: dict[str, list[str]]
    for t in rules.types.values():
        groups[t.group.value].append(t.code)
    with db.container.sessions() as s:
        grids = [r[0] for r in s.execute(text("SELECT code FROM grids WHERE level = 4 ORDER BY code"))]
    rnd = random.Random(21)
    started = time.perf_counter()
    with db.container.engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for i in range(n):
            u = rnd.random()
            group = "nine_small" if u < 0.7 else "rental" if u < 0.8 else "enterprise"
            type_code = rnd.choice(groups[group])
            grid = grids[i % len(grids)]
            rows.append(
                {
                    "code": f"B{i:07d}", "name": f"场所{i}", "type_code": type_code, "place_group": group,
                    "industry": rules.types[type_code].industry, "address": "", "lat": 34.75, "lon": 113.62,
                    "grid_code": grid, "street_code": grid[:9], "district_code": grid[:6],
                    "responsible_name": "", "responsible_phone": "",
                    "risk": "red" if rnd.random() < 0.15 else rnd.choice(("orange", "yellow", "blue")),
                    "status": "open", "merged_into_id": None, "closed_on": None, "generated": True,
                    "created_at": NOW, "updated_at": NOW, "event_count": 0, "last_event_hash": GENESIS, "version": 1,
                }
            )  # fmt: skip
            if len(rows) == CHUNK:
                conn.execute(insert(SafetyPlace), rows)
                rows = []
        if rows:
            conn.execute(insert(SafetyPlace), rows)
    return time.perf_counter() - started


def load_hazards(db: BenchDb, n: int) -> float:
    rnd = random.Random(22)
    with db.container.sessions() as s:
        places = s.execute(text("SELECT id, type_code, grid_code FROM safety_places ORDER BY id LIMIT 50000")).all()
    start = datetime(2026, 9, 30, 17, tzinfo=UTC)
    statuses = ("rectifying", "awaiting_review", "accepted", "closed", "closed", "closed", "awaiting_plan")
    started = time.perf_counter()
    with db.container.engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for i in range(n):
            pid, type_code, grid = places[i % len(places)]
            major = rnd.random() < 0.08
            status = rnd.choice(statuses if major else statuses[:6])
            found = start + timedelta(minutes=rnd.randrange(0, 90 * 24 * 60))
            rows.append(
                {
                    "code": f"YH{i:07d}", "place_id": pid, "inspection_id": None, "item_code": "F01",
                    "item_text": "疏散通道、安全出口畅通", "basis": "《消防法》第二十八条", "description": "",
                    "grade": "major" if major else "general", "status": status, "place_type": type_code,
                    "grid_code": grid, "street_code": grid[:9], "district_code": grid[:6], "found_at": found,
                    "found_by_id": None, "found_by_name": "网格员", "rectify_due_at": found + timedelta(days=9),
                    "due_at": None, "fixed_on_spot": False, "responsible": "负责人" if major else "",
                    "measures": "整改" if major else "", "funds": 5000 if major else None, "time_limit": None,
                    "contingency": "", "supervised": major and rnd.random() < 0.3, "supervised_at": None,
                    "supervisor_unit": "", "rectified_at": None, "reviews": int(status in ("accepted", "closed")),
                    "reviewed_at": found + timedelta(days=5) if status in ("accepted", "closed") else None,
                    "reviewer_name": "街道安全办",
                    "closed_at": found + timedelta(days=6) if status == "closed" else None,
                    "on_time": rnd.random() < 0.85 if status == "closed" else None, "escalation_level": 0,
                    "repeat_count": 0, "recurrence_of_id": None, "case_id": None, "generated": True,
                    "created_at": found, "updated_at": found, "event_count": 0, "last_event_hash": GENESIS,
                    "version": 1,
                }
            )  # fmt: skip
            if len(rows) == CHUNK:
                conn.execute(insert(SafetyHazard), rows)
                rows = []
        if rows:
            conn.execute(insert(SafetyHazard), rows)
    return time.perf_counter() - started


def analyse(db: BenchDb) -> None:
    with db.container.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE" if db.name == "postgresql" else "ANALYZE"
        )


def run(kind: str, args: argparse.Namespace, admin: str) -> None:
    label = "PostgreSQL" if kind == "postgresql" else "SQLite"
    with fresh_db(kind, full_city=args.full_city, admin=admin) as db:
        load_s = load_places(db, args.places)
        analyse(db)
        print(f"{kind}: loaded {args.places:,} places ({load_s:.1f} s)")
        c = db.container
        started = time.perf_counter()
        results = generate_plan(SqlSafetyUnitOfWork(c.uow()), "2026-12", ADMIN, NOW)
        plan_s = time.perf_counter() - started
        made = sum(r.made for r in results)
        started = time.perf_counter()
        again = generate_plan(SqlSafetyUnitOfWork(c.uow()), "2026-12", ADMIN, NOW)
        again_s = time.perf_counter() - started
        assert sum(r.made for r in again) == 0
        with c.engine.begin() as conn:
            conn.exec_driver_sql(BARE_TABLE)
        started = time.perf_counter()
        with c.engine.begin() as conn:
            for plan, where, slot, due in ROUNDS:
                conn.execute(text(BARE_INSERT.format(where=where)), {"plan": plan, "slot": slot, "due": due})
        bare_s = time.perf_counter() - started
        with c.engine.connect() as conn:
            bare_rows = conn.execute(text("SELECT count(*) FROM bare_tasks")).scalar_one()
        assert bare_rows == made, (bare_rows, made)
        print()
        print(f"{label}: a month's plan (2026-12) for {args.places:,} places, {made:,} tasks")
        print(f"{'':52}{'s':>8}{'tasks/s':>12}")
        for name, secs in (
            ("generate_plan (service: tasks, workers, record)", plan_s),
            ("generate_plan again (idempotent: nothing made)", again_s),
            ("bare INSERT … SELECT of the same rows (no indexes)", bare_s),
        ):
            print(f"{name:52}{secs:8.2f}{made / secs if secs else 0:12,.0f}")
        print(f"{label}: generate_plan / bare INSERT … SELECT = {plan_s / max(bare_s, 1e-6):.1f}")

        hz_s = load_hazards(db, args.hazards)
        analyse(db)
        print()
        print(f"{kind}: loaded {args.hazards:,} hazards ({hz_s:.1f} s)")
        q4 = Period.parse("2026Q4")
        with c.sessions() as s:
            started = time.perf_counter()
            rows = queries.ledger_rows(s, q4)
            rows_s = time.perf_counter() - started
            started = time.perf_counter()
            stats = {by: queries.statistics(s, q4, by) for by in ("district", "street", "type", "grade")}
            stats_s = time.perf_counter() - started
            started = time.perf_counter()
            data = ledger_workbook(q4.label, rows, stats)
            book_s = time.perf_counter() - started
            started = time.perf_counter()
            bare = s.execute(text("SELECT * FROM safety_hazards WHERE found_at >= :a"), {"a": "2026-09-30"}).all()
            select_s = time.perf_counter() - started
        assert len(rows) == args.hazards == len(bare), (len(rows), len(bare))
        print(f"{label}: ledger export of {len(rows):,} hazards ({len(data) / 1e6:.1f} MB .xlsx)")
        print(f"{'':52}{'s':>8}")
        for name, secs in (
            ("ledger rows (query, names, labels)", rows_s),
            ("statistics by district, street, type, grade", stats_s),
            ("workbook (write-only openpyxl)", book_s),
            ("ledger export in all", rows_s + stats_s + book_s),
            ("bare SELECT * of the same rows", select_s),
        ):
            print(f"{name:52}{secs:8.2f}")
        url = db.url
    if kind == "sqlite":
        shutil.rmtree(Path(url.split("///", 1)[1]).parent, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--places", type=int, default=200_000)
    ap.add_argument("--hazards", type=int, default=100_000)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--full-city", action=argparse.BooleanOptionalAction, default=False, help="郑州 in full")
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), places=2_000, hazards=1_000)
    admin = PG_ADMIN
    if args.smoke:
        kind, admin = smoke_backend()
        backends = [kind]
    else:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"safety benchmark: {args.places:,} places, {args.hazards:,} hazards, {os.cpu_count()} CPUs")
    for kind in backends:
        run(kind, args, admin)


if __name__ == "__main__":
    main()
