"""Test basemaps: small MBTiles and PMTiles packages around Zhengzhou, of PNG tiles (Pillow) or of real Mapbox
Vector Tiles (tilezen's mapbox-vector-tile encoder: a lake, two roads, a building and a named place, cut per
tile in web-mercator), and a tiny threaded tile server on loopback that draws a PNG for any path and records
every request (for the 天地图 and GCJ-02 modes)."""

from __future__ import annotations

import gzip
import io
import json
import math
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw

ZHENGZHOU = (34.7466, 113.6253)  # (lat, lon): 二七广场, WGS-84


def xyz(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The XYZ (slippy map) column and row of the tile holding a WGS-84 point."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return x, y


def png(
    label: str, fill: tuple[int, int, int, int] = (222, 235, 247, 255), ink: str = "#1f4e79", top: int = 10
) -> bytes:
    """A 256 px tile: a fill, a border, and its label written large enough to read on a screenshot."""
    image = Image.new("RGBA", (256, 256), fill)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=ink, width=2)
    draw.line((0, 128, 255, 128), fill=ink)
    draw.line((128, 0, 128, 255), fill=ink)
    draw.text((10, top), label, fill=ink, font_size=20)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# what the vector packages hold, in WGS-84 (lon, lat); a browser test reads the drawn colours at these places
LAKE = ((113.640, 34.750), (113.662, 34.750), (113.662, 34.762), (113.640, 34.762))
LAKE_MIDDLE = (34.756, 113.651)  # (lat, lon)
ROADS = (
    ("测试大道", ((113.55, 34.7466), (113.70, 34.7466))),
    ("测试路", ((113.6253, 34.70), (113.6253, 34.80))),
)
BUILDING = ((113.600, 34.730), (113.606, 34.730), (113.606, 34.734), (113.600, 34.734))
PLACE = ("二七广场", (113.6253, 34.7466))
VECTOR_LAYERS = ("water", "building", "roads", "places")
# the same things in the Protomaps basemap schema (https://docs.protomaps.com/basemaps/layers): land is drawn
PROTOMAPS_LAYERS = {"water": "water", "building": "buildings", "roads": "roads", "places": "places"}
EXTENT = 4096


def layer_names(schema: str) -> tuple[str, ...]:
    """The layers a package of `schema` declares ("none": none, as a broken package would)."""
    if schema == "none":
        return ()
    return VECTOR_LAYERS if schema == "plain" else ("earth", *PROTOMAPS_LAYERS.values())


def vector_tile(z: int, x: int, y: int, schema: str = "plain") -> bytes:
    """One real Mapbox Vector Tile (spec 2.1) of the layers above, cut to the tile with a small buffer; schema
    "protomaps" names the layers as a Protomaps basemap build does, with its "earth" and "kind" properties."""
    import mapbox_vector_tile
    from shapely import clip_by_rect
    from shapely.geometry import LineString, Point, Polygon

    n = 1 << z

    def local(lon: float, lat: float) -> tuple[float, float]:  # tile pixels, y down, 0..EXTENT
        mx = (lon + 180.0) / 360.0 * n
        my = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
        return (mx - x) * EXTENT, (my - y) * EXTENT

    def cut(shape):  # type: ignore[no-untyped-def]
        return clip_by_rect(shape, -64, -64, EXTENT + 64, EXTENT + 64)

    contents = [
        ("water", [(Polygon([local(*p) for p in LAKE]), {"name": "测试湖", "kind": "lake"})]),
        ("building", [(Polygon([local(*p) for p in BUILDING]), {"kind": "building"})]),
        (
            "roads",
            [(LineString([local(*p) for p in line]), {"name": label, "kind": "major_road"}) for label, line in ROADS],
        ),
        ("places", [(Point(local(*PLACE[1])), {"name": PLACE[0], "kind": "locality", "min_zoom": 1})]),
    ]
    if schema == "protomaps":
        land = Polygon([(-64, -64), (EXTENT + 64, -64), (EXTENT + 64, EXTENT + 64), (-64, EXTENT + 64)])
        contents = [("earth", [(land, {"kind": "earth"})])] + [(PROTOMAPS_LAYERS[n], g) for n, g in contents]
    layers = []
    for name, geometries in contents:
        features = []
        for geometry, props in geometries:
            kept = cut(geometry) if geometry.geom_type != "Point" else geometry
            px, py = (kept.x, kept.y) if geometry.geom_type == "Point" else (0.0, 0.0)
            if kept.is_empty or not (0 <= px <= EXTENT and 0 <= py <= EXTENT):
                continue
            features.append({"geometry": kept, "properties": props})
        if features:
            layers.append({"name": name, "features": features})
    if not layers:
        return b""  # (a Protomaps build has earth on every land tile, as real extracts do)
    return mapbox_vector_tile.encode(layers, default_options={"y_coord_down": True, "extents": EXTENT})


