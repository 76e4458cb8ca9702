"""The map's background, chosen in settings (kernel: config and the standard library only).

Four modes, in this order of precedence (docs/geo.md#basemaps):

* ``mbtiles``: ``GRIDGOV_MAP_MBTILES`` names an MBTiles file (SQLite) that gridgov itself serves at
  ``/tiles/{z}/{x}/{y}.{ext}``: for intranets (政务外网) with no internet; nothing leaves the server;
* ``tianditu``: ``GRIDGOV_MAP_PROVIDER=tianditu``, 天地图's WMTS (``vec_w`` + ``cva_w`` or ``img_w`` + ``cia_w``)
  with the deployment's key, subdomains ``t0``–``t7``; CGCS2000, which is WGS-84 here;
* ``url``: ``GRIDGOV_MAP_TILE_URL``, any XYZ template, WGS-84 or GCJ-02 (AMap, Tencent: ``GRIDGOV_MAP_TILE_CRS``);
* ``none`` (the default): no tiles; the boundaries are drawn on a plain background.

:func:`basemap` turns the settings into what the page's script draws; :func:`tile_hosts` gives exactly the hosts
the Content-Security-Policy lets images come from (none but this server unless a deployment names one).
:class:`MBTiles` reads a package: a read-only SQLite connection, TMS rows flipped to XYZ; :class:`PMTiles` reads
a PMTiles v3 archive (the same setting; told apart by the file's first bytes) with protomaps' `pmtiles`.

A vector package (``pbf``: Mapbox Vector Tiles) is drawn in the browser by the vendored protomaps-leaflet (canvas
2D): its metadata's ``vector_layers`` name the layers, which js/basemap.js styles by geometry and by what the
layer's name says it is (water, roads, buildings…); a Protomaps basemap build gets protomaps' own light style with
Chinese labels. A vector package without ``vector_layers`` (required by MBTiles 1.3 and PMTiles v3) is refused at
start-up, naming the file."""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import quote, urlsplit

from gridgov.config import Settings

Mode = Literal["none", "mbtiles", "tianditu", "url"]

MODE_LABELS: Final[dict[str, str]] = {
    "none": "无底图 (纯色背景上的边界)",
    "mbtiles": "离线瓦片包 (MBTiles, 由本服务器提供)",
    "tianditu": "天地图 WMTS",
    "url": "瓦片服务 (URL 模板)",
}

TIANDITU_LAYERS: Final[dict[str, tuple[str, str]]] = {"vec": ("vec", "cva"), "img": ("img", "cia")}
TIANDITU_SUBDOMAINS: Final = "01234567"
TIANDITU_ATTRIBUTION: Final = "© 天地图 (国家地理信息公共服务平台)"

CONTENT_TYPES: Final[dict[str, str]] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/x-protobuf",
}
RASTER: Final = frozenset({"png", "jpg", "jpeg", "webp"})


class BasemapError(ValueError):
    """A basemap setting that cannot work (a missing package, an unknown format): raised at start-up."""


@dataclass(frozen=True)
class Layer:
    url: str  # a Leaflet template: {s} {z} {x} {y} (and {r}) left for the client
    subdomains: str = ""
    attribution: str = ""
    kind: Literal["raster", "vector"] = "raster"


@dataclass(frozen=True)
class Basemap:
    mode: Mode
    crs: Literal["wgs84", "gcj02"] = "wgs84"
    layers: tuple[Layer, ...] = ()
    minzoom: int = 0
    maxzoom: int = 19
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north (WGS-84)
    format: str = ""  # mbtiles: png, jpg, webp or pbf
    vector_layers: tuple[str, ...] = ()  # a vector package's layer names (its metadata), in its own order
    detail: dict[str, str] = field(default_factory=dict)  # for the settings page (no secrets)

    def client(self) -> dict[str, Any]:
        """What the page's script reads (#gg-config → GG.config.basemap)."""
        return {
            "mode": self.mode,
            "crs": self.crs,
            "layers": [
                {"url": x.url, "subdomains": x.subdomains, "attribution": x.attribution, "kind": x.kind}
                for x in self.layers
            ],
            "minZoom": self.minzoom,
            "maxZoom": self.maxzoom,
            "bounds": list(self.bounds) if self.bounds else None,
            "vectorLayers": list(self.vector_layers),
        }

    def summary(self) -> str:
        """One line for the admin's settings page: the mode and its parts, never a key."""
        parts = [MODE_LABELS[self.mode], *(f"{k}: {v}" for k, v in self.detail.items())]
        return " · ".join(parts)


