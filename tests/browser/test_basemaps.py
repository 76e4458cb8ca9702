"""One browser test per basemap mode (docs/geo.md#basemaps), sharing the session's browser and server: an
MBTiles package served by gridgov; a vector package (MBTiles and PMTiles of real Mapbox Vector Tiles) drawn by
the vendored renderer, checked by the colours on screen; 天地图 WMTS and a GCJ-02 template pointed at a tile
server on loopback. Every request the page makes is recorded: none may go anywhere but gridgov and that tile
server. The GCJ-02 test drops a pin on the shifted map and checks that the case lands in the grid holding the
true WGS-84 point, and that the JS port of geo/crs.py agrees with the Python."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.basemap import close_packages
from gridgov.config import Settings
from gridgov.geo.crs import from_canonical, to_canonical
from tiles import LAKE_MIDDLE, make_mbtiles, make_pmtiles, tile_server

from conftest import World

# exposes each Leaflet map a page makes (report.js keeps its own in a closure)
EXPOSE_MAPS = """window.__maps = [];
document.addEventListener("DOMContentLoaded", () => {
  if (window.L) L.Map.addInitHook(function () { window.__maps.push(this); });
});"""


@pytest.fixture
def configure(clean: World) -> Iterator[Callable[..., Settings]]:
    original = clean.container.settings

    def apply(**values: object) -> Settings:
        clean.container.settings = original.model_copy(update=values)
        return clean.container.settings

    yield apply
    clean.container.settings = original
    close_packages()  # the packages this test made go with its tmp_path


def _report_page(browsing: Any) -> tuple[Any, list[str]]:
    page = browsing.page("resident")
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.add_init_script(EXPOSE_MAPS)
    page.goto("/report")
    expect(page.locator("#map.leaflet-container")).to_be_attached()  # wait_for_function would need eval (CSP)
    return page, seen


def _hosts(urls: list[str]) -> set[str]:
    return {urlsplit(u).netloc for u in urls if urlsplit(u).scheme in ("http", "https")}


def _shot(browsing: Any, page: Any, name: str) -> None:
    browsing.shot(page, name)


def test_an_mbtiles_package_served_by_gridgov(browsing: Any, configure: Any, tmp_path: Path) -> None:
    make_mbtiles(tmp_path / "zz.mbtiles", radius=3)
    configure(map_mbtiles=str(tmp_path / "zz.mbtiles"))
    page, seen = _report_page(browsing)
    page.evaluate("window.__maps[0].setView([34.7466, 113.6253], 11, { animate: false })")
    tiles = page.locator("#map img.leaflet-tile-loaded[src*='/tiles/11/']")
    expect(tiles.first).to_be_visible()
    expect(page.locator("#map img.leaflet-tile:not(.leaflet-tile-loaded)")).to_have_count(0)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("测试瓦片 © gridgov")
    _shot(browsing, page, "basemap-mbtiles")
    assert tiles.count() >= 4
    assert _hosts(seen) == {urlsplit(browsing.base).netloc}, _hosts(seen)


def _pixel(page: Any, lat: float, lon: float) -> tuple[int, int, int]:
    """The colour on screen where the page's first map draws (lat, lon): the median of a 5×5 patch, so a
    boundary line crossing the spot does not decide it."""
    x, y = page.evaluate(
        f"(() => {{ const p = window.__maps[0].latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()"
    )
    box = page.locator("#map").bounding_box()
    clip = {"x": box["x"] + x - 2, "y": box["y"] + y - 2, "width": 5, "height": 5}
    patch = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    r, g, b = (sorted(band.tobytes())[12] for band in patch.split())
    return r, g, b


@pytest.mark.parametrize(("kind", "schema"), [("mbtiles", "plain"), ("pmtiles", "plain"), ("pmtiles", "protomaps")])
def test_a_vector_package_is_drawn(browsing: Any, configure: Any, tmp_path: Path, kind: str, schema: str) -> None:
    """Layers named by the package's metadata are styled by what their names say (plain); a Protomaps basemap
    build gets protomaps' own light style. Either way the lake is blue and the land pale, read off the screen."""
    package = tmp_path / f"vector.{kind}"
    if kind == "mbtiles":
        make_mbtiles(package, fmt="pbf")
    else:
        make_pmtiles(package, fmt="pbf", schema=schema)
    plain, _ = _report_page(browsing)  # the same page with no basemap: the view it opens on
    expect(plain.locator("#map[data-fitted]")).to_be_attached()
    opened = plain.evaluate("window.__maps[0].getZoom()")
    configure(map_mbtiles=str(package))
    page, seen = _report_page(browsing)
    canvases = page.locator("#map canvas.leaflet-tile-loaded")
    expect(page.locator("#map[data-fitted]")).to_be_attached()
    expect(canvases.first).to_be_attached()  # the renderer has loaded and drawn
    # the package (zooms 10–12) neither clamps the map's zooms nor moves the view the page opens on
    assert page.evaluate("[window.__maps[0].getZoom(), window.__maps[0].getMinZoom()]") == [opened, 0]
    expect(page.locator("#map .leaflet-control-zoom-out")).not_to_have_class(re.compile("leaflet-disabled"))
    page.evaluate("window.__maps[0].setView([34.752, 113.638], 13, { animate: false })")
    expect(page.locator("#map canvas.leaflet-tile:not(.leaflet-tile-loaded)")).to_have_count(0)
    # the level Leaflet shows while the new one fades in is dropped once it has (z-index 19: the shown level)
    expect(page.locator("#map .leaflet-tile-container:not([style*='z-index: 19']) canvas")).to_have_count(0)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("测试瓦片")
    _shot(browsing, page, f"basemap-vector-{kind}-{schema}")
    lake = _pixel(page, *LAKE_MIDDLE)
    land = _pixel(page, 34.762, 113.615)  # north-west of the square: no feature there
    assert lake[2] - lake[0] > 30, (lake, land)  # the lake is drawn blue, under the boundaries' light veil
    assert land[2] - land[0] < 15 and min(land) > 200, (lake, land)  # the land is drawn pale, not blue
    if schema == "protomaps":  # protomaps' own light style: its cyan water, not the plain rules' blue
        assert lake[1] - lake[0] > 45, lake
    else:
        assert lake[1] - lake[0] < 40 and lake[2] > lake[1], lake
    asked = [u for u in seen if "/tiles/" in u]
    assert asked and all(u.endswith(".pbf") for u in asked)
    assert any("/static/vendor/protomaps-leaflet/" in u for u in seen)  # the renderer, from this server
    assert _hosts(seen) == {urlsplit(browsing.base).netloc}, _hosts(seen)