def vector_metadata(schema: str = "plain") -> dict[str, object]:
    """The vector_layers description MBTiles 1.3 (its json row) and PMTiles v3 (its metadata) require."""
    if schema == "none":
        return {}
    return {"vector_layers": [{"id": name, "fields": {"name": "String"}} for name in layer_names(schema)]}


def make_mbtiles(
    path: Path, zooms: tuple[int, ...] = (10, 11, 12), radius: int = 2, fmt: str = "png", around=ZHENGZHOU
) -> list[tuple[int, int, int]]:
    """Write an MBTiles 1.3 file: for each zoom the (2·radius+1)² tiles around `around`; returns their XYZ
    numbers. fmt "pbf" stores real vector tiles, gzip-compressed as the usual tools do, and leaves out the tiles
    with nothing on them, as they do."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
        "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
    )
    made: list[tuple[int, int, int]] = []
    for z in zooms:
        cx, cy = xyz(*around, z)
        for x in range(cx - radius, cx + radius + 1):
            for y in range(cy - radius, cy + radius + 1):
                if fmt == "pbf":
                    raw = vector_tile(z, x, y)
                    if not raw:
                        continue
                    data = gzip.compress(raw)
                else:
                    data = png(f"MBT {z}/{x}/{y}")
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))  # TMS row
                made.append((z, x, y))
    lat, lon = around
    meta = {
        "name": "郑州测试底图",
        "format": fmt,
        "minzoom": str(min(zooms)),
        "maxzoom": str(max(zooms)),
        "bounds": f"{lon - 0.3},{lat - 0.25},{lon + 0.3},{lat + 0.25}",
        "attribution": "测试瓦片 © gridgov",
    }
    if fmt == "pbf":
        meta["json"] = json.dumps(vector_metadata(), ensure_ascii=False)
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    db.commit()
    db.close()
    return made


class _Handler(BaseHTTPRequestHandler):
    server: TileServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        label = self.path.split("?")[0].strip("/")
        transparent = "cva" in self.path or "cia" in self.path
        body = self.server.drawn(label, transparent)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


class TileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self._cache: dict[tuple[str, bool], bytes] = {}
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def drawn(self, label: str, transparent: bool) -> bytes:
        with self._lock:
            key = (label, transparent)
            if key not in self._cache:
                fill = (0, 0, 0, 0) if transparent else (255, 236, 210, 255)
                self._cache[key] = png(label, fill, "#0b6623" if transparent else "#8a4b08", 60 if transparent else 10)
            return self._cache[key]


@contextmanager
def tile_server() -> Iterator[TileServer]:
    srv = TileServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def make_pmtiles(
    path: Path,
    zooms: tuple[int, ...] = (10, 11, 12),
    radius: int = 2,
    fmt: str = "png",
    schema: str = "plain",
    compression: str = "",
) -> list[tuple[int, int, int]]:
    """The same tiles as a PMTiles v3 archive, written with protomaps' `pmtiles` writer: PNG, or (fmt "pbf")
    the vector tiles (in `schema`), gzip-compressed and declared so in the header (`compression` names another
    header value, for the refusal tests: the bytes stay as they are)."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    vector = fmt == "pbf"
    declared = Compression[compression.upper()] if compression else Compression.GZIP if vector else Compression.NONE
    tiles: dict[int, tuple[tuple[int, int, int], bytes]] = {}
    for z in zooms:
        cx, cy = xyz(*ZHENGZHOU, z)
        for x in range(cx - radius, cx + radius + 1):
            for y in range(cy - radius, cy + radius + 1):
                if vector:
                    raw = vector_tile(z, x, y, schema)
                    if raw:
                        tiles[zxy_to_tileid(z, x, y)] = ((z, x, y), gzip.compress(raw))
                    continue
                tiles[zxy_to_tileid(z, x, y)] = ((z, x, y), png(f"PMT {z}/{x}/{y}", (230, 245, 225, 255), "#2e6b30"))
    lat, lon = ZHENGZHOU
    with write(str(path)) as writer:
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id][1])
        writer.finalize(
            {
                "tile_type": TileType.MVT if vector else TileType.PNG,
                "tile_compression": declared,
                "min_lon_e7": int((lon - 0.3) * 1e7),
                "min_lat_e7": int((lat - 0.25) * 1e7),
                "max_lon_e7": int((lon + 0.3) * 1e7),
                "max_lat_e7": int((lat + 0.25) * 1e7),
                "center_zoom": zooms[0],
                "center_lon_e7": int(lon * 1e7),
                "center_lat_e7": int(lat * 1e7),
            },
            {
                "name": "郑州测试底图",
                "attribution": "测试瓦片 (PMTiles) © gridgov",
                **(vector_metadata(schema) if vector else {}),
            },
        )
    return [tiles[t][0] for t in sorted(tiles)]
