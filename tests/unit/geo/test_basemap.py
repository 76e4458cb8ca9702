"""gridgov.basemap: the mode the settings choose, the CSP hosts each allows (exactly those), and the MBTiles
reader (TMS rows, metadata, read-only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridgov.admin.settings_view import HIDDEN, masked, settings_rows
from gridgov.basemap import (
    BasemapError,
    MBTiles,
    PMTiles,
    basemap,
    mode_of,
    read_package,
    tile_hosts,
    tile_touches,
)
from gridgov.config import Settings
from gridgov.web.render import content_security_policy
from tiles import ZHENGZHOU, make_mbtiles, make_pmtiles, xyz

AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def _settings(**values: object) -> Settings:
    return Settings(environment="test", **values)  # type: ignore[arg-type]


def _img_src(s: Settings) -> str:
    csp = content_security_policy(tile_hosts(s))
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("img-src"))


def test_nothing_outside_by_default() -> None:
    s = _settings()
    assert mode_of(s) == "none" and basemap(s).layers == () and tile_hosts(s) == []
    assert _img_src(s) == "img-src 'self' data: blob:"


def test_mbtiles_is_served_by_gridgov_so_the_csp_stays_self(tmp_path: Path) -> None:
    make_mbtiles(tmp_path / "zz.mbtiles")
    s = _settings(map_mbtiles=str(tmp_path / "zz.mbtiles"), map_tile_url=AMAP, map_tile_crs="gcj02")  # wins
    bm = basemap(s)
    assert bm.mode == "mbtiles" and bm.crs == "wgs84" and (bm.minzoom, bm.maxzoom) == (10, 12)
    assert [x.url for x in bm.layers] == ["/tiles/{z}/{x}/{y}.png"] and bm.layers[0].attribution == "测试瓦片 © gridgov"
    assert _img_src(s) == "img-src 'self' data: blob:"
    assert "zz.mbtiles" in bm.summary() and "png" in bm.summary()


def test_tianditu_allows_exactly_its_eight_subdomains_and_the_key_stays_off_the_settings_page() -> None:
    s = _settings(map_provider="tianditu", map_tianditu_key="0123abcd")
    bm = basemap(s)
    assert [x.url.split("/")[3] for x in bm.layers] == ["vec_w", "cva_w"] and bm.crs == "wgs84"
    assert all(x.subdomains == "01234567" and "tk=0123abcd" in x.url for x in bm.layers)
    assert "LAYER=cva&" in bm.layers[1].url and "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in bm.layers[0].url
    hosts = " ".join(f"https://t{i}.tianditu.gov.cn" for i in range(8))
    assert _img_src(s) == f"img-src 'self' data: blob: {hosts}"
    assert "0123abcd" not in bm.summary() and "vec_w + cva_w" in bm.summary()
    rows = dict(settings_rows(s.model_dump()))
    assert rows["GRIDGOV_MAP_TIANDITU_KEY"] == HIDDEN and "0123abcd" not in str(rows)
    imagery = basemap(_settings(map_provider="tianditu", map_tianditu_key="k", map_tianditu_layers="img"))
    assert [x.url.split("/")[3] for x in imagery.layers] == ["img_w", "cia_w"]


def test_a_url_template_allows_its_own_hosts_only() -> None:
    gcj = _settings(map_tile_url=AMAP, map_tile_crs="gcj02", map_tile_subdomains="1234")
    assert basemap(gcj).crs == "gcj02" and basemap(gcj).layers[0].subdomains == "1234"
    hosts = " ".join(f"https://webrd0{i}.is.autonavi.com" for i in range(1, 5))
    assert _img_src(gcj) == f"img-src 'self' data: blob: {hosts}"
    local = _settings(map_tile_url="http://127.0.0.1:8123/t/{z}/{x}/{y}.png")
    assert _img_src(local) == "img-src 'self' data: blob: http://127.0.0.1:8123" and basemap(local).crs == "wgs84"
    assert masked("map_tile_url", "https://x.example/{z}/{x}/{y}.png?key=s3cret") == (
        "https://x.example/{z}/{x}/{y}.png?key=***"
    )


def test_the_reader_flips_tms_rows_and_answers_none_outside(tmp_path: Path) -> None:
    made = make_mbtiles(tmp_path / "zz.mbtiles", radius=1)
    pack = MBTiles(tmp_path / "zz.mbtiles")
    x, y = xyz(*ZHENGZHOU, 11)
    tile = pack.tile(11, x, y)
    assert tile is not None and tile.content_type == "image/png" and tile.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not tile.gzip and tile.etag.startswith('"') and tile.etag == pack.tile(11, x, y).etag  # type: ignore[union-attr]
    assert all(pack.tile(z, tx, ty) is not None for z, tx, ty in made)
    tms = (1 << 11) - 1 - y
    assert pack.tile(11, x, tms) is None  # the unflipped row is another place, not in the package
    assert pack.tile(9, x >> 2, y >> 2) is None and pack.tile(13, x * 2, y * 2) is None  # outside its zooms
    assert pack.tile(11, -1, 0) is None and pack.tile(11, 1 << 11, 0) is None
    with pytest.raises(sqlite3.OperationalError):  # read-only
        pack._db.execute("DELETE FROM tiles")
    pack.close()


def test_a_vector_package_is_served_gzip_and_drawn_from_its_declared_layers(tmp_path: Path) -> None:
    import gzip

    import mapbox_vector_tile  # type: ignore[import-untyped]

    make_mbtiles(tmp_path / "v.mbtiles", zooms=(10,), radius=0, fmt="pbf")
    pack = MBTiles(tmp_path / "v.mbtiles")
    tile = pack.tile(10, *xyz(*ZHENGZHOU, 10))
    assert tile is not None and tile.gzip and tile.content_type == "application/x-protobuf"
    assert set(mapbox_vector_tile.decode(gzip.decompress(tile.data))) == {"water", "building", "roads", "places"}
    bm = basemap(_settings(map_mbtiles=str(tmp_path / "v.mbtiles")), pack)
    assert bm.format == "pbf"
    assert [(x.url, x.kind) for x in bm.layers] == [("/tiles/{z}/{x}/{y}.pbf", "vector")]
    assert bm.client()["vectorLayers"] == ["water", "building", "roads", "places"]
    assert bm.detail["矢量图层"] == "water, building, roads, places"
    pack.close()


@pytest.mark.parametrize("compression", ["brotli", "zstd"])
def test_a_pmtiles_archive_compressed_other_than_gzip_is_refused(tmp_path: Path, compression: str) -> None:
    """Served as they are, brotli or zstd tiles would reach the browser undecoded (no Content-Encoding a page
    can count on): refused at start-up instead."""
    path = tmp_path / "v.pmtiles"
    make_pmtiles(path, zooms=(10,), radius=0, fmt="pbf", compression=compression)
    with pytest.raises(BasemapError, match=compression.upper()):
        read_package(path)


def test_a_tile_touches_the_bounds_it_overlaps() -> None:
    bounds = (113.3253, 34.4966, 113.9253, 34.9966)
    x, y = xyz(*ZHENGZHOU, 8)
    assert tile_touches(bounds, 8, x, y) and tile_touches(None, 3, 0, 0)
    assert not tile_touches(bounds, 8, x + 2, y) and not tile_touches(bounds, 8, x, y - 2)
    assert tile_touches(bounds, 0, 0, 0)  # the whole world holds it


@pytest.mark.parametrize("kind", ["mbtiles", "pmtiles"])
def test_a_vector_package_without_its_layer_list_is_refused(tmp_path: Path, kind: str) -> None:
    """Without vector_layers (which MBTiles 1.3 and PMTiles v3 require) nothing could be styled: refused at
    start-up, naming the file, rather than served as a blank map."""
    path = tmp_path / f"v.{kind}"
    if kind == "mbtiles":
        make_mbtiles(path, zooms=(10,), radius=0, fmt="pbf")
        db = sqlite3.connect(path)
        db.execute("DELETE FROM metadata WHERE name = 'json'")
        db.commit()
        db.close()
    else:
        make_pmtiles(path, zooms=(10,), radius=0, fmt="pbf", schema="none")
    with pytest.raises(BasemapError, match="vector_layers") as err:
        read_package(path)
    assert str(path) in str(err.value)


def test_a_missing_or_foreign_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BasemapError, match="找不到"):
        MBTiles(tmp_path / "nope.mbtiles")
    (tmp_path / "x.mbtiles").write_bytes(b"not sqlite at all, just bytes" * 10)
    with pytest.raises(BasemapError, match="不是 MBTiles"):
        MBTiles(tmp_path / "x.mbtiles")


def test_a_pmtiles_archive_is_read_through_the_same_setting(tmp_path: Path) -> None:
    made = make_pmtiles(tmp_path / "zz.pmtiles", radius=1)
    pack = read_package(tmp_path / "zz.pmtiles")
    assert (
        isinstance(pack, PMTiles)
        and pack.metadata.format == "png"
        and (pack.metadata.minzoom, pack.metadata.maxzoom) == (10, 12)
    )
    assert pack.metadata.attribution == "测试瓦片 (PMTiles) © gridgov" and pack.metadata.bounds is not None
    assert all(pack.tile(z, x, y) is not None for z, x, y in made)
    x, y = xyz(*ZHENGZHOU, 12)
    tile = pack.tile(12, x, y)
    assert tile is not None and tile.data[:4] == b"\x89PNG" and not tile.gzip
    assert pack.tile(12, x + 5, y) is None and pack.tile(13, 2 * x, 2 * y) is None
    bm = basemap(_settings(map_mbtiles=str(tmp_path / "zz.pmtiles")), pack)
    assert bm.mode == "mbtiles" and bm.layers[0].url == "/tiles/{z}/{x}/{y}.png" and "PMTiles" in bm.summary()
    make_mbtiles(tmp_path / "zz.mbtiles", radius=0)
    assert isinstance(read_package(tmp_path / "zz.mbtiles"), MBTiles)
    pack.close()


def test_a_configured_package_that_is_missing_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(BasemapError, match="找不到"):
        basemap(_settings(map_mbtiles=str(tmp_path / "gone.mbtiles")))
