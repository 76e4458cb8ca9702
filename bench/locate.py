"""Locate benchmark: points/s of GridIndex.locate_many and the latency of GridIndex.locate over
Zhengzhou's 19,875 generated L3 grids, next to a bare shapely STRtree query on the same geometry
in the same run.

    .venv/bin/python bench/locate.py                    # 1,000,000 points, 3 repeats
    .venv/bin/python bench/locate.py --points 200000 --repeat 5
    .venv/bin/python bench/locate.py --smoke            # a two-district test city, 20,000 points, once

Figures (best of --repeat):
  generate    — time to generate the whole city (23,607 polygons), as `gridgov init` would
  build       — GridIndex construction (sort, prepare, STRtree)
  bare query  — shapely.STRtree(geoms).query(points, predicate="intersects") on ready-made points
  bare+points — the same, including shapely.points(x, y) (what any caller with arrays must pay)
  locate_many — GridIndex.locate_many(lons, lats): points, query, lowest-code reduction, codes
  locate      — GridIndex.locate(lat, lon) one point at a time: p50 / p99 latency
  pre-index   — the same with the raster of --cell-m metre cells (gridgov.geo.raster): its build, its share of
                points answered with no point-in-polygon test, locate_many (ratio to the bare query: the goal is
                >= 2) and locate one point at a time (the goal is <= 5 µs); answers checked equal to the STRtree's
  postgis     — with --backend postgis: the L3 grids stored in a fresh PostgreSQL database with PostGIS
                (GRIDGOV_BENCH_PG_ADMIN names the server), batch locate_many and single locate in the database,
                answers checked equal to shapely's

    .venv/bin/python bench/locate.py --backend postgis --points 100000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gridgov.geo.generate import GridShape, generate_city, generate_zhengzhou  # noqa: E402
from gridgov.geo.locate import GridIndex  # noqa: E402
from gridgov.geo.raster import BOUNDARY, DEFAULT_CELL_M  # noqa: E402
from gridgov.grids.domain import GridLevel  # noqa: E402

from _common import add_smoke, apply_smoke  # noqa: E402


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def small_city_shapes() -> list[GridShape]:
    """The tests' two-district city (38 polygons, 20 L3 grids): what --smoke generates instead of Zhengzhou."""
    from gridgov.grids.divisions import load_city_divisions
    from gridgov.grids.tree import build_tree
    from gridgov.reference.services import small_city

    counts = {GridLevel.STREET: 5, GridLevel.COMMUNITY: 10, GridLevel.MICRO: 20}
    return generate_city(build_tree(small_city(load_city_divisions()), counts=counts, include_zones=False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--single", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cell-m", type=float, default=DEFAULT_CELL_M, help="pre-index cell size in metres")
    ap.add_argument("--backend", choices=("shapely", "postgis"), default="shapely")
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), points=20_000, single=2_000, repeat=1)

    t = time.perf_counter()
    shapes = small_city_shapes() if args.smoke else generate_zhengzhou()
    t_gen = time.perf_counter() - t
    l3 = [s for s in shapes if s.level == GridLevel.MICRO]
    t = time.perf_counter()
    index = GridIndex.from_records((s.code, s.level, s.geometry) for s in shapes)
    t_build = time.perf_counter() - t

    minx, miny, maxx, maxy = index.bounds
    rng = np.random.default_rng(args.seed)
    xs = rng.uniform(minx, maxx, args.points)
    ys = rng.uniform(miny, maxy, args.points)

    bare_tree = shapely.STRtree(np.array([s.geometry for s in l3], dtype=object))
    points = shapely.points(xs, ys)
    t_bare = best(lambda: bare_tree.query(points, predicate="intersects"), args.repeat)
    t_bare_pts = best(lambda: bare_tree.query(shapely.points(xs, ys), predicate="intersects"), args.repeat)
    t_many = best(lambda: index.locate_many(xs, ys), args.repeat)
    codes = index.locate_many(xs, ys)
    inside = sum(c is not None for c in codes) / len(codes)

    lat_s: list[float] = []
    for k in range(min(args.single, args.points)):
        t = time.perf_counter()
        index.locate(float(ys[k]), float(xs[k]))
        lat_s.append(time.perf_counter() - t)
    lat = np.array(lat_s) * 1e6

    n = args.points
    print(
        f"grids: {len(shapes):,} polygons, {len(index):,} L3; "
        f"points: {n:,} uniform in the city bbox ({inside:.1%} inside)"
    )
    print(f"generate (all levels)      {t_gen:8.2f} s")
    print(f"GridIndex build            {t_build:8.3f} s")
    print(f"bare STRtree query         {n / t_bare:12,.0f} points/s   ({t_bare:.3f} s)")
    print(f"bare query + points()      {n / t_bare_pts:12,.0f} points/s   ({t_bare_pts:.3f} s)")
    print(f"GridIndex.locate_many      {n / t_many:12,.0f} points/s   ({t_many:.3f} s)")
    print(f"  ratio to bare query      {t_bare / t_many:8.2f}   (to bare + points(): {t_bare_pts / t_many:.2f})")
    print(
        f"GridIndex.locate (single)  p50 {np.percentile(lat, 50):.1f} µs   p99 {np.percentile(lat, 99):.1f} µs"
        f"   ({len(lat):,} calls, {len(lat) / (lat.sum() / 1e6):,.0f} calls/s)"
    )

    t = time.perf_counter()
    pre = GridIndex.from_records(((s.code, s.level, s.geometry) for s in shapes), cell_m=args.cell_m)
    t_pre = time.perf_counter() - t
    raster = pre.raster
    assert raster is not None
    t_pre_many = best(lambda: pre.locate_indices(xs, ys), args.repeat)
    same = int((pre.locate_indices(xs, ys) == index.locate_indices_strtree(xs, ys)).sum())
    tree_share = float((raster.lookup(xs, ys) == BOUNDARY).mean())
    pre_s: list[float] = []
    for k in range(min(args.single, args.points)):
        t = time.perf_counter()
        pre.locate(float(ys[k]), float(xs[k]))
        pre_s.append(time.perf_counter() - t)
    pre_lat = np.array(pre_s) * 1e6
    print(
        f"pre-index build            {t_pre:8.3f} s   ({raster.nx:,} x {raster.ny:,} cells of {raster.cell_m:g} m, "
        f"{raster.nbytes / 1e6:.1f} MB; {tree_share:.1%} of points ask the STRtree)"
    )
    print(f"pre-index locate_many      {n / t_pre_many:12,.0f} points/s   ({t_pre_many:.3f} s)")
    print(
        f"  ratio to bare query      {t_bare / t_pre_many:8.2f}   (to bare + points(): {t_bare_pts / t_pre_many:.2f}); "
        f"same answers as the STRtree: {same:,} of {n:,}"
    )
    print(
        f"pre-index locate (single)  p50 {np.percentile(pre_lat, 50):.1f} µs   p99 {np.percentile(pre_lat, 99):.1f} µs"
        f"   mean {pre_lat.mean():.2f} µs"
        f"   ({len(pre_lat):,} calls, {len(pre_lat) / (pre_lat.sum() / 1e6):,.0f} calls/s)"
    )
    if args.backend == "postgis":
        postgis_rows(l3, xs, ys, index, min(args.single, 2_000), args.smoke)


