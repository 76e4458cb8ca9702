"""The geo port and its errors (pure).

Callers (case intake, the API) depend on :class:`AreaLookup` only. Adapters:
:class:`gridgov.geo.shapes.ShapesAreaLookup` (shapely STRtree, in process) and
:class:`gridgov.geo.fixed.FixedAreaLookup` (a small rectangle table for tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gridgov.errors import ValidationFailed
from gridgov.geo.address import AddressMatch


@dataclass(frozen=True, slots=True)
class LocateResult:
    """Where a point falls.

    Attributes:
        code: the L3 micro-grid's 15-digit code, or ``None`` when the point is outside every grid.
        ancestors: codes from the city down to the L3 grid's parent (empty when outside).
        inside: ``True`` when the point is in a grid.
        lat, lon: the point in the canonical system (WGS-84), whatever system it came in.
    """

    code: str | None
    ancestors: tuple[str, ...]
    inside: bool
    lat: float
    lon: float

    @classmethod
    def outside(cls, lat: float, lon: float) -> LocateResult:
        return cls(None, (), False, lat, lon)


class AreaLookup(Protocol):
    """Point → L3 grid. ``crs`` is one of ``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000``."""

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult: ...


class UnknownCrs(ValidationFailed):
    code = "unknown_crs"
    message = "不支持的坐标系，可选 wgs84、gcj02、bd09、cgcs2000"


class InvalidCoordinate(ValidationFailed):
    code = "invalid_coordinate"
    message = "经纬度不合法"


@dataclass(frozen=True, slots=True)
class GridFileProblem:
    """One problem in a grid file. ``index`` is the 0-based feature index (``None`` for the whole file)."""

    index: int | None
    code: str
    problem: str

    def __str__(self) -> str:
        where = "文件" if self.index is None else f"第{self.index}个要素"
        return f"{where}{f' [{self.code}]' if self.code else ''}: {self.problem}"


class GridFileInvalid(ValidationFailed):
    """A grid GeoJSON file was refused as a whole; ``problems`` lists every problem found."""

    code = "grid_file_invalid"
    message = "网格文件校验未通过"

    def __init__(self, problems: list[GridFileProblem]) -> None:
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:20])
        more = f" 等共{len(problems)}个问题" if len(problems) > 20 else ""
        super().__init__(
            f"网格文件校验未通过（{len(problems)}个问题）: {head}{more}",
            problems=[{"index": p.index, "code": p.code, "problem": p.problem} for p in problems],
        )


class Locator(AreaLookup, Protocol):
    """Where a case is: point → L3 grid, and address text → the deepest division it names
    (gridgov.geo.services.GeoLocator is the adapter)."""

    def parse_address(self, text: str) -> AddressMatch: ...
