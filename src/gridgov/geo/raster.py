"""The locate pre-index: a uniform raster of cells over the grids (pure: numpy + scipy + shapely).

Each cell holds one of three things:

* the tree index of the L3 grid that answers every point in the cell (a *pure* cell),
* :data:`OUTSIDE` (-1): no grid contains any point of the cell,
* :data:`BOUNDARY` (-2): some polygon edge comes near the cell, so its points are answered by the STRtree.

A point in a pure or outside cell is answered by two multiplications and one array read, with no
point-in-polygon test. Only points in boundary cells go to the STRtree query (the same query as
:meth:`gridgov.geo.locate.GridIndex.locate_indices_strtree`), so the answers are exactly the bare path's.

How the raster is built, and why its answers are exact:

1. **Boundary cells.** Every ring of every polygon (shells and holes) is cut into pieces no longer than one
   cell along either axis. Each piece marks every cell that its bounding box, widened by ``EPS`` (10⁻⁶ of a
   cell, about 0.03 mm at 25 m), touches. A cell that no piece marks has no polygon edge within ``EPS``.
2. **Regions.** The unmarked cells are split into 4-connected regions (``scipy.ndimage.label``). Inside a
   region no point crosses a polygon edge, so the set of polygons that contain a point is the same for every
   point of the region, and so is the answer (the lowest code among them, or outside).
3. **One answer per region.** One cell centre per region is located by the STRtree query itself; the region's
   cells take that answer.

A point is put in cell ``(floor((lon - x0) / dx), floor((lat - y0) / dy))``; the rounding of that product is
far below ``EPS``, so a point is always within ``EPS`` of the cell it is read from. Points outside the raster
(one empty cell of margin around the grids' bounds) and non-finite coordinates are outside.

Overmarking (a cell marked though no edge crosses it) only sends a few more points to the STRtree: it can
never change an answer. Missing a crossed cell could, which is why marking works from bounding boxes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import shapely  # type: ignore[import-untyped]
from scipy import ndimage  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from gridgov.geo.locate import GridIndex

OUTSIDE: Final = -1
BOUNDARY: Final = -2
EPS: Final = 1e-6  # in cells
METRES_PER_DEGREE: Final = 2 * math.pi * 6371008.8 / 360
MAX_CELLS: Final = 64_000_000  # a raster larger than this gets coarser cells (about 128 MB at int16)
DEFAULT_CELL_M: Final = 25.0


class CellRaster:
    """An immutable raster over one :class:`GridIndex`; build it with :meth:`build`."""

    def __init__(
        self,
        x0: float,
        y0: float,
        dx: float,
        dy: float,
        cells: npt.NDArray[np.signedinteger],
        cell_m: float,
    ) -> None:
        self.x0, self.y0, self.dx, self.dy = x0, y0, dx, dy
        self.inv_dx, self.inv_dy = 1.0 / dx, 1.0 / dy
        self.cells = np.ascontiguousarray(cells)
        self.ny, self.nx = self.cells.shape
        self.cell_m = cell_m
        self._flat = self.cells.ravel()
        self._view = memoryview(self._flat)  # type: ignore[arg-type]  # item reads as Python ints, for one point at a time

    @property
    def nbytes(self) -> int:
        return int(self.cells.nbytes)

    def fractions(self) -> dict[str, float]:
        """Share of cells that are pure, outside and boundary."""
        n = self._flat.size
        boundary = int(np.count_nonzero(self._flat == BOUNDARY))
        outside = int(np.count_nonzero(self._flat == OUTSIDE))
        return {"pure": (n - boundary - outside) / n, "outside": outside / n, "boundary": boundary / n}

    @classmethod
    def build(cls, index: GridIndex, cell_m: float = DEFAULT_CELL_M, max_cells: int = MAX_CELLS) -> CellRaster:
        """Raster of about ``cell_m`` metres square over ``index``'s L3 grids; cells grow by half until the
        raster has at most ``max_cells`` cells."""
        if cell_m <= 0:
            raise ValueError("cell_m must be positive")
        minx, miny, maxx, maxy = index.bounds
        mid = math.radians((miny + maxy) / 2)
        while True:
            dy = cell_m / METRES_PER_DEGREE
            dx = dy / max(math.cos(mid), 1e-6)
            nx = int(math.floor((maxx - minx) / dx)) + 3  # one empty cell of margin on every side
            ny = int(math.floor((maxy - miny) / dy)) + 3
            if nx * ny <= max_cells:
                break
            cell_m *= 1.5
        x0, y0 = minx - dx, miny - dy
        boundary = _boundary_cells(index, x0, y0, dx, dy, nx, ny)
        labels, n_regions = ndimage.label(~boundary)  # 4-connected (the default structure)
        flat = labels.ravel()
        rep = np.zeros(n_regions + 1, dtype=np.int64)
        rep[flat] = np.arange(flat.size, dtype=np.int64)  # any one cell of each region
        rep_v, rep_u = np.divmod(rep[1:], nx)
        answers = index.locate_indices_strtree(x0 + (rep_u + 0.5) * dx, y0 + (rep_v + 0.5) * dy)
        dtype = np.int16 if len(index) < np.iinfo(np.int16).max else np.int32
        lut = np.empty(n_regions + 1, dtype=dtype)
        lut[0] = BOUNDARY
        lut[1:] = answers
        return cls(x0, y0, dx, dy, lut[labels], cell_m)

    def lookup(self, lons: npt.NDArray[np.float64], lats: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Cell value for each point: a tree index, OUTSIDE, or BOUNDARY (ask the tree)."""
        u = lons - self.x0
        u *= self.inv_dx
        v = lats - self.y0
        v *= self.inv_dy
        ok = (u >= 0) & (u < self.nx) & (v >= 0) & (v < self.ny)  # NaN compares False
        if ok.all():
            k = v.astype(np.int64)
            k *= self.nx
            k += u.astype(np.int64)
            return self._flat[k].astype(np.int64)
        out = np.full(lons.shape[0], OUTSIDE, dtype=np.int64)
        k = v[ok].astype(np.int64) * self.nx + u[ok].astype(np.int64)
        out[ok] = self._flat[k]
        return out

    def lookup_one(self, lat: float, lon: float) -> int:
        """Cell value for one WGS-84 point (no numpy call: a few hundred nanoseconds)."""
        u = (lon - self.x0) * self.inv_dx
        v = (lat - self.y0) * self.inv_dy
        if 0 <= u < self.nx and 0 <= v < self.ny:  # NaN compares False
            value: int = self._view[int(v) * self.nx + int(u)]
            return value
        return OUTSIDE