def postgis_rows(
    l3: list[GridShape], xs: np.ndarray, ys: np.ndarray, index: GridIndex, single: int, smoke: bool
) -> None:
    """The L3 grids in a fresh PostgreSQL database with PostGIS; locate in the database next to shapely."""
    import os
    from datetime import UTC, datetime

    import psycopg
    from sqlalchemy import create_engine, insert
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import sessionmaker

    from gridgov import migrate
    from gridgov.geo.postgis import PostgisAreaLookup
    from gridgov.geo.services import shape_columns
    from gridgov.grids.models import Grid, GridVersion

    from _common import PG_ADMIN, smoke_backend

    admin = smoke_backend()[1] if smoke and smoke_backend()[0] == "postgresql" else PG_ADMIN
    name = f"gridgov_bench_locate_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    try:
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        migrate.upgrade(url)
        engine = create_engine(url)
        sessions = sessionmaker(engine)
        t = time.perf_counter()
        with sessions() as s, s.begin():
            now = datetime.now(UTC)
            vid = s.execute(
                insert(GridVersion)
                .values(name="bench", source="bench", active=True, created_at=now)
                .returning(GridVersion.id)
            ).scalar_one()
            rows = [
                dict(version_id=vid, code=g.code, parent_code=g.parent_code, level=4, name=g.name, generated=True,
                     **shape_columns(g.geometry))
                for g in l3
            ]  # fmt: skip
            s.execute(insert(Grid), rows)
        t_store = time.perf_counter() - t
        lookup = PostgisAreaLookup.open(sessions, vid)
        m = min(len(xs), 100_000)
        t = time.perf_counter()
        got = lookup.locate_many(xs[:m], ys[:m])
        t_many = time.perf_counter() - t
        want = index.locate_many(xs[:m], ys[:m])
        same = int(sum(a == b for a, b in zip(got, want, strict=True)))
        lat_s: list[float] = []
        for k in range(single):
            t = time.perf_counter()
            lookup.locate(float(ys[k]), float(xs[k]))
            lat_s.append(time.perf_counter() - t)
        lat = np.array(lat_s) * 1e3
        engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"postgis store {len(l3):,} L3      {t_store:8.2f} s   (geometry generated from the WKB, GiST indexes)")
    print(
        f"postgis locate_many        {m / t_many:12,.0f} points/s   ({t_many:.3f} s); "
        f"same answers as shapely: {same:,} of {m:,}"
    )
    print(
        f"postgis locate (single)    p50 {np.percentile(lat, 50):.2f} ms   p99 {np.percentile(lat, 99):.2f} ms"
        f"   ({len(lat):,} calls, a session each)"
    )


if __name__ == "__main__":
    main()
