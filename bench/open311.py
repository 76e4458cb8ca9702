"""GET servicerequestupdates (open311.queries.updates + updates.update_records, what the route runs) over the
events of many cases, in one-hour windows as FixMyStreet polls them, with migration 0015's index on
case_events.occurred_at and, as the baseline in the same run, without it.

    .venv/bin/python bench/open311.py                     # 200,000 cases in PostgreSQL (a minute or two to load)
    .venv/bin/python bench/open311.py --cases 50000 --runs 20
    .venv/bin/python bench/open311.py --smoke             # 2,000 cases, SQLite (or GRIDGOV_TEST_DATABASE_URL's server)

The cases, tasks and events are written in bulk by SQL (bench/pages.py's fill). Each run asks for a different
one-hour window inside the span the events cover; p50/p95 in ms over --runs, then the index is dropped and the
same windows are asked again, and the index is built again.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import Sql, fill  # noqa: E402

from gridgov.open311 import queries, updates  # noqa: E402

from _common import PG_ADMIN, add_smoke, apply_smoke, fresh_db, percentile, smoke_backend  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/gridgov_bench_open311"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("GRIDGOV_BENCH_OPEN311_URL", DEFAULT_URL))
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=30)
    add_smoke(ap)
    args = ap.parse_args()
    kind, admin, url = "postgresql", PG_ADMIN, args.database_url
    if args.smoke:
        kind, admin = smoke_backend()
        url = None
        apply_smoke(ap, args, cases=2_000, runs=5)
    now = datetime.now(UTC).replace(microsecond=0)
    rnd = random.Random(11)
    with fresh_db(kind, url=url, admin=admin) as db:
        t0 = time.perf_counter()
        fill(db, args.cases, now)
        engine = db.container.engine
        steps(engine)
        load_s = time.perf_counter() - t0
        with db.container.sessions() as s:
            events = int(s.execute(text("SELECT count(*) FROM case_events")).scalar_one())
            first, last = s.execute(text("SELECT min(occurred_at), max(occurred_at) FROM case_events")).one()
        first, last = (_aware(first), _aware(last))
        span = max((last - first).total_seconds() - 3600, 1.0)
        windows = [first + timedelta(seconds=rnd.uniform(0, span)) for _ in range(args.runs)]

        def measure() -> tuple[list[float], int]:
            took, listed = [], 0
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.execute(text("ANALYZE case_events"))
            for start in windows:
                t = time.perf_counter()
                with db.container.sessions() as s:
                    rows = queries.updates(s, start, start + timedelta(hours=1), updates.QUIET, updates.MAX_UPDATES)
                    listed += len(updates.update_records(rows))
                took.append((time.perf_counter() - t) * 1000)
            return took, listed

        indexed, listed = measure()
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_case_events_occurred_at"))
        bare, listed_bare = measure()
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("CREATE INDEX ix_case_events_occurred_at ON case_events (occurred_at)"))
        build_s = time.perf_counter() - t
        assert listed == listed_bare, "the index must not change the answer"

    cpus = os.cpu_count() or 1
    print(f"open311 benchmark: {kind}, {cpus} CPUs, {args.runs} runs, one-hour windows")
    print(f"loaded {args.cases:,} cases, {events:,} events ({load_s:.1f} s); index built in {build_s:.2f} s")
    print(f"updates per window: {listed / max(args.runs, 1):.1f} on average")
    print(f"with the index     p50 {percentile(indexed, 50):8.2f} ms  p95 {percentile(indexed, 95):8.2f} ms")
    print(f"without (baseline) p50 {percentile(bare, 50):8.2f} ms  p95 {percentile(bare, 95):8.2f} ms")


STEPS = (  # the loop after the report, an hour apart: each an event the feed lists
    ("register", "reported", "registered"),
    ("dispatch", "registered", "dispatched"),
    ("accept", "dispatched", "accepted"),
    ("handle", "accepted", "handled"),
)


def steps(engine: Engine) -> None:
    """Four more events per case (fill writes only the report), by SQL."""
    q = Sql(engine.dialect.name)
    with engine.begin() as conn:
        for k, (action, before, after) in enumerate(STEPS, start=1):
            conn.execute(
                text(f"""
                INSERT INTO case_events (case_id, seq, event_type, tag, action, from_status, to_status, actor_id,
                    actor_role, unit_id, occurred_at, payload, prev_hash, hash)
                SELECT case_id, {k + 1}, 'bench', 'case:status:changed', '{action}', '{before}', '{after}', NULL,
                    'dispatcher', NULL, {q.add("occurred_at", str(k), "hour")}, '{{"note": "基准"}}', hash, hash
                FROM case_events WHERE seq = 1
                """)
            )


def _aware(value: object) -> datetime:
    if isinstance(value, str):  # SQLite gives the stored text back
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


if __name__ == "__main__":
    main()