def test_tianditu_wmts_from_a_local_tile_server(browsing: Any, configure: Any) -> None:
    with tile_server() as tiles:
        template = tiles.base + "/t{s}/{layer}_w/{z}/{x}/{y}.png?tk={key}"
        configure(map_provider="tianditu", map_tianditu_key="test-key-1", map_tianditu_url=template)
        page, seen = _report_page(browsing)
        page.evaluate("window.__maps[0].setView([34.7466, 113.6253], 12, { animate: false })")
        expect(page.locator("#map img.leaflet-tile-loaded[src*='cva_w/12/']").first).to_be_attached()
        expect(page.locator("#map img.leaflet-tile:not(.leaflet-tile-loaded)")).to_have_count(0)
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("天地图")
        _shot(browsing, page, "basemap-tianditu")
        asked = [p for p in tiles.requests if "/12/" in p]
    assert {p.split("/")[2] for p in asked} == {"vec_w", "cva_w"}  # base and labels
    assert len({p.split("/")[1] for p in tiles.requests}) > 1  # spread over the subdomains t0–t7
    assert all(parse_qs(urlsplit(p).query)["tk"] == ["test-key-1"] for p in tiles.requests)
    assert _hosts(seen) == {urlsplit(browsing.base).netloc, urlsplit(tiles.base).netloc}, _hosts(seen)


