"""Where things are, through HTTP and the CLI: locate, coordinate systems, address text, map layers, grid files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from gridgov.cli import main
from gridgov.geo.crs import from_canonical

from conftest import Api, World, inner_point


def test_locate_a_point_in_every_coordinate_system(api: Api, clean: World) -> None:
    lat, lon = inner_point(clean, clean.grid)
    got = api.get("dispatcher", "/api/v1/grids/locate", lat=lat, lon=lon).json()
    assert got["inside"] and got["code"] == clean.grid
    assert [a["code"] for a in got["ancestors"]][-1] == clean.grid[:12] + "000"
    assert got["ancestors"][1]["name"] == "中原区"
    for crs in ("gcj02", "bd09"):
        clat, clon = from_canonical(lat, lon, crs)
        assert (clat, clon) != (lat, lon)
        again = api.get("dispatcher", "/api/v1/grids/locate", lat=clat, lon=clon, crs=crs).json()
        assert again["code"] == clean.grid and abs(again["lat"] - lat) < 1e-5
    outside = api.get("dispatcher", "/api/v1/grids/locate", lat=39.9, lon=116.4).json()
    assert outside["inside"] is False and outside["code"] is None and outside["message"]
    bad = api.get("dispatcher", "/api/v1/grids/locate", lat=34.7, lon=113.6, crs="utm50n")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_crs"


def test_case_with_coordinates_is_located_and_outside_points_are_refused(api: Api, clean: World) -> None:
    lat, lon = inner_point(clean, clean.other_grid)
    glat, glon = from_canonical(lat, lon, "gcj02")  # as a WeChat mini-program would send it
    r = api.post("resident", "/api/v1/cases", {"title": "井盖缺失", "lat": glat, "lon": glon, "crs": "gcj02"})
    assert r.status_code == 201, r.text
    case = api.get("dispatcher", f"/api/v1/cases/{r.json()['id']}").json()
    assert case["grid_code"] == clean.other_grid and case["location_source"] == "point"
    assert abs(case["lat"] - lat) < 1e-5 and case["input_crs"] == "gcj02"  # stored in WGS-84
    r = api.post("resident", "/api/v1/cases", {"title": "x", "lat": 39.9, "lon": 116.4})
    assert r.status_code == 422 and r.json()["error"]["code"] == "outside_city"
    r = api.post("resident", "/api/v1/cases", {"title": "x", "lat": 39.9, "lon": 116.4, "address": "中原区林山寨街道"})
    assert r.status_code == 201
    assert api.get("dispatcher", "/api/v1/cases").json()["total"] == 2


def test_address_only_case_lands_in_the_deepest_division_named(api: Api, clean: World) -> None:
    r = api.post(
        "operator", "/api/v1/cases", {"title": "噪音", "address": "郑州市中原区林山寨街道某小区", "source": "hotline"}
    )
    case = api.get("dispatcher", f"/api/v1/cases/{r.json()['id']}").json()
    assert case["grid_code"] == "410102001000000" and case["location_source"] == "address"
    assert 0 < case["location_confidence"] <= 1
    parsed = api.get("operator", "/api/v1/grids/address", text="中原区林山寨街道").json()
    assert parsed["code"] == "410102001000000" and parsed["level"] == 2
    unknown = api.post("operator", "/api/v1/cases", {"title": "x", "address": "火星基地", "source": "hotline"})
    assert unknown.status_code == 201  # kept; the operator sets the grid when registering
    assert api.get("operator", f"/api/v1/cases/{unknown.json()['id']}").json()["grid_code"] is None


def test_map_layers_geometry_points_and_near(api: Api, clean: World) -> None:
    w = clean
    feature = api.get("dispatcher", f"/api/v1/grids/{w.grid}/geometry", zoom=14).json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    kids = api.get("dispatcher", f"/api/v1/grids/{w.street_code}000000/geometry", children="true").json()
    assert kids["type"] == "FeatureCollection" and len(kids["features"]) >= 1
    gcj = api.get("dispatcher", f"/api/v1/grids/{w.grid}/geometry", crs="gcj02").json()
    assert gcj["geometry"]["coordinates"] != feature["geometry"]["coordinates"]
    lat, lon = inner_point(w, w.grid)
    cid = api.post("resident", "/api/v1/cases", {"title": "垃圾", "lat": lat, "lon": lon}).json()["id"]
    layer = api.get("dispatcher", "/api/v1/cases.geojson", bbox=f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}")
    assert [f["properties"]["id"] for f in layer.json()["features"]] == [cid]
    assert api.get("dispatcher", "/api/v1/cases.geojson", bbox="1,2,3").status_code == 422
    near = api.get("dispatcher", "/api/v1/cases/near", lat=lat + 0.0005, lon=lon, radius_m=100, days=3).json()
    assert [n["id"] for n in near] == [cid] and 40 < near[0]["distance_m"] < 70
    assert api.get("dispatcher", "/api/v1/cases/near", lat=lat + 0.01, lon=lon, radius_m=100).json() == []


def test_grid_file_export_import_and_refusal(clean: World, database_url: str, tmp_path: Path) -> None:
    run = CliRunner()
    out = tmp_path / "grids.geojson"
    assert run.invoke(main, ["grids", "export", "-o", str(out), "--database-url", database_url]).exit_code == 0
    data = json.loads(out.read_text("utf-8"))
    assert len(data["features"]) == 38  # 1 city + 2 districts + 5 + 10 + 20

    with clean.container.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM grids")).scalar_one()
    broken = json.loads(json.dumps(data))
    broken["features"][5]["properties"]["parent_code"] = "999999999999999"
    broken["features"][-1]["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(broken), "utf-8")
    r = run.invoke(main, ["grids", "import", str(bad), "--database-url", database_url])
    assert r.exit_code == 2 and "第5个要素" in r.output and "第37个要素" in r.output
    with clean.container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM grids")).scalar_one() == before

    r = run.invoke(main, ["grids", "import", str(out), "--name", "v2", "--activate", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    versions = run.invoke(main, ["grid", "versions", "--database-url", database_url]).output
    assert "* v2" in versions
    old = next(line.split()[0] for line in versions.splitlines() if "v2" not in line)
    assert run.invoke(main, ["grid", "activate", old, "--database-url", database_url]).exit_code == 0


def test_divisions_layer_by_level_with_labels_and_a_box(api: Api, clean: World) -> None:
    import shapely  # type: ignore[import-untyped]
    from shapely.geometry import shape  # type: ignore[import-untyped]

    w = clean
    districts = api.get("resident", "/api/v1/grids/divisions", level=1, zoom=10).json()["features"]
    assert {f["properties"]["name"] for f in districts} >= {"中原区"} and len(districts) == 2
    streets = api.get("resident", "/api/v1/grids/divisions", level=2, zoom=13).json()["features"]
    assert streets and all(f["properties"]["level"] == 2 for f in streets)
    for f in streets:  # the label point lies inside its division
        lat, lon = f["properties"]["label"]
        assert shape(f["geometry"]).buffer(1e-6).contains(shapely.Point(lon, lat)), f["properties"]["code"]
    lat, lon = inner_point(w, w.grid)
    near = api.get(
        "resident",
        "/api/v1/grids/divisions",
        level=3,
        zoom=16,
        bbox=f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}",
    ).json()["features"]
    assert [f["properties"]["code"] for f in near] == [w.grid[:12] + "000"]  # only what meets the box
    gcj = api.get("resident", "/api/v1/grids/divisions", level=1, zoom=10, crs="gcj02").json()["features"]
    assert gcj[0]["geometry"]["coordinates"] != districts[0]["geometry"]["coordinates"]
    for bad in ({"level": 4}, {"level": 1, "bbox": "1,2,3"}, {"level": 1, "bbox": "a,b,c,d"}):
        r = api.get("resident", "/api/v1/grids/divisions", **bad)
        assert r.status_code == 422, bad