def mode_of(settings: Settings) -> Mode:
    if settings.map_mbtiles:
        return "mbtiles"
    if settings.map_provider == "tianditu":
        return "tianditu"
    if settings.map_tile_url:
        return "url"
    return "none"


def basemap(settings: Settings, package: MBTiles | PMTiles | None = None) -> Basemap:
    """The basemap the settings name (an MBTiles package is opened unless given)."""
    mode = mode_of(settings)
    if mode == "mbtiles":
        pack = package or open_package(settings.map_mbtiles)
        meta = pack.metadata
        kind: Literal["raster", "vector"] = "raster" if meta.format in RASTER else "vector"
        served = Layer(f"/tiles/{{z}}/{{x}}/{{y}}.{meta.format}", "", meta.attribution, kind)
        detail = {
            "文件": Path(settings.map_mbtiles).name,
            "类型": type(pack).__name__,
            "格式": meta.format,
            "层级": f"{meta.minzoom}–{meta.maxzoom}",
        }
        if kind == "vector":
            detail["矢量图层"] = ", ".join(meta.vector_layers)
        return Basemap(
            mode,
            "wgs84",
            (served,),
            meta.minzoom,
            meta.maxzoom,
            meta.bounds,
            meta.format,
            vector_layers=meta.vector_layers,
            detail=detail,
        )
    if mode == "tianditu":
        base, labels = TIANDITU_LAYERS[settings.map_tianditu_layers]
        key = quote(settings.map_tianditu_key, safe="")

        def layer(name: str, attribution: str) -> Layer:
            url = settings.map_tianditu_url.replace("{layer}", name).replace("{key}", key)
            return Layer(url, TIANDITU_SUBDOMAINS if "{s}" in url else "", attribution)

        return Basemap(
            mode,
            "wgs84",  # CGCS2000 = WGS-84 to centimetres
            (layer(base, TIANDITU_ATTRIBUTION), layer(labels, "")),
            1,
            18,
            detail={
                "图层": f"{base}_w + {labels}_w",
                "密钥": "已设置 (隐藏)" if settings.map_tianditu_key else "未设置",
            },
        )
    if mode == "url":
        url = settings.map_tile_url
        crs = settings.map_tile_crs
        return Basemap(
            mode,
            crs,
            (Layer(url, settings.map_tile_subdomains if "{s}" in url else "", settings.map_tile_attribution),),
            detail={"主机": ", ".join(_hosts(url, settings.map_tile_subdomains)), "坐标系": crs.upper()},
        )
    return Basemap("none")


def _hosts(url: str, subdomains: str) -> list[str]:
    """The origins a template reaches: each subdomain spelled out, never a wildcard. Relative: this server."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    names = [parts.netloc.replace("{s}", s) for s in subdomains] if "{s}" in parts.netloc else [parts.netloc]
    return [f"{parts.scheme}://{n}" for n in names]


def tile_hosts(settings: Settings) -> list[str]:
    """Exactly the origins the configured basemap loads images from (empty: this server only)."""
    mode = mode_of(settings)
    if mode == "tianditu":
        url = settings.map_tianditu_url
        hosts = _hosts(url, TIANDITU_SUBDOMAINS)
    elif mode == "url":
        hosts = _hosts(settings.map_tile_url, settings.map_tile_subdomains)
    else:
        hosts = []
    return list(dict.fromkeys(hosts))


# -- MBTiles ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    format: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float] | None
    attribution: str
    name: str
    vector_layers: tuple[str, ...] = ()  # pbf only: the ids of the metadata's vector_layers


@dataclass(frozen=True)
class Tile:
    data: bytes
    content_type: str
    etag: str
    gzip: bool  # a vector tile stored gzip-compressed (the usual case): sent with Content-Encoding: gzip


def tile_touches(bounds: tuple[float, float, float, float] | None, z: int, x: int, y: int) -> bool:
    """Whether XYZ tile (z, x, y) overlaps a package's bounds (west, south, east, north; None: the world)."""
    if bounds is None:
        return True
    n = 1 << z
    west, east = x / n * 360.0 - 180.0, (x + 1) / n * 360.0 - 180.0
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    w, s, e, nn = bounds
    return west <= e and east >= w and south <= nn and north >= s


