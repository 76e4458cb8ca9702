"""Grid geometry in the database: versions imported from GeoJSON, activation, export, and the in-process
locator (point → L3 grid, address text → division) built from the active version."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely  # type: ignore[import-untyped]
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from gridgov.errors import NotFound, ValidationFailed
from gridgov.geo.address import AddressMatch, AddressParser
from gridgov.geo.crs import from_canonical_many
from gridgov.geo.geojson import ParsedGrids, dump_feature_collection, feature, parse_feature_collection
from gridgov.geo.ports import AreaLookup, LocateResult
from gridgov.geo.raster import DEFAULT_CELL_M
from gridgov.geo.shapes import ShapesAreaLookup
from gridgov.grids.domain import check_code
from gridgov.grids.models import Grid, GridVersion
from gridgov.logging import get_logger

log = get_logger(__name__)
CHUNK = 2000
BACKENDS = ("shapely", "postgis")


def shape_columns(geometry: Any) -> dict[str, Any]:
    """WKB and bounding box of a WGS-84 geometry, as stored in `grids`."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return {
        "geom_wkb": shapely.to_wkb(geometry),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
    }


def import_grid_file(
    sessions: sessionmaker[Session], text: str | bytes, name: str, now: datetime, activate: bool = False
) -> tuple[int, dict[int, int]]:
    """Validate a GeoJSON FeatureCollection and store it as a new grid version (activated atomically if asked).

    The whole file is checked first; a refused file (GridFileInvalid, listing every problem) writes nothing.
    Returns (version id, count per level)."""
    parsed = parse_feature_collection(text)
    with sessions() as s, s.begin():
        return store_grid_version(s, parsed, name, now, activate)


def store_grid_version(
    s: Session, parsed: ParsedGrids, name: str, now: datetime, activate: bool = False
) -> tuple[int, dict[int, int]]:
    """A checked grid file written as a new version inside the caller's transaction (the admin screen records
    its event in the same one)."""
    if s.scalars(select(GridVersion.id).where(GridVersion.name == name)).first() is not None:
        raise ValidationFailed(f"网格版本名已存在: {name}", field="name")
    version = GridVersion(name=name, source="geojson import", active=False, created_at=now)
    s.add(version)
    s.flush()
    rows = [
        dict(
            version_id=version.id,
            code=r.code,
            parent_code=r.parent_code,
            level=int(r.level),
            name=r.name,
            official_code=None,
            generated=r.generated,
            **shape_columns(r.geometry),
        )
        for r in parsed.records
    ]
    for i in range(0, len(rows), CHUNK):
        s.execute(insert(Grid), rows[i : i + CHUNK])
    if activate:
        activate_in(s, version.id, now)
    counts = {int(k): v for k, v in parsed.count_by_level().items()}
    log.info("grid_version_imported", version_id=version.id, activated=activate, grids=len(rows))
    return version.id, counts


def activate_in(s: Session, version_id: int, now: datetime) -> None:
    """Make one version the active one, inside the caller's transaction."""
    s.execute(update(GridVersion).where(GridVersion.id != version_id).values(active=False))
    s.execute(update(GridVersion).where(GridVersion.id == version_id).values(active=True, activated_at=now))


def activate_version(sessions: sessionmaker[Session], version_id: int, now: datetime) -> None:
    with sessions() as s, s.begin():
        if s.get(GridVersion, version_id) is None:
            raise NotFound(f"网格版本不存在: {version_id}")
        activate_in(s, version_id, now)


