"""The dashboard's heat map data: cases with a point, by category and period, summed per cell, in the reader's
scope like the rest of the dashboard (issue 18)."""

from __future__ import annotations

from datetime import timedelta

from conftest import Api, World, inner_point


def _report(api: Api, w: World, grid: str, category: str, dlat: float = 0.0) -> None:
    lat, lon = inner_point(w, grid)
    body = {"title": "楼道堆物", "lat": lat + dlat, "lon": lon, "category_code": category}
    assert api.post("operator", "/api/v1/cases", {**body, "source": "hotline"}).status_code == 201


def test_heat_points_by_category_period_and_scope(api: Api, clean: World) -> None:
    w = clean
    _report(api, w, w.grid, "H1802")
    _report(api, w, w.grid, "H1802", dlat=0.00001)  # the same ~100 m cell: cases add up in one point
    _report(api, w, w.other_grid, "H05")
    w.clock.advance(timedelta(days=10))
    _report(api, w, w.grid, "H05")
    # a case with no point is not on the heat map
    assert (
        api.post("operator", "/api/v1/cases", {"title": "x", "grid_code": w.grid, "source": "hotline"}).status_code
        == 201
    )

    city = api.get("leader", "/api/v1/dashboard/heat", days=30).json()
    assert city["cases"] == 4 and city["max"] == 3 and sum(p[2] for p in city["points"]) == 4
    lat, lon = inner_point(w, w.grid)
    assert any(abs(p[0] - lat) <= 0.0006 and abs(p[1] - lon) <= 0.0006 and p[2] == 3 for p in city["points"])
    assert api.get("leader", "/api/v1/dashboard/heat", days=30, category="H18").json()["cases"] == 2  # and below
    assert api.get("leader", "/api/v1/dashboard/heat", days=30, category="H05").json()["cases"] == 2
    assert api.get("leader", "/api/v1/dashboard/heat", days=3).json()["cases"] == 1  # the last three days only
    street = api.get("street", "/api/v1/dashboard/heat", days=30).json()  # the street of w.grid
    assert street["cases"] == 3
    assert api.get("other-street", "/api/v1/dashboard/heat", days=30).json()["cases"] == 1
    assert api.get("resident", "/api/v1/dashboard/heat").status_code == 403
    bad = api.get("leader", "/api/v1/dashboard/heat", days=0)
    assert bad.status_code == 422
    assert api.get("leader", "/api/v1/dashboard/heat", category="x' or 1=1").status_code == 422