class MBTiles:
    """An MBTiles 1.3 package (https://github.com/mapbox/mbtiles-spec), read-only; safe across threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise BasemapError(f"GRIDGOV_MAP_MBTILES: 找不到瓦片包 {self.path}")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._db.execute("PRAGMA query_only = ON")
        try:
            rows = dict(self._db.execute("SELECT name, value FROM metadata").fetchall())
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise BasemapError(f"GRIDGOV_MAP_MBTILES: {self.path} 不是 MBTiles 文件 ({exc})") from None
        self.metadata = _metadata(rows, self.path)

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        """The tile at XYZ (z, x, y), or None (outside the package's zooms or extent)."""
        if not (self.metadata.minzoom <= z <= self.metadata.maxzoom) or not (0 <= x < 1 << z and 0 <= y < 1 << z):
            return None
        tms_row = (1 << z) - 1 - y  # MBTiles rows count from the south (TMS), XYZ from the north
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", (z, x, tms_row)
            ).fetchone()
        if row is None:
            return None
        data = bytes(row[0])
        fmt = self.metadata.format
        return Tile(data, CONTENT_TYPES[fmt], '"' + hashlib.sha1(data).hexdigest()[:20] + '"', data[:2] == b"\x1f\x8b")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _metadata(rows: dict[str, str], path: Path) -> Metadata:
    fmt = (rows.get("format") or "png").lower()
    if fmt not in CONTENT_TYPES:
        raise BasemapError(f"GRIDGOV_MAP_MBTILES: {path} 的格式 {fmt!r} 不受支持 (png, jpg, webp, pbf)")
    bounds: tuple[float, float, float, float] | None = None
    if rows.get("bounds"):
        try:
            w, s, e, n = (float(v) for v in rows["bounds"].split(","))
            bounds = (w, s, e, n)
        except ValueError:
            raise BasemapError(f"GRIDGOV_MAP_MBTILES: {path} 的 bounds 无法读取: {rows['bounds']!r}") from None
    try:
        minzoom, maxzoom = int(rows.get("minzoom", 0)), int(rows.get("maxzoom", 22))
    except ValueError:
        raise BasemapError(f"GRIDGOV_MAP_MBTILES: {path} 的 minzoom/maxzoom 不是整数") from None
    layers: tuple[str, ...] = ()
    if fmt == "pbf":
        try:
            described = json.loads(rows.get("json") or "{}")
        except ValueError:
            raise BasemapError(f"GRIDGOV_MAP_MBTILES: {path} 的 json 元数据无法读取") from None
        layers = vector_layers(described, path)
    return Metadata(fmt, minzoom, maxzoom, bounds, rows.get("attribution", ""), rows.get("name", path.stem), layers)


def vector_layers(described: object, path: Path) -> tuple[str, ...]:
    """The layer ids a vector package's metadata declares (MBTiles 1.3's ``json`` row, PMTiles v3's metadata):
    what the page must know to style it. None declared: refused, since nothing could be drawn."""
    found = described.get("vector_layers") if isinstance(described, dict) else None
    listed = found if isinstance(found, list) else []
    ids = [x["id"] for x in listed if isinstance(x, dict) and isinstance(x.get("id"), str)]
    if not ids:
        raise BasemapError(
            f"GRIDGOV_MAP_MBTILES: 矢量瓦片包 {path} 的元数据没有 vector_layers (图层清单), 无法渲染; "
            "请用 tippecanoe、planetiler 或 pmtiles 等工具重新生成"
        )
    return tuple(dict.fromkeys(ids))


