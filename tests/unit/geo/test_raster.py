"""The locate pre-index (gridgov.geo.raster) on hand-made geometry: holes, islands, slivers, polygons smaller than
a cell, points on cell lines and on edges. Its answers must be the STRtree's, point for point. The same check on
the whole demo city is in test_zhengzhou_geometry.py."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gridgov.geo.locate import OUTSIDE, GridIndex
from gridgov.geo.raster import BOUNDARY, CellRaster

PREFIX = "410102001001"


def code(i: int) -> str:
    return f"{PREFIX}{i:03d}"


def shapes() -> list[tuple[str, Polygon | MultiPolygon]]:
    ring = box(113.60, 34.70, 113.64, 34.74).difference(box(113.61, 34.71, 113.63, 34.73))  # a square with a hole
    island = box(113.615, 34.715, 113.625, 34.725)  # in the hole
    east = box(113.64, 34.70, 113.68, 34.74)  # shares an edge with the ring
    islands = MultiPolygon([box(113.70, 34.70, 113.7001, 34.7001), box(113.71, 34.71, 113.72, 34.72)])
    sliver = Polygon([(113.68, 34.70), (113.6801, 34.70), (113.6801, 34.74)])  # overlaps east? no: beside it
    overlap = box(113.675, 34.72, 113.685, 34.73)  # overlaps east and the sliver: the lowest code wins
    tilted = Polygon([(113.60, 34.75), (113.65, 34.76), (113.62, 34.80)])
    return [
        (code(7), ring),
        (code(3), island),
        (code(5), east),
        (code(2), islands),
        (code(9), sliver),
        (code(1), overlap),
        (code(4), tilted),
    ]


def index(cell_m: float) -> GridIndex:
    rows = shapes()
    return GridIndex([c for c, _ in rows], [g for _, g in rows], cell_m=cell_m)


def hard_points(idx: GridIndex, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Vertices, edge midpoints, points a hair off them, and points on the raster's own cell lines."""
    coords = shapely.get_coordinates(idx.geometries)
    mids = (coords[:-1] + coords[1:]) / 2
    base = np.vstack([coords, mids])
    jitter = [base + rng.normal(0, s, base.shape) for s in (1e-12, 1e-9, 1e-7, 1e-5)]
    raster = idx.raster
    assert raster is not None
    k = rng.integers(0, raster.nx, 5000)
    j = rng.integers(0, raster.ny, 5000)
    lines = np.column_stack([raster.x0 + k * raster.dx, raster.y0 + j * raster.dy])
    pts = np.vstack([base, *jitter, lines])
    return pts[:, 0], pts[:, 1]


def agree(idx: GridIndex, xs: np.ndarray, ys: np.ndarray) -> None:
    fast = idx.locate_indices(xs, ys)
    bare = idx.locate_indices_strtree(xs, ys)
    assert (fast == bare).all(), f"{int((fast != bare).sum())} of {xs.size} points differ"
    for x, y in zip(xs[:3000], ys[:3000], strict=True):
        assert idx.locate(float(y), float(x)) == idx.locate_strtree(float(y), float(x))


def test_the_pre_index_gives_the_strtree_answers_on_holes_islands_and_overlaps() -> None:
    rng = np.random.default_rng(3)
    for cell_m in (5.0, 25.0, 200.0):
        idx = index(cell_m)
        minx, miny, maxx, maxy = idx.bounds
        xs = rng.uniform(minx - 0.01, maxx + 0.01, 100_000)
        ys = rng.uniform(miny - 0.01, maxy + 0.01, 100_000)
        agree(idx, xs, ys)
        agree(idx, *hard_points(idx, rng))


def test_the_lowest_code_wins_where_polygons_overlap_and_on_shared_edges() -> None:
    idx = index(25.0)
    assert idx.locate(34.725, 113.677).code == code(1)  # in the overlap of east (5) and overlap (1)
    assert idx.locate(34.72, 113.64).code == code(5)  # the ring (7) and east (5) share this edge
    assert idx.locate(34.72, 113.62).code == code(3)  # the island in the ring's hole
    assert idx.locate(34.705, 113.62).code == code(7)


def test_cells_inside_one_grid_answer_without_the_tree() -> None:
    idx = index(25.0)
    raster = idx.raster
    assert raster is not None
    xs = np.array([113.62, 113.605, 113.66, 113.5])
    ys = np.array([34.72, 34.705, 34.71, 34.6])
    values = raster.lookup(xs, ys)
    assert list(idx.codes[values[:3]]) == [code(3), code(7), code(5)]
    assert values[3] == OUTSIDE
    fractions = raster.fractions()
    assert fractions["boundary"] < 0.1 and abs(sum(fractions.values()) - 1) < 1e-12


def test_non_finite_and_far_points_are_outside() -> None:
    idx = index(25.0)
    xs = np.array([np.nan, np.inf, -np.inf, 113.62, 0.0, 180.0])
    ys = np.array([34.72, 34.72, 34.72, np.nan, 0.0, 90.0])
    assert list(idx.locate_indices(xs, ys)) == [OUTSIDE] * 6
    assert list(idx.locate_indices_strtree(xs, ys)) == [OUTSIDE] * 6
    assert not idx.locate(float("nan"), 113.62).inside


def test_a_polygon_smaller_than_a_cell_is_only_in_boundary_cells() -> None:
    idx = index(200.0)
    raster = idx.raster
    assert raster is not None
    assert raster.lookup_one(34.70005, 113.70005) == BOUNDARY
    assert idx.locate(34.70005, 113.70005).code == code(2)


def test_a_huge_extent_gets_coarser_cells() -> None:
    idx = GridIndex([code(1), code(2)], [box(70, 10, 71, 11), box(130, 50, 131, 51)])
    raster = CellRaster.build(idx, 25.0, max_cells=200_000)
    assert raster.nx * raster.ny <= 200_000 and raster.cell_m > 25.0
    idx.raster = raster
    agree(idx, np.array([70.5, 130.5, 100.0]), np.array([10.5, 50.5, 30.0]))