def _boundary_cells(
    index: GridIndex, x0: float, y0: float, dx: float, dy: float, nx: int, ny: int
) -> npt.NDArray[np.bool_]:
    """Cells that some ring of some polygon (shell or hole) comes within EPS of (see the module's notes)."""
    rings = shapely.get_rings(shapely.get_parts(index.geometries))
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    u = (coords[:, 0] - x0) / dx
    v = (coords[:, 1] - y0) / dy
    same = ring_of[1:] == ring_of[:-1]  # consecutive vertices of one ring form a segment
    ua, va, ub, vb = u[:-1][same], v[:-1][same], u[1:][same], v[1:][same]
    pieces = np.maximum(np.ceil(np.maximum(np.abs(ub - ua), np.abs(vb - va))), 1).astype(np.int64)
    seg = np.repeat(np.arange(ua.size), pieces)
    k = np.arange(seg.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    n = pieces[seg].astype(np.float64)
    t0, t1 = k / n, (k + 1) / n
    du, dv = ub[seg] - ua[seg], vb[seg] - va[seg]
    pu0, pu1 = ua[seg] + du * t0, ua[seg] + du * t1
    pv0, pv1 = va[seg] + dv * t0, va[seg] + dv * t1
    lo_u = np.floor(np.minimum(pu0, pu1) - EPS).astype(np.int64)
    hi_u = np.floor(np.maximum(pu0, pu1) + EPS).astype(np.int64)
    lo_v = np.floor(np.minimum(pv0, pv1) - EPS).astype(np.int64)
    hi_v = np.floor(np.maximum(pv0, pv1) + EPS).astype(np.int64)
    marked = np.zeros(nx * ny, dtype=np.bool_)
    for off_u in range(3):  # a piece spans at most 1 + 2 EPS cells: 3 columns and 3 rows at most
        for off_v in range(3):
            keep = (lo_u + off_u <= hi_u) & (lo_v + off_v <= hi_v)
            cu = np.clip(lo_u[keep] + off_u, 0, nx - 1)
            cv = np.clip(lo_v[keep] + off_v, 0, ny - 1)
            marked[cv * nx + cu] = True
    return marked.reshape(ny, nx)
