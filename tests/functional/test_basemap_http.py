"""Basemaps over HTTP (in process): the MBTiles tile route, the CSP and page config per mode, the settings page."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridgov.basemap import close_packages, open_package, tile_touches
from gridgov.config import Settings
from tiles import LAKE_MIDDLE, VECTOR_LAYERS, ZHENGZHOU, make_mbtiles, make_pmtiles, xyz

from conftest import Api, World


@pytest.fixture
def configure(clean: World) -> Iterator[object]:
    """Run the app under changed map settings for one test (the container's settings are read per request)."""
    original = clean.container.settings

    def apply(**values: object) -> Settings:
        clean.container.settings = original.model_copy(update=values)
        return clean.container.settings

    yield apply
    clean.container.settings = original
    close_packages()  # the packages this test made go with its tmp_path


def _config(html: str) -> dict[str, object]:
    found = re.search(r'<script id="gg-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page carries its config"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_an_mbtiles_package_is_served_with_caching_headers(api: Api, configure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_mbtiles(tmp_path / "zz.mbtiles")
    configure(map_mbtiles=str(tmp_path / "zz.mbtiles"))
    x, y = xyz(*ZHENGZHOU, 12)
    r = api.client.get(f"/tiles/12/{x}/{y}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    assert r.headers["cache-control"] == "public, max-age=86400" and r.headers["etag"]
    again = api.client.get(f"/tiles/12/{x}/{y}.png", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    for outside in (f"/tiles/12/{x + 40}/{y}.png", f"/tiles/9/{x >> 3}/{y >> 3}.png", f"/tiles/12/{x}/{y}.jpg"):
        miss = api.client.get(outside)
        assert miss.status_code == 404 and miss.json()["error"]["code"] == "not_found", outside
    page = api.client.get("/login")
    assert "img-src 'self' data: blob:;" in page.headers["content-security-policy"]
    cfg = _config(page.text)["basemap"]
    assert cfg["mode"] == "mbtiles" and cfg["layers"][0]["url"] == "/tiles/{z}/{x}/{y}.png"  # type: ignore[index]
    assert (cfg["minZoom"], cfg["maxZoom"]) == (10, 12)  # type: ignore[index]


def test_no_package_no_tiles(api: Api) -> None:
    r = api.client.get("/tiles/12/3340/1625.png")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_vector_package_is_sent_gzip_encoded(api: Api, configure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import mapbox_vector_tile  # type: ignore[import-untyped]

    made = make_mbtiles(tmp_path / "v.mbtiles", zooms=(11,), radius=2, fmt="pbf")
    configure(map_mbtiles=str(tmp_path / "v.mbtiles"))
    z, x, y = next(t for t in made if t[1:] == xyz(*LAKE_MIDDLE, 11))
    raw = api.client.build_request("GET", f"/tiles/{z}/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"})
    r = api.client.send(raw)
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-protobuf"
    assert r.headers["content-encoding"] == "gzip"  # httpx decoded it: r.content is the tile itself
    assert mapbox_vector_tile.decode(r.content)["water"]["features"][0]["properties"]["name"] == "测试湖"
    # a tile the package leaves out (nothing on it) inside its zooms is empty, not an error; outside them, 404
    bounds = open_package(str(tmp_path / "v.mbtiles")).metadata.bounds
    missing = next(
        (11, a, b)
        for a in range(x - 2, x + 3)
        for b in range(y - 2, y + 3)
        if (11, a, b) not in made and tile_touches(bounds, 11, a, b)
    )
    empty = api.client.get("/tiles/{}/{}/{}.pbf".format(*missing))
    assert empty.status_code == 204 and empty.content == b""
    assert empty.headers["cache-control"] == "public, max-age=3600"
    # below the package's zooms, inside its bounds: empty too (the map zooms out to the city over it)
    lx, ly = xyz(*ZHENGZHOU, 8)
    assert api.client.get(f"/tiles/8/{lx}/{ly}.pbf").status_code == 204
    assert api.client.get(f"/tiles/11/{x + 40}/{y}.pbf").status_code == 404  # outside its bounds
    assert api.client.get(f"/tiles/14/{x * 8}/{y * 8}.pbf").status_code == 404  # above its zooms
    assert api.client.get(f"/tiles/{z}/{x}/{y}.png").status_code == 404
    cfg = _config(api.client.get("/login").text)["basemap"]
    assert cfg["layers"][0]["kind"] == "vector" and cfg["vectorLayers"] == list(VECTOR_LAYERS)  # type: ignore[index]


def test_each_mode_allows_exactly_its_tile_hosts(api: Api, configure) -> None:  # type: ignore[no-untyped-def]
    def img_src() -> str:
        csp = api.client.get("/login").headers["content-security-policy"]
        return next(p.strip() for p in csp.split(";") if p.strip().startswith("img-src"))

    assert img_src() == "img-src 'self' data: blob:"
    configure(map_provider="tianditu", map_tianditu_key="tk-secret-42")
    assert img_src() == "img-src 'self' data: blob: " + " ".join(f"https://t{i}.tianditu.gov.cn" for i in range(8))
    configure(
        map_tile_url="https://wprd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=7",
        map_tile_crs="gcj02",
        map_tile_subdomains="1234",
    )
    assert img_src() == "img-src 'self' data: blob: " + " ".join(
        f"https://wprd0{i}.is.autonavi.com" for i in range(1, 5)
    )
    cfg = _config(api.client.get("/login").text)
    assert cfg["basemap"]["crs"] == "gcj02" and cfg["tiles"]["crs"] == "gcj02"  # type: ignore[index]


def test_the_settings_page_shows_the_mode_and_hides_the_key(api: Api, configure) -> None:  # type: ignore[no-untyped-def]
    configure(map_provider="tianditu", map_tianditu_key="tk-secret-42")
    rows = api.get("admin", "/api/v1/admin/settings").json()
    assert rows[0]["name"] == "底图 (basemap)" and rows[0]["value"].startswith("天地图 WMTS")
    assert "vec_w + cva_w" in rows[0]["value"] and "tk-secret-42" not in json.dumps(rows, ensure_ascii=False)


def test_a_pmtiles_archive_is_served_the_same_way(api: Api, configure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_pmtiles(tmp_path / "zz.pmtiles")
    configure(map_mbtiles=str(tmp_path / "zz.pmtiles"))
    x, y = xyz(*ZHENGZHOU, 11)
    r = api.client.get(f"/tiles/11/{x}/{y}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    assert r.headers["etag"] and api.client.get(f"/tiles/11/{x + 9}/{y}.png").status_code == 404
    cfg = _config(api.client.get("/login").text)["basemap"]
    assert cfg["layers"][0]["attribution"] == "测试瓦片 (PMTiles) © gridgov"  # type: ignore[index]


def test_serve_refuses_a_basemap_that_cannot_work_in_one_line(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`gridgov serve` with a package that is missing, or a vector one without its layer list, exits 2 with the
    reason on one line, before any server or worker process starts."""
    from click.testing import CliRunner

    from gridgov.cli import main

    broken = tmp_path / "v.mbtiles"
    make_mbtiles(broken, zooms=(10,), radius=0, fmt="pbf")
    db = sqlite3.connect(broken)
    db.execute("DELETE FROM metadata WHERE name = 'json'")
    db.commit()
    db.close()
    for package, reason in ((tmp_path / "gone.mbtiles", "找不到瓦片包"), (broken, "vector_layers")):
        monkeypatch.setenv("GRIDGOV_MAP_MBTILES", str(package))
        url = f"sqlite:///{tmp_path / 'gg.db'}"
        r = CliRunner().invoke(main, ["serve", "--database-url", url, "--port", "1"])
        assert r.exit_code == 2, r.output
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误 [basemap]: ") and reason in lines[0], r.stderr
