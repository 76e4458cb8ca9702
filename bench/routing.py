"""Routing from history on the case page: the cached learner (cases.routing.RouteCache) next to reading the
whole dispatch history (routing.learner_from), in the same run.

    .venv/bin/python bench/routing.py                        # SQLite, 200,000 cases with a settled dispatch
    .venv/bin/python bench/routing.py --backend postgresql --cases 200000
    .venv/bin/python bench/routing.py --smoke

The cases are written by SQL (bench/pages.py's fill); each gets a dispatch to its grid's street office and an
accept (every tenth a return), as events with placeholder hashes (nothing here verifies the record). Measured:
building the learner from the whole history, the cache's first call (the same work), a call with nothing new
(one primary-key look-up and an empty range), and a call after 10 new settled dispatches; each the median of
--runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import fill  # noqa: E402

from gridgov.cases.routing import RouteCache, learner_from  # noqa: E402

from _common import PG_ADMIN, add_smoke, apply_smoke, fresh_db, smoke_backend  # noqa: E402


def settle(conn: Connection, first_id: int, last_id: int) -> None:
    """A dispatch (seq 2) and an accept or a return (seq 3, every tenth case returned) for the cases
    first_id..last_id, to the street office of the case's grid."""
    pg = conn.dialect.name == "postgresql"
    unit = """'{"unit_code": "' || substr(c.grid_code, 1, 9) || '"}'"""
    steps = (
        (2, "'dispatch'", f"CAST({unit} AS JSON)" if pg else unit),
        (3, "CASE WHEN c.id % 10 = 0 THEN 'return' ELSE 'accept' END", "CAST('{}' AS JSON)" if pg else "'{}'"),
    )
    for seq, action, payload in steps:
        conn.execute(
            text(
                "INSERT INTO case_events (case_id, seq, event_type, tag, action, from_status, to_status, actor_id,"
                " actor_role, unit_id, occurred_at, payload, prev_hash, hash)"
                f" SELECT c.id, {seq}, 'bench', 'bench', {action}, 'registered', 'dispatched', NULL, 'dispatcher',"
                f" NULL, c.created_at, {payload}, '', substr(c.id || '-{seq}-' || c.grid_code || '{'0' * 64}', 1, 64)"
                " FROM cases c WHERE c.id BETWEEN :a AND :b"
                " AND c.category_code IS NOT NULL AND c.grid_code IS NOT NULL"
            ),
            {"a": first_id, "b": last_id},
        )


def median_ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="sqlite")
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    add_smoke(ap)
    args = ap.parse_args()
    admin = PG_ADMIN
    if args.smoke:
        args.backend, admin = smoke_backend()
        apply_smoke(ap, args, cases=2_000, runs=2)
    now = datetime.now(UTC).replace(microsecond=0)
    with fresh_db(args.backend, admin=admin) as db:
        fill(db, args.cases, now)
        with db.container.engine.begin() as conn:
            ids = [int(i) for (i,) in conn.execute(text("SELECT id FROM cases ORDER BY id"))]
            settle(conn, ids[0], ids[-11])
        with db.container.sessions() as s:
            settled = int(
                s.execute(text("SELECT count(*) FROM case_events WHERE action IN ('accept', 'return')")).scalar_one()
            )
            full = median_ms(lambda: learner_from(s), args.runs)
            first = median_ms(lambda: RouteCache().learner(s), args.runs)
            cache = RouteCache()
            cache.learner(s)
            idle = median_ms(lambda: cache.learner(s), max(args.runs, 20))
        with db.container.engine.begin() as conn:
            settle(conn, ids[-10], ids[-1])
        with db.container.sessions() as s:
            t0 = time.perf_counter()
            learner = cache.learner(s)
            after_new = (time.perf_counter() - t0) * 1000
            same = learner.kept == learner_from(s).kept and learner.returned == learner_from(s).returned
    print(f"routing benchmark: {args.backend}, {os.cpu_count()} CPUs, {settled:,} settled dispatches")
    print(f"  whole history (learner_from)          {full:10.1f} ms")
    print(f"  cache, first call                     {first:10.1f} ms")
    print(
        f"  cache, nothing new                    {idle:10.2f} ms  ({full / idle:,.0f}x faster than the whole history)"
    )
    print(f"  cache, 10 new settled dispatches      {after_new:10.2f} ms")
    print(f"  cache agrees with the whole history: {same}")
    if not same:
        raise SystemExit("the cached learner differs from the whole history")


if __name__ == "__main__":
    main()