def test_a_gcj02_map_shifts_both_ways_and_a_dropped_pin_lands_in_the_true_grid(
    browsing: Any, configure: Any, clean: World
) -> None:
    locator = clean.container.locator()
    target = _shifted_point(clean)  # WGS-84, in clean.grid; its GCJ-02 coordinates read as WGS-84 lie elsewhere
    glat, glon = from_canonical(*target, "gcj02")
    with tile_server() as tiles:
        configure(map_tile_url=tiles.base + "/gcj/{z}/{x}/{y}.png", map_tile_crs="gcj02", map_tile_attribution="GCJ")
        page, seen = _report_page(browsing)
        page.evaluate(f"window.__maps[0].setView([{glat}, {glon}], 17, {{ animate: false }})")
        expect(page.locator("#map img.leaflet-tile:not(.leaflet-tile-loaded)")).to_have_count(0)
        # the JS port of geo/crs.py agrees with the Python (both directions, across the city)
        samples = [(34.5 + 0.05 * i, 113.2 + 0.07 * j) for i in range(9) for j in range(12)]
        js = page.evaluate(
            "(pts) => pts.map(([a, b]) => [GG.basemap.wgs84ToGcj02(a, b), GG.basemap.gcj02ToWgs84(a, b)])", samples
        )
        for (lat, lon), (fwd, back) in zip(samples, js, strict=True):
            assert abs(fwd[0] - from_canonical(lat, lon, "gcj02")[0]) < 1e-9
            assert abs(fwd[1] - from_canonical(lat, lon, "gcj02")[1]) < 1e-9
            assert max(abs(a - b) for a, b in zip(back, to_canonical(lat, lon, "gcj02"), strict=True)) < 1e-9
        assert page.evaluate(f"GG.basemap.fromMap({glat}, {glon})") == pytest.approx(list(target), abs=1e-8)
        # drop the pin where the GCJ-02 map shows the true point
        x, y = page.evaluate(
            f"(() => {{ const p = window.__maps[0].latLngToContainerPoint([{glat}, {glon}]); return [p.x, p.y]; }})()"
        )
        box = page.locator("#map").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        expect(page.locator("#where")).to_contain_text("位置: ")
        _shot(browsing, page, "basemap-gcj02")
        page.get_by_label("问题概述").fill("GCJ-02 地图上标出的井盖破损")
        page.get_by_role("button", name="提交").click()
        expect(page.locator("#receipt")).to_be_visible()
        expect(page.locator("#tracking-code")).to_have_text(re.compile(r"\S"))
        code = page.locator("#tracking-code").inner_text().strip()
        with clean.container.engine.connect() as conn:
            row = conn.execute(
                text("SELECT id, grid_code, lat, lon, input_crs FROM cases WHERE tracking_code = :t"), {"t": code}
            ).one()
        # a case panel's small map (map.js caseMaps, as htmx loads the panel) shifts the stored WGS-84 point onto
        # the GCJ-02 map too
        page.evaluate(
            f"""() => {{ const el = document.createElement("div"); el.className = "map panel-map";
                 Object.assign(el.dataset,
                   {{ caseMap: "", grid: "{row.grid_code}", lat: "{row.lat}", lon: "{row.lon}" }});
                 el.id = "panel-map"; document.body.append(el);
                 document.dispatchEvent(new CustomEvent("htmx:load", {{ detail: {{ elt: el }} }})); }}"""
        )
        expect(page.locator("#panel-map .leaflet-marker-icon")).to_have_count(1)
        pin = page.evaluate(
            """() => { const m = document.getElementById("panel-map").ggMap.map; let at = null;
                 m.eachLayer((l) => { if (l instanceof L.Marker) at = l.getLatLng(); }); return [at.lat, at.lng]; }"""
        )
        assert pin == pytest.approx(list(from_canonical(row.lat, row.lon, "gcj02")), abs=1e-9)
    assert row.grid_code == locator.locate(*target, "wgs84").code == clean.grid
    assert row.input_crs == "gcj02" and abs(row.lat - target[0]) < 2e-5 and abs(row.lon - target[1]) < 2e-5
    assert any("/geometry?" in u and "crs=gcj02" in u for u in seen)  # the grid layer is drawn shifted
    assert any("/gcj/17/" in p for p in tiles.requests)
    assert _hosts(seen) == {urlsplit(browsing.base).netloc, urlsplit(tiles.base).netloc}, _hosts(seen)


def _shifted_point(w: World) -> tuple[float, float]:
    """A WGS-84 point well inside the test's grid whose GCJ-02 coordinates, if wrongly taken for WGS-84, fall
    outside it (so the test fails if the shift is skipped either way)."""
    import shapely  # type: ignore[import-untyped]

    sql = text(
        "SELECT geom_wkb FROM grids g JOIN grid_versions v ON v.id = g.version_id WHERE v.active AND g.code = :c"
    )
    with w.container.sessions() as s:
        poly = shapely.from_wkb(s.execute(sql, {"c": w.grid}).scalar_one())
    locator = w.container.locator()
    inner = poly.buffer(-0.0005)
    minx, miny, maxx, maxy = inner.bounds
    for i in range(1, 40):
        for j in range(1, 40):
            lon, lat = minx + (maxx - minx) * i / 40, miny + (maxy - miny) * j / 40
            if not inner.contains(shapely.Point(lon, lat)):
                continue
            glat, glon = from_canonical(lat, lon, "gcj02")
            if locator.locate(glat, glon, "wgs84").code != w.grid and locator.locate(lat, lon, "wgs84").code == w.grid:
                return lat, lon
    raise AssertionError("no point of the grid is moved out of it by the GCJ-02 shift")