class PMTiles:
    """A PMTiles v3 archive (https://github.com/protomaps/PMTiles), read with protomaps' own `pmtiles` reader
    over a read-only memory map; tiles are addressed XYZ already (no row flip)."""

    KINDS: Final[dict[int, str]] = {1: "pbf", 2: "png", 3: "jpg", 4: "webp"}

    def __init__(self, path: str | Path) -> None:
        from pmtiles.reader import MmapSource, Reader
        from pmtiles.tile import Compression, MagicNumberNotFound, SpecVersionUnsupported

        self.path = Path(path)
        self._file = self.path.open("rb")
        self._reader = Reader(MmapSource(self._file))  # type: ignore[no-untyped-call]
        try:
            header = self._reader.header()  # type: ignore[no-untyped-call]
            meta = self._reader.metadata()  # type: ignore[no-untyped-call]
        except (MagicNumberNotFound, SpecVersionUnsupported, ValueError) as exc:
            self._file.close()
            raise BasemapError(f"GRIDGOV_MAP_MBTILES: {self.path} 不是可读的 PMTiles 文件 ({exc})") from None
        fmt = self.KINDS.get(header["tile_type"].value)
        if fmt is None:
            self._file.close()
            raise BasemapError(f"GRIDGOV_MAP_MBTILES: {self.path} 的瓦片类型 {header['tile_type'].name} 不受支持")
        compression = header["tile_compression"]
        if compression not in (Compression.NONE, Compression.GZIP, Compression.UNKNOWN):
            self._file.close()
            raise BasemapError(
                f"GRIDGOV_MAP_MBTILES: {self.path} 的瓦片压缩方式 {compression.name} 不受支持 (仅支持不压缩或 gzip); "
                "请用 pmtiles convert 或 tippecanoe 以 gzip 重新生成"
            )
        self._gzip = compression == Compression.GZIP
        bounds = tuple(header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"))
        try:
            layers = vector_layers(meta, self.path) if fmt == "pbf" else ()
        except BasemapError:
            self._file.close()
            raise
        self.metadata = Metadata(
            fmt,
            header["min_zoom"],
            header["max_zoom"],
            bounds if any(bounds) else None,
            str(meta.get("attribution", "")) if isinstance(meta, dict) else "",
            str(meta.get("name", self.path.stem)) if isinstance(meta, dict) else self.path.stem,
            layers,
        )
        self._lock = threading.Lock()

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        if not (self.metadata.minzoom <= z <= self.metadata.maxzoom) or not (0 <= x < 1 << z and 0 <= y < 1 << z):
            return None
        with self._lock:
            found = self._reader.get(z, x, y)  # type: ignore[no-untyped-call]
        if not found:
            return None
        data = bytes(found)
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        return Tile(data, CONTENT_TYPES[self.metadata.format], etag, self._gzip or data[:2] == b"\x1f\x8b")

    def close(self) -> None:
        with self._lock:
            self._file.close()


Package = MBTiles | PMTiles

_packages: dict[str, Package] = {}
_packages_lock = threading.Lock()


def read_package(path: str | Path) -> Package:
    """An MBTiles (SQLite) or PMTiles file, told apart by its first bytes."""
    where = Path(path)
    if not where.is_file():
        raise BasemapError(f"GRIDGOV_MAP_MBTILES: 找不到瓦片包 {where}")
    with where.open("rb") as f:
        magic = f.read(7)
    return PMTiles(where) if magic == b"PMTiles" else MBTiles(where)


def close_packages() -> None:
    """Close and forget every reader `open_package` holds (a test that served a package of its own, a reload)."""
    with _packages_lock:
        for pack in _packages.values():
            pack.close()
        _packages.clear()


def open_package(path: str) -> Package:
    """The process's one reader of the package at `path` (opened on first use)."""
    with _packages_lock:
        pack = _packages.get(path)
        if pack is None:
            pack = _packages[path] = read_package(path)
        return pack
