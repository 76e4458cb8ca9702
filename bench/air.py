"""Air-quality benchmark: import and aggregate a year of hourly data for 20 stations (175,200 rows), next to a
bare INSERT of the same rows and a bare GROUP BY over them in the same run.

    .venv/bin/python bench/air.py                          # SQLite and PostgreSQL, 20 stations × 365 days
    .venv/bin/python bench/air.py --stations 40 --backends sqlite
    .venv/bin/python bench/air.py --smoke                  # 2 stations × 3 days, one backend (see _common)

What is timed, on a fresh migrated database:
  - parse: reading and checking every line of the CSV (air.files.read_hourly), no database;
  - import_hourly: the whole service (parse, check, replace the hours, recompute every area's days, commit);
  - recompute_days: the aggregation alone, run again over the stored year (the area hours by one GROUP BY,
    then the 24-hour means, the 8-hour O3 and the AQI of each area's day in Python);
  - bare INSERT: the same rows as tuples through the driver's executemany into a table of the same columns;
  - bare GROUP BY: one SELECT of the daily means per district and day over the stored hours;
  - composite: the city's composite index for the year from its days.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.actor import Actor, Role  # noqa: E402
from gridgov.air import services  # noqa: E402
from gridgov.air.files import read_hourly  # noqa: E402
from gridgov.air.repository import SqlAirUnitOfWork  # noqa: E402
from gridgov.air.sample import hourly_csv, station_codes, stations_csv  # noqa: E402
from gridgov.indicator_sources import Period  # noqa: E402

from _common import PG_ADMIN, BenchDb, add_smoke, apply_smoke, fresh_db, smoke_backend  # noqa: E402

ADMIN = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="bench")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FIRST = date(2025, 1, 1)
SCRATCH = "bench_air_hours"
COLUMNS = "station_id, day, hour, so2, no2, pm10, pm25, co, o3, o3_8h, import_id"


def districts(db: BenchDb) -> list[str]:
    with db.container.sessions() as s:
        return list(s.execute(text("SELECT code FROM units WHERE kind = 'district' ORDER BY code")).scalars())


def bare_insert(db: BenchDb, rows: list[tuple[object, ...]]) -> float:
    """The floor of any import: the same rows, already parsed, through executemany into a bare table."""
    engine = db.container.engine
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {SCRATCH}"))
        conn.execute(text(f"CREATE TABLE {SCRATCH} AS SELECT {COLUMNS} FROM air_hours WHERE 1 = 0"))
    marks = ", ".join(["?" if sqlite else "%s"] * 11)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        start = time.perf_counter()
        cur.executemany(f"INSERT INTO {SCRATCH} ({COLUMNS}) VALUES ({marks})", rows)
        raw.commit()
        elapsed = time.perf_counter() - start
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {SCRATCH}"))
    return elapsed


def bare_group_by(db: BenchDb) -> tuple[float, int]:
    sql = text(
        "SELECT s.district_code, h.day, AVG(h.so2), AVG(h.no2), AVG(h.pm10), AVG(h.pm25), AVG(h.co), MAX(h.o3) "
        "FROM air_hours h JOIN air_stations s ON s.id = h.station_id GROUP BY s.district_code, h.day"
    )
    with db.container.engine.connect() as conn:
        start = time.perf_counter()
        n = len(conn.execute(sql).all())
        return time.perf_counter() - start, n


def run(db: BenchDb, n_stations: int, days: int) -> list[str]:
    codes = station_codes(n_stations)
    c = db.container
    services.import_stations(SqlAirUnitOfWork(c.uow()), stations_csv(codes, districts(db)), "s.csv", ADMIN, NOW)
    raw = hourly_csv(codes, FIRST, days)
    rows_n = n_stations * days * 24
    out = [f"{db.name}: {rows_n:,} rows, {len(raw) / 1e6:.1f} MB of CSV"]

    uow = SqlAirUnitOfWork(c.uow(write=False))
    with uow:
        stations = uow.air.stations()
    start = time.perf_counter()
    parsed = read_hourly(raw, "year.csv", stations)
    parse_s = time.perf_counter() - start

    start = time.perf_counter()
    result = services.import_hourly(SqlAirUnitOfWork(c.uow()), raw, "year.csv", ADMIN, NOW)
    import_s = time.perf_counter() - start
    assert result.rows == rows_n

    agg = SqlAirUnitOfWork(c.uow())
    start = time.perf_counter()
    with agg:
        area_days = services.recompute_days(agg, FIRST, parsed[-1].day)
        agg.commit()
    agg_s = time.perf_counter() - start

    tuples = [(stations[r.station_code].id, r.day, r.hour, *r.values, result.import_id) for r in parsed]
    insert_s = bare_insert(db, tuples)
    group_s, groups = bare_group_by(db)

    start = time.perf_counter()
    report = services.composite_report(SqlAirUnitOfWork(c.uow(write=False)), "4101", Period.parse(str(FIRST.year)))
    composite_s = time.perf_counter() - start

    out += [
        f"  parse + check (read_hourly)      {parse_s:8.2f} s  {rows_n / max(parse_s, 1e-9):10,.0f} rows/s",
        f"  import_hourly (whole service)    {import_s:8.2f} s  {rows_n / max(import_s, 1e-9):10,.0f} rows/s",
        f"  recompute_days (aggregation)     {agg_s:8.2f} s  ({area_days:,} area days)",
        f"  bare INSERT (executemany)        {insert_s:8.2f} s  {rows_n / max(insert_s, 1e-9):10,.0f} rows/s",
        f"  bare GROUP BY (district, day)    {group_s:8.2f} s  ({groups:,} groups)",
        f"  composite (city, year to date)   {composite_s * 1000:8.1f} ms (index {report.composite.index})",
        f"  ratio import / bare INSERT       {import_s / max(insert_s, 1e-9):8.1f}x",
        f"  ratio aggregation / bare GROUP BY {agg_s / max(group_s, 1e-9):7.1f}x",
    ]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--stations", type=int, default=20)
    ap.add_argument("--days", type=int, default=365)
    add_smoke(ap)
    args = ap.parse_args()
    admin = PG_ADMIN
    if args.smoke:
        smoke_kind, admin = smoke_backend()
        apply_smoke(ap, args, stations=2, days=3, backends=smoke_kind)
    lines = []
    for kind in args.backends.split(","):
        with fresh_db(kind, admin=admin) as db:
            lines += run(db, args.stations, args.days)
    print(f"air benchmark: {args.stations} stations × {args.days} days, {os.cpu_count()} CPUs")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
