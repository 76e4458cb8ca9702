"""建议提案 benchmark: a batch's report (every metric by lead unit) and the overdue lists over one large batch, next
to a bare GROUP BY over the same rows in the same run.

    .venv/bin/python bench/proposals.py                          # SQLite and PostgreSQL, 20,000 items in one batch
    .venv/bin/python bench/proposals.py --backends sqlite --items 5000
    .venv/bin/python bench/proposals.py --smoke                  # 500 items, one backend (see _common)

The items are written in bulk, every one assigned to one of the reference city's department units, with a
contact for three in five, an answer for four in five (the class by turn, B with a promise), a rating for three in
five answered ones and a co-handler for one in four. We time proposals.queries.report (the metrics by unit and for
the batch, computed by proposals.domain.metrics over the rows it reads) and proposals.queries.overdue (the three
overdue lists, as the office reads them) and, in the same run, a bare `SELECT lead_unit_id, count(*) FROM
proposals WHERE batch_id = :b GROUP BY lead_unit_id`: the floor any per-unit page pays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.actor import Actor, Role  # noqa: E402
from gridgov.audit.domain import GENESIS  # noqa: E402
from gridgov.proposals.domain import Limits, deadlines  # noqa: E402
from gridgov.proposals.models import (  # noqa: E402
    Proposal,
    ProposalBatch,
    ProposalContact,
    ProposalHandler,
    ProposalPromise,
    ProposalRating,
)
from gridgov.proposals.queries import overdue, report  # noqa: E402
from gridgov.units.models import Unit  # noqa: E402

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, percentile, smoke_backend  # noqa: E402

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
TODAY = date(2026, 9, 1)
ASSIGNED = date(2026, 1, 31)
CHUNK = 5000
BARE = "SELECT lead_unit_id, count(*) FROM proposals WHERE batch_id = :b GROUP BY lead_unit_id"
OFFICE = Actor(None, Role.PROPOSAL_OFFICE, None)


def status_of(cls: str | None, answered: bool, rated: bool) -> str:
    if rated:
        return "tracking" if cls == "B" else "closed"
    return "answered" if answered else "assigned"


def handler(pid: int, unit: int, role: str) -> dict[str, Any]:
    return {"proposal_id": pid, "unit_id": unit, "role": role, "active": True, "assigned_on": ASSIGNED}


def load(db: BenchDb, n_items: int) -> tuple[int, float]:
    """(batch id, seconds to write the items and their rows)."""
    started = time.perf_counter()
    d = deadlines(ASSIGNED, Limits(), lambda day: day.weekday() < 5)
    with db.container.engine.begin() as conn:
        units = list(
            conn.execute(
                select(Unit.id).where(Unit.kind.in_(["city_department", "district_bureau"])).order_by(Unit.id)
            ).scalars()
        )
        batch = conn.execute(
            insert(ProposalBatch).returning(ProposalBatch.id),
            [{"code": "BENCH", "name": "基准批次", "held_on": ASSIGNED, "generated": True, "created_at": NOW}],
        ).scalar_one()
        rows: list[dict[str, Any]] = []
        for i in range(n_items):
            answered = i % 5 != 4
            cls = "ABCD"[i % 4] if answered else None
            rated = answered and i % 5 < 3
            on = ASSIGNED + timedelta(days=30 + i % 90) if answered else None
            rows.append(
                {
                    "batch_id": batch, "number": f"{i + 1:06d}", "kind": "proposal" if i % 2 else "suggestion",
                    "title": f"基准建议{i}", "body": "", "category": "", "focus": i % 13 == 0, "focus_leader": "",
                    "status": status_of(cls, answered, rated),
                    "lead_unit_id": units[i % len(units)], "assigned_on": ASSIGNED, "return_by": d.return_by,
                    "views_by": d.views_by, "contact_by": d.contact_by if i % 2 else None, "answer_by": d.answer_by,
                    "final_by": d.final_by, "due_on": None if answered else d.answer_by, "extended": False,
                    "explanation": "", "first_answered_on": on, "answered_on": on, "answer_class": cls,
                    "answer_text": "", "public": True, "not_public_reason": "", "rehandles": 0,
                    "rating_work": "satisfied" if rated else None,
                    "rating_result": ("basically" if i % 7 else "dissatisfied") if rated else None,
                    "generated": True, "created_at": NOW, "updated_at": NOW, "event_count": 0,
                    "last_event_hash": GENESIS, "version": 1,
                }
            )  # fmt: skip
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(Proposal), rows[i : i + CHUNK])
        ids = list(conn.execute(select(Proposal.id).where(Proposal.batch_id == batch).order_by(Proposal.id)).scalars())
        handlers, contacts, promises, ratings = [], [], [], []
        for i, pid in enumerate(ids):
            lead = units[i % len(units)]
            handlers.append(
                {"proposal_id": pid, "unit_id": lead, "role": "lead", "active": True, "assigned_on": ASSIGNED}
            )
            if i % 4 == 0:
                co = units[(i + 1) % len(units)]
                handlers.append(
                    {"proposal_id": pid, "unit_id": co, "role": "co", "active": True, "assigned_on": ASSIGNED}
                )
            if i % 5 < 3:
                contacts.append({"proposal_id": pid, "unit_id": lead, "method": ("meeting", "visit", "phone")[i % 3],
                                 "on": ASSIGNED + timedelta(days=5), "in_time": True, "note": ""})  # fmt: skip
            if i % 5 != 4 and i % 4 == 1:
                promises.append({"proposal_id": pid, "text": "承诺", "due_on": ASSIGNED + timedelta(days=120 + i % 200),
                                 "kept_on": ASSIGNED + timedelta(days=110) if i % 3 else None, "note": ""})  # fmt: skip
            if i % 5 < 3:
                ratings.append({"proposal_id": pid, "round": 1, "user_id": None, "work": "satisfied",
                                "result": "basically", "note": "",
                                "rated_on": ASSIGNED + timedelta(days=130)})  # fmt: skip
        for model, data in (
            (ProposalHandler, handlers),
            (ProposalContact, contacts),
            (ProposalPromise, promises),
            (ProposalRating, ratings),
        ):
            for i in range(0, len(data), CHUNK):
                conn.execute(insert(model), data[i : i + CHUNK])
    load_s = time.perf_counter() - started
    with db.container.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE" if db.name == "postgresql" else "ANALYZE"
        )
    return batch, load_s


def timed(fn: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(kind: str, args: argparse.Namespace, admin: str) -> None:
    label = "PostgreSQL" if kind == "postgresql" else "SQLite"
    with fresh_db(kind, full_city=args.full_city, admin=admin) as db:
        batch, load_s = load(db, args.items)
        print(
            f"{kind}: loaded {args.items:,} items with their handlers, contacts, promises and ratings ({load_s:.1f} s)"
        )
        with db.container.sessions() as s:
            rep = report(s, "BENCH", TODAY)
            late = overdue(s, OFFICE, TODAY, "BENCH")
            t = rep["total"]
            print(
                f"batch report: {t['items']:,} items over {len(rep['units'])} units, on time {t['on_time_rate']:.3f}, "
                f"meeting {t['meeting_rate']:.3f}; overdue answers {len(late['answers']):,}"
            )
            rep_ms = timed(lambda: report(s, "BENCH", TODAY), args.runs)
            late_ms = timed(lambda: overdue(s, OFFICE, TODAY, "BENCH"), args.runs)
            bare = timed(lambda: s.execute(text(BARE), {"b": batch}).all(), args.runs)
        print()
        print(f"{label}: batch report vs a bare GROUP BY (same rows, same run)")
        print(f"{'':44}{'p50 ms':>9}{'p95 ms':>9}")
        for name, values in (
            ("batch report (every metric by unit)", rep_ms),
            ("overdue lists (first 1,000 answers)", late_ms),
            ("bare GROUP BY lead unit over the same rows", bare),
        ):
            print(f"{name:44}{percentile(values, 50):9.1f}{percentile(values, 95):9.1f}")
        print()
        ratio = percentile(rep_ms, 50) / max(percentile(bare, 50), 1e-6)
        print(f"{label}: report p50 / bare GROUP BY p50 = {ratio:.1f}")
        url = db.url
    if kind == "sqlite":  # the file lives in a temporary folder of its own
        shutil.rmtree(Path(url.split("///", 1)[1]).parent, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--full-city", action=argparse.BooleanOptionalAction, default=False, help="郑州 in full")
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), items=500, runs=3)
    admin = PG_ADMIN
    if args.smoke:
        kind, admin = smoke_backend()
        backends = [kind]
    else:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"proposals benchmark: {args.items:,} items in one batch, {args.runs} runs, {os.cpu_count()} CPUs")
    for kind in backends:
        run(kind, args, admin)


if __name__ == "__main__":
    main()
