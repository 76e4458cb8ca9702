"""The PostGIS adapter (``GRIDGOV_GEO_BACKEND=postgis``): point → L3 grid answered by the database.

Migration 0010 gives ``grids`` a ``geom geometry(Geometry, 4326)`` column generated from ``geom_wkb``
(``ST_GeomFromWKB``, stored), so every writer of grids (``gridgov init``, ``gridgov grid import``) writes the
geometry and it can never drift from the WKB, with two GiST indexes (all levels, and L3 only). It also adds a
GiST index over each case's point as ``geography`` for nearby and duplicate queries (gridgov.cases.postgis_pool).
The migration does this only where the ``postgis`` extension is created in the database
(``CREATE EXTENSION postgis``, before ``gridgov db upgrade``); anywhere else it does nothing.

The answers are the shapely backend's: a point belongs to every L3 grid whose closed polygon intersects it
(``ST_Intersects``), and the lowest code wins (``min(code)``). A point outside every grid is outside.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from gridgov.errors import GridgovError
from gridgov.geo.crs import to_canonical, to_canonical_many
from gridgov.geo.ports import LocateResult
from gridgov.grids.domain import ancestors

BATCH: Final = 50_000  # points per statement in locate_many
# the expression migration 0010 indexes (ix_cases_geog); queries must spell it the same way to use the index
CASE_POINT: Final = "geography(ST_SetSRID(ST_MakePoint(cases.lon, cases.lat), 4326))"

# One GiST probe per point, whatever the statistics: a correlated subquery (no join for the planner to turn into
# a nested loop over every polygon), with "version_id + 0" and "level + 0" so that the B-tree on (version_id, level)
# is never chosen over the GiST index. Right after an import the table has no statistics, and a plain join took
# that B-tree and tested every L3 polygon for every point (5,000 points: 29 s instead of 0.2 s).
_IN_GRID = (
    "SELECT min(g.code) FROM grids g WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint({x}, {y}), 4326)) "
    "AND g.version_id + 0 = :v AND g.level + 0 = 4"
)
LOCATE_ONE = text(_IN_GRID.format(x=":x", y=":y"))
LOCATE_MANY = text(
    f"SELECT p.i, ({_IN_GRID.format(x='p.x', y='p.y')}) "
    "FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY AS p(x, y, i)"
)


class PostgisNotReady(GridgovError):
    code = "postgis_not_ready"
    message = "GRIDGOV_GEO_BACKEND=postgis 需要启用了 PostGIS 扩展并已迁移的 PostgreSQL 数据库"


def postgis_state(session: Session) -> str | None:
    """None when the database can serve the PostGIS backend, else what is missing (in Chinese)."""
    if session.get_bind().dialect.name != "postgresql":
        return "数据库不是 PostgreSQL (PostGIS 后端只用于 PostgreSQL; SQLite 请用默认的 shapely 后端)"
    if session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is None:
        return "数据库未启用 PostGIS 扩展: 以超级用户执行 CREATE EXTENSION postgis, 再运行 gridgov db upgrade"
    geom = session.execute(
        text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'grids' AND column_name = 'geom'"
        )
    ).first()
    if geom is None:
        return "grids 表没有 geom 几何列 (迁移时尚未启用 PostGIS): 运行 gridgov grid postgis 补建几何列和索引"
    return None


class PostgisAreaLookup:
    """``locate`` and ``locate_many`` for one grid version, each a query on the GiST-indexed ``grids.geom``."""

    def __init__(self, sessions: sessionmaker[Session], version_id: int) -> None:
        self.sessions = sessions
        self.version_id = version_id
        self._ancestors: dict[str, tuple[str, ...]] = {}

    @classmethod
    def open(cls, sessions: sessionmaker[Session], version_id: int) -> PostgisAreaLookup:
        """The lookup, after checking that the database has what it needs (raises PostgisNotReady)."""
        with sessions() as s:
            missing = postgis_state(s)
        if missing is not None:
            raise PostgisNotReady(missing)
        return cls(sessions, version_id)

    def _chain(self, code: str) -> tuple[str, ...]:
        chain = self._ancestors.get(code)
        if chain is None:
            chain = self._ancestors[code] = tuple(ancestors(code))
        return chain

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult:
        wlat, wlon = to_canonical(lat, lon, crs)
        if not (math.isfinite(wlat) and math.isfinite(wlon)):
            return LocateResult.outside(wlat, wlon)
        with self.sessions() as s:
            code = s.execute(LOCATE_ONE, {"v": self.version_id, "x": wlon, "y": wlat}).scalar()
        if code is None:
            return LocateResult.outside(wlat, wlon)
        return LocateResult(code, self._chain(code), True, wlat, wlon)

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike, crs: str = "wgs84") -> npt.NDArray[np.object_]:
        """L3 code (``str``) for each point, or ``None`` outside: one query per 50,000 points."""
        x, y = to_canonical_many(lons, lats, crs)
        out = np.full(x.shape[0], None, dtype=object)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        with self.sessions() as s:
            for start in range(0, ok.size, BATCH):
                part = ok[start : start + BATCH]
                params: dict[str, Any] = {"v": self.version_id, "xs": x[part].tolist(), "ys": y[part].tolist()}
                for i, code in s.execute(LOCATE_MANY, params):
                    if code is not None:
                        out[part[i - 1]] = code  # WITH ORDINALITY counts from 1
        return out


def geometry_count(session: Session, version_id: int) -> int | None:
    """Grids of a version whose PostGIS geometry is written (None: this database has no geometry column)."""
    if postgis_state(session) is not None:
        return None
    stmt = text("SELECT count(*) FROM grids WHERE version_id = :v AND geom IS NOT NULL")
    return int(session.execute(stmt, {"v": version_id}).scalar_one())


def add_geometry(session: Session) -> bool:
    """What migration 0010 does, for a database migrated before ``CREATE EXTENSION postgis`` (idempotent).
    Returns False (and changes nothing) when the extension is not created in this database."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is None:
        return False
    for statement in GEOMETRY_DDL:
        session.execute(text(statement))
    return True


GEOMETRY_DDL: Final[Sequence[str]] = (
    "ALTER TABLE grids ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 4326) "
    "GENERATED ALWAYS AS (ST_GeomFromWKB(geom_wkb, 4326)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_grids_geom ON grids USING gist (geom)",
    "CREATE INDEX IF NOT EXISTS ix_grids_geom_l3 ON grids USING gist (geom) WHERE level = 4",
    "CREATE INDEX IF NOT EXISTS ix_cases_geog ON cases USING gist "
    "((geography(ST_SetSRID(ST_MakePoint(lon, lat), 4326))))",
)
