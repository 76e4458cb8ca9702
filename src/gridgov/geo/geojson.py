"""Grid GeoJSON files: validated import and export (pure: shapely 2 + numpy).

A grid file is a FeatureCollection in WGS-84 (RFC 7946). Each feature has ``properties``
``code`` (15 digits), ``name``, ``level`` (0 city … 4 L3) and ``parent_code`` (``null`` for the
file's root(s)), optionally ``generated`` (bool), and a Polygon or MultiPolygon geometry.

:func:`parse_feature_collection` accepts a file only if it has no problem at all; otherwise it
raises :class:`GridFileInvalid` listing **every** problem as (feature index, code, problem in
Chinese). It checks, in order:

1. bad JSON, or not a FeatureCollection (the file is refused at once);
2. per feature: missing or malformed properties; ``level`` not matching the code; ``parent_code``
   not the code's parent under the 15-digit prefix scheme; a geometry that is missing, not
   (Multi)Polygon, empty, out of lon/lat range, or invalid (self-intersection, ring errors …);
3. duplicate codes; a ``parent_code`` that is not in the file;
4. geometry against the tree, with these tolerances (1 deg² ≈ 10,160 km² at 34.7°N):

   * a child outside its parent: refused when the part outside is larger than
     ``max(ABS_TOL_DEG2, REL_TOL × child area)``;
   * overlapping siblings: refused when their intersection is larger than
     ``max(ABS_TOL_DEG2, REL_TOL × smaller sibling's area)``;
   * gaps: an L2 grid whose L3 grids (when it has any) leave uncovered more than
     ``max(ABS_TOL_DEG2, REL_TOL × L2 area)``; higher levels may leave land unassigned.

   ``ABS_TOL_DEG2`` = 1e-9 deg² (about 10 m²) and ``REL_TOL`` = 0.001 (0.1 %), so shared edges
   digitised twice, or computed with floating-point noise, pass.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np
import shapely  # type: ignore[import-untyped]
from shapely.geometry import mapping  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

from gridgov.geo.ports import GridFileInvalid, GridFileProblem
from gridgov.grids.domain import CODE_LENGTH, GridLevel, level_of, parent_code

__all__ = [
    "ABS_TOL_DEG2",
    "REL_TOL",
    "GridFileInvalid",
    "GridFileProblem",
    "GridRecord",
    "ParsedGrids",
    "preview_grid_file",
    "dump_feature_collection",
    "feature",
    "parse_feature_collection",
    "simplify_for_zoom",
]

ABS_TOL_DEG2: Final = 1e-9
REL_TOL: Final = 1e-3
REQUIRED: Final = ("code", "name", "level", "parent_code")
_M_PER_DEG: Final = 111_320.0


@dataclass(frozen=True, slots=True)
class GridRecord:
    code: str
    name: str
    level: GridLevel
    parent_code: str | None
    geometry: BaseGeometry
    generated: bool = False


@dataclass(frozen=True, slots=True)
class ParsedGrids:
    """A file that passed every check; ``records`` are in file order."""

    records: tuple[GridRecord, ...]

    def by_code(self) -> dict[str, GridRecord]:
        return {r.code: r for r in self.records}

    def count_by_level(self) -> dict[GridLevel, int]:
        out: dict[GridLevel, int] = defaultdict(int)
        for r in self.records:
            out[r.level] += 1
        return dict(out)


class _Shape(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def parent_code(self) -> str | None: ...
    @property
    def geometry(self) -> BaseGeometry: ...
    @property
    def generated(self) -> bool: ...


def _m2(area_deg2: float, lat: float) -> float:
    return area_deg2 * _M_PER_DEG * _M_PER_DEG * math.cos(math.radians(lat))


def _valid_reason_zh(reason: str) -> str:
    low = reason.lower()
    if "self-intersection" in low:
        kind = "多边形自相交"
    elif "ring self-intersection" in low:
        kind = "环自相交"
    elif "too few points" in low:
        kind = "环的顶点太少"
    elif "not closed" in low:
        kind = "环未闭合"
    elif "hole" in low:
        kind = "内环（洞）位置不合法"
    elif "nested shells" in low:
        kind = "多个外环相互嵌套"
    elif "invalid coordinate" in low:
        kind = "坐标值不合法"
    else:
        kind = "几何图形不合法"
    return f"{kind}（{reason}）"


def _parse_geometry(raw: Any) -> tuple[BaseGeometry | None, str | None]:
    if not isinstance(raw, dict):
        return None, "缺少几何图形 geometry"
    if raw.get("type") not in ("Polygon", "MultiPolygon"):
        return None, f"几何类型须为 Polygon 或 MultiPolygon，实为 {raw.get('type')!r}"
    try:
        geom = shapely.from_geojson(json.dumps(raw))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        return None, f"几何图形无法解析（{exc}）"
    if geom is None or geom.is_empty:
        return None, "几何图形为空"
    coords = shapely.get_coordinates(geom)
    if not np.all(np.isfinite(coords)) or np.any(np.abs(coords[:, 0]) > 180) or np.any(np.abs(coords[:, 1]) > 90):
        return None, "坐标超出经纬度范围（须为 WGS-84 经度、纬度）"
    if not geom.is_valid:
        return None, _valid_reason_zh(shapely.is_valid_reason(geom))
    return geom, None


def _parse_properties(props: Any) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(props, dict):
        return {}, ["缺少属性 properties"]
    problems: list[str] = []
    missing = [k for k in REQUIRED if k not in props]
    if missing:
        problems.append(f"缺少属性: {', '.join(missing)}")
    code = props.get("code")
    if "code" in props and not (
        isinstance(code, str) and len(code) == CODE_LENGTH and code.isascii() and code.isdigit()
    ):
        problems.append(f"网格编码须为15位数字: {code!r}")
        code = None
    name = props.get("name")
    if "name" in props and not (isinstance(name, str) and name.strip()):
        problems.append("名称 name 须为非空字符串")
    level = props.get("level")
    if "level" in props and (isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 4):
        problems.append(f"层级 level 须为 0–4 的整数: {level!r}")
        level = None
    if isinstance(code, str) and isinstance(level, int) and level_of(code) != level:
        problems.append(f"层级 level={level} 与编码层级 {int(level_of(code))} 不符")
    parent = props.get("parent_code")
    if parent is not None:
        if not (isinstance(parent, str) and len(parent) == CODE_LENGTH and parent.isascii() and parent.isdigit()):
            problems.append(f"上级编码 parent_code 须为15位数字或 null: {parent!r}")
        elif isinstance(code, str) and parent_code(code) != parent:
            problems.append(f"上级编码 {parent} 与编码不符（按编码规则应为 {parent_code(code)}）")
    generated = props.get("generated", False)
    if not isinstance(generated, bool):
        problems.append("generated 须为 true 或 false")
    return props, problems


def _file_problem(text: str) -> GridFileInvalid:
    return GridFileInvalid([GridFileProblem(None, "", text)])


def parse_feature_collection(text: str | bytes) -> ParsedGrids:
    """Parse and validate a grid file; raise :class:`GridFileInvalid` with every problem found."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _file_problem(f"JSON 格式错误: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _file_problem("不是 GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list):
        raise _file_problem("features 须为数组")
    if not features:
        raise _file_problem("文件中没有任何网格")

    problems: list[GridFileProblem] = []
    good: list[tuple[int, GridRecord]] = []
    first_index: dict[str, int] = {}
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(GridFileProblem(i, "", "不是 GeoJSON Feature"))
            continue
        props, errs = _parse_properties(feat.get("properties"))
        raw_code = props.get("code")
        code = raw_code if isinstance(raw_code, str) else ""
        geom, geom_err = _parse_geometry(feat.get("geometry"))
        if geom_err:
            errs.append(geom_err)
        if len(code) == CODE_LENGTH and code.isdigit():
            if code in first_index:
                errs.append(f"编码重复（与第{first_index[code]}个要素相同）")
            else:
                first_index[code] = i
        for e in errs:
            problems.append(GridFileProblem(i, code, e))
        if not errs and geom is not None:
            good.append(
                (
                    i,
                    GridRecord(
                        code,
                        str(props["name"]),
                        GridLevel(props["level"]),
                        props["parent_code"],
                        geom,
                        bool(props.get("generated", False)),
                    ),
                )
            )

    known = set(first_index)
    placed: list[tuple[int, GridRecord]] = []
    for i, rec in good:
        if rec.parent_code is not None and rec.parent_code not in known:
            problems.append(GridFileProblem(i, rec.code, f"上级网格 {rec.parent_code} 不在文件中"))
        else:
            placed.append((i, rec))
    problems.extend(_geometry_problems(placed))
    if problems:
        problems.sort(key=lambda p: (-1 if p.index is None else p.index, p.code, p.problem))
        raise GridFileInvalid(problems)
    return ParsedGrids(tuple(rec for _, rec in good))


def _geometry_problems(placed: Sequence[tuple[int, GridRecord]]) -> list[GridFileProblem]:
    problems: list[GridFileProblem] = []
    if not placed:
        return problems
    idx = {rec.code: (i, rec) for i, rec in placed}
    geoms = np.array([rec.geometry for _, rec in placed], dtype=object)
    areas = shapely.area(geoms)
    shapely.prepare(geoms)
    pos = {rec.code: k for k, (_, rec) in enumerate(placed)}

    # 1. children outside their parents
    child_k = [k for k, (_, rec) in enumerate(placed) if rec.parent_code in pos]
    parent_k = [pos[placed[k][1].parent_code or ""] for k in child_k]
    if child_k:
        ck, pk = np.array(child_k), np.array(parent_k)
        covered = shapely.covers(geoms[pk], geoms[ck])
        todo = np.flatnonzero(~covered)
        if len(todo):
            outside = shapely.area(shapely.difference(geoms[ck[todo]], geoms[pk[todo]]))
            for t, out_area in zip(todo, outside, strict=True):
                k = int(ck[t])
                if out_area > max(ABS_TOL_DEG2, REL_TOL * areas[k]):
                    i, rec = placed[k]
                    lat = rec.geometry.centroid.y
                    problems.append(
                        GridFileProblem(
                            i,
                            rec.code,
                            f"超出上级网格 {rec.parent_code} 的范围约 {_m2(out_area, lat):,.0f} 平方米"
                            f"（占本网格面积 {out_area / areas[k]:.2%}）",
                        )
                    )

    # 2. overlapping siblings
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    parents = np.array([rec.parent_code or "" for _, rec in placed], dtype=object)
    keep = (a < b) & (parents[a] == parents[b])
    a, b = a[keep], b[keep]
    if len(a):
        inter = shapely.area(shapely.intersection(geoms[a], geoms[b]))
        limit = np.maximum(ABS_TOL_DEG2, REL_TOL * np.minimum(areas[a], areas[b]))
        for ka, kb, area in zip(a[inter > limit], b[inter > limit], inter[inter > limit], strict=True):
            ia, ra = placed[int(ka)]
            ib, rb = placed[int(kb)]
            problems.append(
                GridFileProblem(
                    ib,
                    rb.code,
                    f"与同级网格 {ra.code}（第{ia}个要素）重叠约 {_m2(area, rb.geometry.centroid.y):,.0f} 平方米",
                )
            )

    # 3. L3 grids leaving gaps in their L2
    covered_area: dict[str, float] = defaultdict(float)
    for k, (_, rec) in enumerate(placed):
        if rec.level == GridLevel.MICRO and rec.parent_code in idx:
            covered_area[rec.parent_code] += float(areas[k])
    for l2_code, total in covered_area.items():
        i, l2 = idx[l2_code]
        if l2.level != GridLevel.COMMUNITY:
            continue
        gap = float(areas[pos[l2_code]]) - total
        if gap > max(ABS_TOL_DEG2, REL_TOL * areas[pos[l2_code]]):
            problems.append(
                GridFileProblem(
                    i,
                    l2_code,
                    f"下属三级网格未完全覆盖本网格，缺口约 {_m2(gap, l2.geometry.centroid.y):,.0f} 平方米"
                    f"（{gap / areas[pos[l2_code]]:.2%}）",
                )
            )
    return problems


def simplify_for_zoom(geometry: BaseGeometry, zoom: int) -> BaseGeometry:
    """Simplify for a web-map zoom level (256-px tiles): tolerance = half a pixel, topology kept."""
    tolerance = 360.0 / (256 * 2 ** max(0, min(int(zoom), 22))) / 2
    return shapely.simplify(geometry, tolerance, preserve_topology=True)


def feature(shape: _Shape, zoom: int | None = None) -> dict[str, Any]:
    """One grid as a GeoJSON Feature dict (optionally simplified for ``zoom``)."""
    geom = shape.geometry if zoom is None else simplify_for_zoom(shape.geometry, zoom)
    return {
        "type": "Feature",
        "properties": {
            "code": shape.code,
            "name": shape.name,
            "level": int(shape.level),
            "parent_code": shape.parent_code,
            "generated": bool(shape.generated),
        },
        "geometry": mapping(geom),
    }


def dump_feature_collection(shapes: Iterable[_Shape], zoom: int | None = None) -> str:
    """The inverse of :func:`parse_feature_collection`: a FeatureCollection as JSON text (UTF-8, WGS-84)."""
    doc = {"type": "FeatureCollection", "features": [feature(s, zoom) for s in shapes]}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


_AT = re.compile(r"\[\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s+(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\]")


def preview_grid_file(text: str | bytes) -> dict[str, Any]:
    """What the admin screen draws before an import: every feature of the file as it is (with its index and its
    problems), the problems of the whole file, and a point for each problem that names a place (an invalid
    ring's self-intersection, as GEOS reports it). `ok` when the file would be accepted."""
    try:
        parsed = parse_feature_collection(text)
        problems: list[GridFileProblem] = []
    except GridFileInvalid as exc:
        parsed, problems = None, exc.problems
    try:
        doc = json.loads(text)
        raw = doc.get("features") if isinstance(doc, dict) else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raw = None
    by_index: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        if p.index is not None:
            by_index[p.index].append(p.problem)
    features = []
    points = []
    for i, feat in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
            continue
        found = feat.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {
                    "index": i,
                    "code": str(props.get("code", "")),
                    "name": str(props.get("name", "")),
                    "level": props.get("level"),
                    "problems": by_index.get(i, []),
                },
            }
        )
        for problem in by_index.get(i, []):
            hit = _AT.search(problem)
            if hit:
                points.append({"index": i, "lon": float(hit.group(1)), "lat": float(hit.group(2)), "problem": problem})
    return {
        "ok": parsed is not None,
        "counts": {str(int(k)): v for k, v in parsed.count_by_level().items()} if parsed else {},
        "problems": [{"index": p.index, "code": p.code, "problem": p.problem} for p in problems],
        "features": {"type": "FeatureCollection", "features": features},
        "points": points,
    }
