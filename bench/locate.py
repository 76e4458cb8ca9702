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


if __name__ == "__main__":
    main()
