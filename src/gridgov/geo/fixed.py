"""A deterministic fake :class:`~gridgov.geo.ports.AreaLookup` for tests of callers.

A small table of WGS-84 rectangles, one L3 code each; no shapely. The same boundary rule as the
real adapter: a point on several rectangles (edges included) goes to the lowest code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from gridgov.geo.crs import to_canonical
from gridgov.geo.ports import LocateResult
from gridgov.grids.domain import GridLevel, ancestors, level_of

# (L3 code, (min_lon, min_lat, max_lon, max_lat)) — three adjacent cells near 郑州 二七广场,
# codes from build_tree(load_city_divisions()) for 中原区/二七区/金水区.
DEFAULT_TABLE: Final[tuple[tuple[str, tuple[float, float, float, float]], ...]] = (
    ("410102001001001", (113.600, 34.740, 113.650, 34.770)),
    ("410103001001001", (113.650, 34.720, 113.700, 34.770)),
    ("410105001001001", (113.650, 34.770, 113.700, 34.800)),
)


class FixedAreaLookup:
    """``FixedAreaLookup()`` uses :data:`DEFAULT_TABLE`; pass your own rows to shape a test."""

    def __init__(self, table: Iterable[tuple[str, tuple[float, float, float, float]]] = DEFAULT_TABLE) -> None:
        rows = sorted(table)
        for code, _ in rows:
            if level_of(code) != GridLevel.MICRO:
                raise ValueError(f"not an L3 grid code: {code}")
        self.table = tuple(rows)
        self.calls: list[tuple[float, float, str]] = []

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult:
        self.calls.append((lat, lon, crs))
        wlat, wlon = to_canonical(lat, lon, crs)
        for code, (x0, y0, x1, y1) in self.table:
            if x0 <= wlon <= x1 and y0 <= wlat <= y1:
                return LocateResult(code, tuple(ancestors(code)), True, wlat, wlon)
        return LocateResult.outside(wlat, wlon)
