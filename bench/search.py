"""Case search (cases.search) over 1M cases in PostgreSQL, next to a bare indexed lookup by tracking code.

    .venv/bin/python bench/search.py                      # 1,000,000 cases (several minutes to load and index)
    .venv/bin/python bench/search.py --cases 100000 --runs 20
    .venv/bin/python bench/search.py --smoke              # 2,000 cases, SQLite (or GRIDGOV_TEST_DATABASE_URL's server)

A fresh database (GRIDGOV_BENCH_SEARCH_URL or --database-url) is migrated and given the small reference city;
the cases are written in bulk by SQL (bench/pages.py's fill) and then given varied Chinese titles, descriptions,
addresses and phones; migration 0009's search indexes are dropped for the load and built again after it (the
build is timed). Measured, each as p50/p95 over --runs with a different term each run, through
cases.search.search_cases (the query the screens run, scope condition included) for a city-wide operator and
for one street office: a tracking code, a full phone, a phone's last 4 digits, a two-character word, a longer
phrase, two words, an address. The baseline, in the same run: `SELECT id FROM cases WHERE tracking_code = :c`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import fill  # noqa: E402

from gridgov.accounts.domain import Actor, Role  # noqa: E402
from gridgov.cases.search import search_cases  # noqa: E402

from _common import PG_ADMIN, add_smoke, apply_smoke, fresh_db, percentile, smoke_backend  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/gridgov_bench_search"
GOAL_MS = 300.0
ROADS = [
    "经八路",
    "红旗路",
    "文化路",
    "农业路",
    "金水路",
    "花园路",
    "中原路",
    "建设路",
    "嵩山路",
    "航海路",
    "大学路",
    "陇海路",
    "桐柏路",
    "伏牛路",
    "南阳路",
    "黄河路",
    "纬五路",
    "政七街",
    "工人路",
    "淮河路",
]
PROBLEMS = [
    "路灯不亮",
    "井盖缺失",
    "垃圾满溢",
    "占道经营",
    "噪音扰民",
    "道路破损",
    "积水严重",
    "违章停车",
    "绿化损坏",
    "油烟扰民",
    "管道漏水",
    "乱贴广告",
    "夜间施工",
    "共享单车乱停",
    "树木倒伏",
    "污水外溢",
]
DETAILS = [
    "整夜不亮",
    "已经三天",
    "影响出行",
    "老人孩子经过危险",
    "多次反映未解决",
    "周边居民意见很大",
    "希望尽快处理",
    "雨后更严重",
    "晚上十点以后",
    "靠近小区东门",
    "公交站台旁边",
    "学校门口",
]
INDEXES = {
    "ix_cases_search_trgm": "gin ({doc} gin_trgm_ops)",
    "ix_cases_search_bigrams": "gin (gridgov_bigrams({doc}))",
    "ix_cases_phone_digits": "gin (({digits}) gin_trgm_ops)",
}
DOC = "(coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || coalesce(address, ''))"
DIGITS = "regexp_replace(coalesce(reporter_phone, ''), '[^0-9]', '', 'g')"


def _arr(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v + "'" for v in values) + "]"


def texts(db: object, n: int) -> dict[str, float]:
    """Varied Chinese text on every case; PostgreSQL by SQL (indexes dropped, then built and timed)."""
    took: dict[str, float] = {}
    engine = db.container.engine  # type: ignore[attr-defined]
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        t0 = time.perf_counter()
        if pg:
            for name in INDEXES:
                conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
            r, p, d = _arr(ROADS), _arr(PROBLEMS), _arr(DETAILS)
            conn.execute(
                text(f"""UPDATE cases SET
                title = ({p})[1 + id % {len(PROBLEMS)}],
                description = ({r})[1 + (id / 7) % {len(ROADS)}] || '附近' || ({p})[1 + id % {len(PROBLEMS)}]
                    || ', ' || ({d})[1 + (id / 3) % {len(DETAILS)}] || ' 编号' || id,
                address = ({r})[1 + (id / 7) % {len(ROADS)}] || ' ' || (1 + id % 300) || ' 号',
                reporter_phone = CASE WHEN id % 4 = 0 THEN '' ELSE
                    '13' || lpad(((id::bigint * 7919) % 1000000000)::text, 9, '0') END""")
            )
        else:
            rows = []
            for i in range(1, n + 1):
                road, problem = ROADS[(i // 7) % len(ROADS)], PROBLEMS[i % len(PROBLEMS)]
                detail = DETAILS[(i // 3) % len(DETAILS)]
                phone = "" if i % 4 == 0 else "13" + str((i * 7919) % 1_000_000_000).zfill(9)
                rows.append(
                    {
                        "i": i,
                        "t": problem,
                        "d": f"{road}附近{problem}, {detail} 编号{i}",
                        "a": f"{road} {1 + i % 300} 号",
                        "p": phone,
                    }
                )
            conn.execute(
                text("UPDATE cases SET title = :t, description = :d, address = :a, reporter_phone = :p WHERE id = :i"),
                rows,
            )
        took["text"] = time.perf_counter() - t0
    if pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            t0 = time.perf_counter()
            for name, how in INDEXES.items():
                conn.execute(text(f"CREATE INDEX {name} ON cases USING {how.format(doc=DOC, digits=DIGITS)}"))
            took["index"] = time.perf_counter() - t0
            conn.execute(text("VACUUM ANALYZE cases"))
    return took


@contextmanager
def reused(url: str) -> Iterator[Any]:
    """The database a --keep run left, as it is."""
    from gridgov.bootstrap import bootstrap
    from gridgov.config import Settings

    container = bootstrap(Settings(database_url=url, log_level="WARNING"))
    try:
        yield SimpleNamespace(container=container, url=url)
    finally:
        container.close()


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("GRIDGOV_BENCH_SEARCH_URL", DEFAULT_URL))
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="leave the database behind")
    ap.add_argument("--reuse", action="store_true", help="measure a database left by --keep (no load)")
    add_smoke(ap)
    args = ap.parse_args()
    kind, admin, url = "postgresql", PG_ADMIN, args.database_url
    if args.smoke:
        kind, admin = smoke_backend()
        url, args.keep = None, False
        apply_smoke(ap, args, cases=2_000, runs=3)
    now = datetime.now(UTC).replace(microsecond=0)
    rnd = random.Random(7)
    with reused(url) if args.reuse else fresh_db(kind, url=url, keep=args.keep, admin=admin) as db:
        t0 = time.perf_counter()
        if not args.reuse:
            fill(db, args.cases, now)
        load_s = time.perf_counter() - t0
        took = texts(db, args.cases) if not args.reuse else {"text": 0.0}
        with db.container.sessions() as s:
            n = int(s.execute(text("SELECT count(*) FROM cases")).scalar_one())
            codes = [c for (c,) in s.execute(text("SELECT tracking_code FROM cases ORDER BY random() LIMIT 200"))]
            phones = [
                p for (p,) in s.execute(text("SELECT reporter_phone FROM cases WHERE reporter_phone <> '' LIMIT 200"))
            ]
            street = s.execute(
                text("SELECT id, grid_code FROM units WHERE kind = 'street_office' ORDER BY code")
            ).first()
        assert street is not None
        city = Actor(user_id=None, role=Role.OPERATOR, unit_id=None, name="bench")
        office = Actor(user_id=None, role=Role.STREET, unit_id=street[0], name="bench", unit_grid=street[1])
        pick = lambda xs, i: xs[(i * 7 + rnd.randrange(len(xs))) % len(xs)]  # noqa: E731
        cases = {
            "tracking code": lambda i: pick(codes, i),
            "full phone": lambda i: pick(phones, i),
            "phone, last 4 digits": lambda i: pick(phones, i)[-4:],
            "two characters (路灯…)": lambda i: pick([p[:2] for p in PROBLEMS], i),
            "a phrase (整夜不亮…)": lambda i: pick(DETAILS, i),
            "two words (经八路 路灯…)": lambda i: pick(ROADS, i) + " " + pick(PROBLEMS, i)[:2],
            "an address (红旗路 88…)": lambda i: pick(ROADS, i) + " " + str(10 + i % 290),
        }
        rows: list[tuple[str, list[float]]] = []
        for who, actor in (("city", city), ("street", office)):
            for label, term in cases.items():
                with db.container.sessions() as s:
                    search_cases(s, actor, term(0))  # warm
                    ms = timed(lambda i, s=s, t=term, a=actor: search_cases(s, a, t(i)), args.runs)
                    rows.append((f"{who}: {label}", ms))
        with db.container.engine.connect() as conn:
            bare = timed(
                lambda i: conn.execute(
                    text("SELECT id FROM cases WHERE tracking_code = :c"), {"c": pick(codes, i)}
                ).scalar(),
                args.runs,
            )
    backend = "PostgreSQL" if kind == "postgresql" else "SQLite"
    print(f"search benchmark: {backend}, {os.cpu_count()} CPUs, {args.runs} runs per query, each with another term")
    index = f", indexes built in {took['index']:.1f} s" if "index" in took else ""
    print(f"loaded {n:,} cases ({load_s:.1f} s), text {took['text']:.1f} s{index}")
    print(f"{'query':40} {'p50 ms':>9} {'p95 ms':>9}  goal p95 <= {GOAL_MS:.0f} ms")
    for label, ms in rows:
        p95 = percentile(ms, 95)
        print(f"{label:40} {percentile(ms, 50):9.1f} {p95:9.1f}  {'ok' if p95 <= GOAL_MS else 'SLOW'}")
    print(f"{'baseline: bare lookup by tracking code':40} {percentile(bare, 50):9.1f} {percentile(bare, 95):9.1f}")


if __name__ == "__main__":
    main()
