"""Point → L3 micro-grid, in process (pure: shapely 2 + numpy).

:class:`GridIndex` holds the L3 polygons (WGS-84) in a shapely 2 ``STRtree``. A batch of points is
answered with one vectorised ``tree.query(points, predicate="intersects")`` (GEOS prepares the
tree's geometries for the predicate), then reduced to one grid per point with ``np.minimum.at``.

Boundary rule: a point belongs to every L3 grid whose *closed* polygon contains it (interior or
boundary). When several do (a point on a shared edge or vertex), the grid with the **lowest
code** wins. Grids are sorted by code when the index is built, so the lowest code is the lowest
tree index. The rule does not depend on input order or on the tree's internal layout.

A point in no grid is *outside* (``None`` / ``LocateResult.inside is False``). Ancestors come from
the code itself (15-digit prefix scheme, :func:`gridgov.grids.domain.ancestors`).

Pre-index: built with ``cell_m``, the index also keeps a :class:`~gridgov.geo.raster.CellRaster` of cells about
``cell_m`` metres square. A point in a cell wholly inside one grid (or wholly outside every grid) is answered
from the raster with no point-in-polygon test; only points in cells near an edge go to the STRtree. The answers
are exactly the STRtree's (:meth:`GridIndex.locate_indices_strtree`, kept for comparison).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

from gridgov.geo.ports import LocateResult
from gridgov.geo.raster import BOUNDARY, CellRaster
from gridgov.grids.domain import PREFIX_LENGTH, GridLevel, ancestors, check_code, level_of

OUTSIDE: Final = -1


class GridIndex:
    """An immutable index over L3 grids. Build once (start-up, activation); share between threads."""

    def __init__(
        self,
        codes: Sequence[str],
        geometries: Sequence[BaseGeometry] | npt.NDArray[np.object_],
        cell_m: float | None = None,
    ) -> None:
        if len(codes) != len(geometries):
            raise ValueError("codes and geometries differ in length")
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate grid codes")
        for code in codes:
            if level_of(check_code(code)) != GridLevel.MICRO:
                raise ValueError(f"not an L3 grid code: {code}")
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes: npt.NDArray[np.str_] = np.array([codes[i] for i in order], dtype="U15")
        geoms = np.empty(len(order), dtype=object)
        geoms[:] = [geometries[i] for i in order]
        self.geometries: npt.NDArray[np.object_] = geoms
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self._codes_obj: npt.NDArray[np.object_] = np.array(list(self.codes) + [None], dtype=object)
        self._codes_list: list[str] = [str(c) for c in self.codes]
        self._ancestors: dict[str, tuple[str, ...]] = _ancestor_chains(self._codes_list)
        self.raster: CellRaster | None = CellRaster.build(self, cell_m) if cell_m and len(self.codes) else None

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, int, BaseGeometry]], cell_m: float | None = None) -> GridIndex:
        """Build from ``(code, level, geometry)`` rows of any levels; only L3 (level 4) rows are kept.
        ``cell_m`` (metres) also builds the pre-index raster."""
        codes: list[str] = []
        geoms: list[BaseGeometry] = []
        for code, level, geom in records:
            if int(level) == GridLevel.MICRO:
                codes.append(code)
                geoms.append(geom)
        return cls(codes, geoms, cell_m)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        b = shapely.total_bounds(self.geometries)
        return float(b[0]), float(b[1]), float(b[2]), float(b[3])

    def locate_indices(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Index into :attr:`codes` for each point (WGS-84), or ``OUTSIDE`` (-1): from the raster where
        there is one, the STRtree for points in boundary cells."""
        if self.raster is None:
            return self.locate_indices_strtree(lons, lats)
        x, y = _xy(lons, lats)
        out = self.raster.lookup(x, y)
        near = np.flatnonzero(out == BOUNDARY)
        if near.size:
            out[near] = self.locate_indices_strtree(x[near], y[near])
        return out

    def locate_indices_strtree(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """The same answers from the STRtree alone (one vectorised query, no raster)."""
        x, y = _xy(lons, lats)
        n_geoms = len(self.codes)
        out = np.full(x.shape[0], n_geoms, dtype=np.int64)
        if x.shape[0] and n_geoms:
            pairs = self.tree.query(shapely.points(x, y), predicate="intersects")
            np.minimum.at(out, pairs[0], pairs[1])
        out[out == n_geoms] = OUTSIDE
        return out

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """L3 code (``str``) for each point (WGS-84), or ``None`` when it is outside every grid."""
        idx = self.locate_indices(lons, lats)
        return self._codes_obj[idx]  # OUTSIDE (-1) picks the trailing None

    def ancestors_of(self, code: str) -> tuple[str, ...]:
        chain = self._ancestors.get(code)
        if chain is None:
            chain = self._ancestors[code] = tuple(ancestors(code))
        return chain

    def locate(self, lat: float, lon: float) -> LocateResult:
        """One WGS-84 point → :class:`LocateResult` (code, ancestors city→L2, inside)."""
        if self.raster is not None:
            i = self.raster.lookup_one(lat, lon)
            if i >= 0:
                code = self._codes_list[i]
                return LocateResult(code, self.ancestors_of(code), True, lat, lon)
            if i != BOUNDARY:
                return LocateResult.outside(lat, lon)
        return self.locate_strtree(lat, lon)

    def locate_strtree(self, lat: float, lon: float) -> LocateResult:
        """One point from the STRtree alone (what :meth:`locate` does in a boundary cell)."""
        hits = self.tree.query(shapely.points(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return LocateResult.outside(lat, lon)
        code = str(self.codes[int(hits.min())])
        return LocateResult(code, self.ancestors_of(code), True, lat, lon)


def _xy(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x = np.asarray(lons, dtype=np.float64).ravel()
    y = np.asarray(lats, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("lons and lats differ in length")
    return x, y


def _ancestor_chains(codes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Every L3 code's ancestors, worked out once per community (codes of one community share them)."""
    cut = PREFIX_LENGTH[GridLevel.COMMUNITY]
    per_community: dict[str, tuple[str, ...]] = {}
    chains: dict[str, tuple[str, ...]] = {}
    for code in codes:
        chain = per_community.get(code[:cut])
        if chain is None:
            chain = per_community[code[:cut]] = tuple(ancestors(code))
        chains[code] = chain
    return chains