def list_versions(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as s:
        return [
            {"id": v.id, "name": v.name, "source": v.source, "active": v.active, "created_at": v.created_at}
            for v in s.scalars(select(GridVersion).order_by(GridVersion.id))
        ]


@dataclass(frozen=True, slots=True)
class _Shape:
    code: str
    name: str
    level: int
    parent_code: str | None
    generated: bool
    geometry: Any


def _version_id(s: Session, version_id: int | None) -> int:
    if version_id is not None:
        if s.get(GridVersion, version_id) is None:
            raise NotFound(f"网格版本不存在: {version_id}")
        return version_id
    active = s.scalars(select(GridVersion.id).where(GridVersion.active.is_(True))).first()
    if active is None:
        raise NotFound("尚无启用的网格版本")
    return active


def export_grid_file(sessions: sessionmaker[Session], version_id: int | None = None) -> str:
    with sessions() as s:
        vid = _version_id(s, version_id)
        rows = s.execute(
            select(Grid.code, Grid.name, Grid.level, Grid.parent_code, Grid.generated, Grid.geom_wkb)
            .where(Grid.version_id == vid, Grid.geom_wkb.is_not(None))
            .order_by(Grid.level, Grid.code)
        ).all()
    return dump_feature_collection(_Shape(c, n, lv, p, g, shapely.from_wkb(w)) for c, n, lv, p, g, w in rows)


def geometry_geojson(
    sessions: sessionmaker[Session], code: str, zoom: int | None, crs: str, children: bool
) -> dict[str, Any]:
    """A grid's polygon (or its children's) as GeoJSON, simplified for `zoom`, in `crs` (wgs84/gcj02/bd09)."""
    check_code(code)
    with sessions() as s:
        vid = _version_id(s, None)
        cond = Grid.parent_code == code if children else Grid.code == code
        rows = s.execute(
            select(Grid.code, Grid.name, Grid.level, Grid.parent_code, Grid.generated, Grid.geom_wkb)
            .where(Grid.version_id == vid, cond)
            .order_by(Grid.code)
        ).all()
    if not rows and not children:
        raise NotFound(f"网格不存在: {code}")
    if any(r[5] is None for r in rows):
        raise NotFound(f"网格没有几何数据: {code}")
    shapes = [_Shape(c, n, lv, p, g, _to_crs(shapely.from_wkb(w), crs)) for c, n, lv, p, g, w in rows]
    features = [feature(sh, zoom) for sh in shapes]
    if children:
        return {"type": "FeatureCollection", "features": features}
    return features[0]


_SHIFT_PAD = 0.02  # degrees
DIVISION_LEVELS = (1, 2, 3)  # 区县, 街道/乡镇, 社区/村: the plain map's labelled outlines


def divisions_geojson(
    sessions: sessionmaker[Session],
    level: int,
    zoom: int,
    crs: str,
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """Every division of one level (district, street or community) of the active version, simplified for `zoom`,
    in `crs`, cut to the ones meeting `bbox` (west, south, east, north, in `crs`), each with a label point inside
    it (``properties.label`` = [lat, lon]). The plain map draws these when no basemap is configured."""
    if level not in DIVISION_LEVELS:
        raise ValidationFailed("级别须为 1 (区县)、2 (街道/乡镇) 或 3 (社区/村)", field="level")
    with sessions() as s:
        vid = _version_id(s, None)
        stmt = select(Grid.code, Grid.name, Grid.level, Grid.parent_code, Grid.generated, Grid.geom_wkb).where(
            Grid.version_id == vid, Grid.level == level, Grid.geom_wkb.is_not(None)
        )
        if bbox is not None:  # the stored WGS-84 boxes first, widened for the GCJ-02/BD-09 shift (< 1 km)
            west, south, east, north = bbox
            stmt = stmt.where(
                Grid.max_lon >= west - _SHIFT_PAD,
                Grid.min_lon <= east + _SHIFT_PAD,
                Grid.max_lat >= south - _SHIFT_PAD,
                Grid.min_lat <= north + _SHIFT_PAD,
            )
        rows = s.execute(stmt.order_by(Grid.code)).all()
    box = shapely.box(*bbox) if bbox is not None else None
    features = []
    for c, n, lv, p, g, w in rows:
        geometry = _to_crs(shapely.from_wkb(w), crs)
        if box is not None and not geometry.intersects(box):
            continue
        f = feature(_Shape(c, n, lv, p, g, geometry), zoom)
        at = geometry.point_on_surface()
        f["properties"]["label"] = [round(at.y, 6), round(at.x, 6)]
        features.append(f)
    return {"type": "FeatureCollection", "features": features}


def _to_crs(geometry: Any, crs: str) -> Any:
    if crs in ("wgs84", "cgcs2000"):
        return geometry

    def convert(coords: Any) -> Any:
        import numpy as np

        lons, lats = from_canonical_many(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([lons, lats])

    return shapely.transform(geometry, convert)


class GeoLocator:
    """Point → L3 grid and address → division over one grid version (immutable, thread-safe)."""

    def __init__(self, version_id: int, lookup: AreaLookup | None, parser: AddressParser) -> None:
        self.version_id = version_id
        self.lookup = lookup
        self.parser = parser

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult:
        if self.lookup is None:
            raise ValidationFailed("当前网格版本没有几何数据，无法按坐标定位", field="lat")
        return self.lookup.locate(lat, lon, crs)

    def parse_address(self, text: str) -> AddressMatch:
        return self.parser.parse(text)


class LocatorCache:
    """Keeps the locator of the active grid version; rebuilt when another version becomes active.

    ``backend`` is ``shapely`` (the polygons in process, an STRtree with the pre-index raster of ``cell_m`` metre
    cells; 0 or None: no raster) or ``postgis`` (each point asked of the database, see gridgov.geo.postgis)."""

    def __init__(self, backend: str = "shapely", cell_m: float | None = DEFAULT_CELL_M) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown geo backend: {backend}")
        self.backend = backend
        self.cell_m = cell_m or None
        self._lock = threading.Lock()
        self._current: GeoLocator | None = None

    def get(self, sessions: sessionmaker[Session], active_version_id: int) -> GeoLocator:
        current = self._current
        if current is not None and current.version_id == active_version_id:
            return current
        with self._lock:
            current = self._current
            if current is None or current.version_id != active_version_id:
                current = self._current = build_locator(sessions, active_version_id, self.backend, self.cell_m)
        return current


def build_locator(
    sessions: sessionmaker[Session],
    version_id: int,
    backend: str = "shapely",
    cell_m: float | None = DEFAULT_CELL_M,
) -> GeoLocator:
    with sessions() as s:
        names = s.execute(
            select(Grid.code, Grid.name, Grid.level).where(Grid.version_id == version_id, Grid.level <= 3)
        ).all()
        micro = s.scalar(
            select(func.count()).where(Grid.version_id == version_id, Grid.level == 4, Grid.geom_wkb.is_not(None))
        )
    parser = AddressParser((c, n, lv) for c, n, lv in names)
    if backend == "postgis":
        from gridgov.geo.postgis import PostgisAreaLookup

        log.info("locator_built", version_id=version_id, backend=backend, micro_grids=micro)
        return GeoLocator(version_id, PostgisAreaLookup.open(sessions, version_id) if micro else None, parser)
    with sessions() as s:
        shapes = s.execute(
            select(Grid.code, Grid.level, Grid.geom_wkb).where(
                Grid.version_id == version_id, Grid.level == 4, Grid.geom_wkb.is_not(None)
            )
        ).all()
    rows = ((c, lv, w) for c, lv, w in shapes if w is not None)
    lookup = ShapesAreaLookup.from_wkb(rows, cell_m) if shapes else None
    raster = lookup.index.raster if lookup is not None else None
    log.info(
        "locator_built",
        version_id=version_id,
        backend=backend,
        micro_grids=len(shapes),
        raster_cells=raster.nx * raster.ny if raster else 0,
        raster_bytes=raster.nbytes if raster else 0,
    )
    return GeoLocator(version_id, lookup, parser)


COMPARE_TOLERANCE = 0.00002  # degrees (about 2 m): drawn shapes of a comparison


def compare_versions(
    sessions: sessionmaker[Session], old: int, new: int, limit: int = 500, shapes: bool = False
) -> dict[str, Any]:
    """What changed from version `old` to `new`: grids added, removed, renamed or redrawn (by code).

    With ``shapes``, also ``features``: a GeoJSON feature per changed shape, simplified for drawing, at most
    ``limit`` of each kind — ``added`` (the new shape), ``removed`` (the old one), and for a redrawn grid both
    ``before`` and ``after`` — so that the two versions can be drawn one over the other."""
    with sessions() as s:
        for vid in (old, new):
            if s.get(GridVersion, vid) is None:
                raise NotFound(f"网格版本不存在: {vid}")

        def rows(vid: int) -> dict[str, tuple[str, int, bytes | None]]:
            stmt = select(Grid.code, Grid.name, Grid.level, Grid.geom_wkb).where(Grid.version_id == vid)
            return {c: (n, lv, w) for c, n, lv, w in s.execute(stmt)}

        a, b = rows(old), rows(new)
    added = sorted(set(b) - set(a))
    removed = sorted(set(a) - set(b))
    renamed, redrawn = [], []
    for code in sorted(set(a) & set(b)):
        (name_a, _, wkb_a), (name_b, _, wkb_b) = a[code], b[code]
        if name_a != name_b:
            renamed.append({"code": code, "from": name_a, "to": name_b})
        if wkb_a != wkb_b and not (
            wkb_a and wkb_b and shapely.equals_exact(shapely.from_wkb(wkb_a), shapely.from_wkb(wkb_b), 1e-9)
        ):
            redrawn.append(code)

    def named(codes: list[str], side: dict[str, tuple[str, int, bytes | None]]) -> list[dict[str, Any]]:
        return [{"code": c, "name": side[c][0], "level": side[c][1]} for c in codes[:limit]]

    def feature(code: str, side: dict[str, tuple[str, int, bytes | None]], kind: str) -> dict[str, Any] | None:
        name, level, wkb = side[code]
        if not wkb:
            return None
        geom = shapely.simplify(shapely.from_wkb(wkb), COMPARE_TOLERANCE, preserve_topology=True)
        return {
            "type": "Feature",
            "properties": {"code": code, "name": name, "level": level, "change": kind},
            "geometry": shapely.geometry.mapping(geom),
        }

    features: list[dict[str, Any]] = []
    if shapes:
        for codes, side, kind in (
            (added, b, "added"),
            (removed, a, "removed"),
            (redrawn, a, "before"),
            (redrawn, b, "after"),
        ):
            features.extend(f for f in (feature(c, side, kind) for c in codes[:limit]) if f is not None)
    return {
        "old": old,
        "new": new,
        **({"features": features} if shapes else {}),
        "counts": {"added": len(added), "removed": len(removed), "renamed": len(renamed), "redrawn": len(redrawn)},
        "added": named(added, b),
        "removed": named(removed, a),
        "renamed": renamed[:limit],
        "redrawn": named(redrawn, b),
    }
