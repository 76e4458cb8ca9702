"""The shapely-backed :class:`~gridgov.geo.ports.AreaLookup` (in process, any database).

Build it once from the active grid version's L3 geometries (WKB or shapely) at start-up and again
when a new version is activated; swap the reference atomically. It holds no database handle.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import shapely  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

from gridgov.geo.crs import to_canonical, to_canonical_many
from gridgov.geo.locate import GridIndex
from gridgov.geo.ports import LocateResult


class ShapesAreaLookup:
    """``locate(lat, lon, crs)`` over a :class:`GridIndex`; converts the point to WGS-84 first."""

    def __init__(self, index: GridIndex) -> None:
        self.index = index

    @classmethod
    def from_geometries(
        cls, rows: Iterable[tuple[str, int, BaseGeometry]], cell_m: float | None = None
    ) -> ShapesAreaLookup:
        """``(code, level, geometry)`` rows of any level; L3 rows are indexed (with the pre-index raster of
        ``cell_m`` metre cells when given)."""
        return cls(GridIndex.from_records(rows, cell_m=cell_m))

    @classmethod
    def from_wkb(cls, rows: Iterable[tuple[str, int, bytes]], cell_m: float | None = None) -> ShapesAreaLookup:
        """``(code, level, wkb)`` rows, as stored in the database."""
        return cls.from_geometries(((code, level, shapely.from_wkb(wkb)) for code, level, wkb in rows), cell_m)

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult:
        wlat, wlon = to_canonical(lat, lon, crs)
        return self.index.locate(wlat, wlon)

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike, crs: str = "wgs84") -> npt.NDArray[np.object_]:
        """L3 code (``str``) for each point, or ``None`` outside."""
        x, y = to_canonical_many(lons, lats, crs)
        return self.index.locate_many(x, y)
