"""Coordinate systems used in China, and the one gridgov stores (pure: numpy only).

Canonical system: **WGS-84** (EPSG:4326). Every coordinate is converted to it on entry and stored
in it; maps that need GCJ-02 or BD-09 get coordinates converted on the way out. Why WGS-84:

* GPS receivers (phones, grid workers' terminals) give WGS-84 natively;
* national surveying and the civil-affairs boundaries use **CGCS2000** (EPSG:4490), which agrees
  with WGS-84 to within a few centimetres for this purpose, so it is accepted and treated as
  WGS-84 unchanged;
* GCJ-02 (AMap, Tencent, WeChat) is a deliberate, non-invertible-in-closed-form obfuscation of
  WGS-84 and BD-09 (Baidu) adds a second one on top; storing either would tie the data to one
  vendor and make every distance slightly wrong.

GCJ-02 is the published "Krasovsky ellipsoid" offset used by every open-source implementation
(e.g. googollee/eviltransform, wandergis/coordtransform). Outside China's rough bounding box
(lon 72.004–137.8347, lat 0.8293–55.8271) there is no offset, as in those implementations. The
inverse (GCJ-02 → WGS-84, BD-09 → GCJ-02) has no closed form; it is solved by fixed-point
iteration to 1e-10 degrees (about 0.01 mm), far inside the 1 m the issue asks for.

Scalar functions take and return ``(lat, lon)``; the ``*_many`` batch functions take and return
``(lons, lats)`` arrays, like :meth:`gridgov.geo.locate.GridIndex.locate_many`.
"""

from __future__ import annotations

import math
from typing import Final, Literal, cast

import numpy as np
import numpy.typing as npt

from gridgov.geo.ports import InvalidCoordinate, UnknownCrs

Crs = Literal["wgs84", "gcj02", "bd09", "cgcs2000"]
CRS_NAMES: Final[tuple[Crs, ...]] = ("wgs84", "gcj02", "bd09", "cgcs2000")
CANONICAL: Final[Crs] = "wgs84"

FloatArray = npt.NDArray[np.float64]

_A: Final = 6378245.0  # Krasovsky 1940 semi-major axis, as used by GCJ-02
_EE: Final = 0.00669342162296594323  # its first eccentricity squared
_X_PI: Final = math.pi * 3000.0 / 180.0  # BD-09's constant
_EARTH_R: Final = 6371008.8  # mean earth radius (m), for distances
_TOL_DEG: Final = 1e-10
_MAX_ITER: Final = 30

_ALIASES: Final[dict[str, Crs]] = {
    "wgs84": "wgs84",
    "epsg4326": "wgs84",
    "gps": "wgs84",
    "cgcs2000": "cgcs2000",
    "epsg4490": "cgcs2000",
    "gcj02": "gcj02",
    "gcj": "gcj02",
    "mars": "gcj02",
    "bd09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
}


def check_crs(name: str) -> Crs:
    """Normalise a system name (``"WGS-84"``, ``"gcj_02"``, ``"EPSG:4490"`` …) or raise :class:`UnknownCrs`."""
    key = "".join(ch for ch in name.strip().lower() if ch.isalnum())
    try:
        return _ALIASES[key]
    except KeyError:
        raise UnknownCrs(field="crs", value=name) from None


def out_of_china(lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where the GCJ-02 offset does not apply (the implementations' rough bounding box)."""
    x = np.asarray(lons, dtype=np.float64)
    y = np.asarray(lats, dtype=np.float64)
    return ~((x >= 72.004) & (x <= 137.8347) & (y >= 0.8293) & (y <= 55.8271))


def _offset(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (zero outside China)."""
    x = lons - 105.0
    y = lats - 35.0
    sx = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
    dlat += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
    dlon += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lats / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * math.pi)
    outside = out_of_china(lons, lats)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _arrays(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lons, dtype=np.float64)
    y = np.asarray(lats, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lons and lats differ in shape: {x.shape} != {y.shape}")
    return x, y


def wgs84_to_gcj02_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _arrays(lons, lats)
    dx, dy = _offset(x, y)
    return x + dx, y + dy


def gcj02_to_wgs84_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`wgs84_to_gcj02_many` by fixed-point iteration ``w ← w + (g − f(w))``.

    The offset's derivative is about 1e-5, so each step gains ~5 digits: 2–3 steps reach 1e-10°.
    """
    gx, gy = _arrays(lons, lats)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(_MAX_ITER):
        fx, fy = wgs84_to_gcj02_many(wx, wy)
        ex, ey = gx - fx, gy - fy
        wx += ex
        wy += ey
        if not (np.any(np.abs(ex) > _TOL_DEG) or np.any(np.abs(ey) > _TOL_DEG)):
            break
    return wx, wy


def gcj02_to_bd09_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _arrays(lons, lats)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`gcj02_to_bd09_many`: the usual closed-form approximation, refined by iteration."""
    bx, by = _arrays(lons, lats)
    x, y = bx - 0.0065, by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    gx, gy = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_MAX_ITER):
        fx, fy = gcj02_to_bd09_many(gx, gy)
        ex, ey = bx - fx, by - fy
        gx += ex
        gy += ey
        if not (np.any(np.abs(ex) > _TOL_DEG) or np.any(np.abs(ey) > _TOL_DEG)):
            break
    return gx, gy


def _check_range(x: FloatArray, y: FloatArray) -> None:
    bad = ~(np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
    if np.any(bad):
        i = int(np.argmax(bad))
        raise InvalidCoordinate(f"经纬度超出范围: lat={y[i]!r}, lon={x[i]!r}", field="lat/lon")


def to_canonical_many(lons: npt.ArrayLike, lats: npt.ArrayLike, crs: str) -> tuple[FloatArray, FloatArray]:
    """Convert arrays in ``crs`` to WGS-84. Raises :class:`UnknownCrs` / :class:`InvalidCoordinate`."""
    system = check_crs(crs)
    x, y = _arrays(lons, lats)
    _check_range(x, y)
    if system == "gcj02":
        return gcj02_to_wgs84_many(x, y)
    if system == "bd09":
        return gcj02_to_wgs84_many(*bd09_to_gcj02_many(x, y))
    return x.copy(), y.copy()


def from_canonical_many(lons: npt.ArrayLike, lats: npt.ArrayLike, crs: str) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 arrays to ``crs`` (for map display in GCJ-02 / BD-09)."""
    system = check_crs(crs)
    x, y = _arrays(lons, lats)
    _check_range(x, y)
    if system == "gcj02":
        return wgs84_to_gcj02_many(x, y)
    if system == "bd09":
        return gcj02_to_bd09_many(*wgs84_to_gcj02_many(x, y))
    return x.copy(), y.copy()


def _scalar(fn_result: tuple[FloatArray, FloatArray]) -> tuple[float, float]:
    lons, lats = fn_result
    return float(lats), float(lons)


def to_canonical(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """``(lat, lon)`` in ``crs`` → ``(lat, lon)`` in WGS-84."""
    if check_crs(crs) in ("wgs84", "cgcs2000"):
        _check_range(np.array([lon], dtype=np.float64), np.array([lat], dtype=np.float64))
        return float(lat), float(lon)
    return _scalar(to_canonical_many(lon, lat, crs))


def from_canonical(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """``(lat, lon)`` in WGS-84 → ``(lat, lon)`` in ``crs``."""
    return _scalar(from_canonical_many(lon, lat, crs))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on the mean sphere; < 0.5 % error)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_R * math.asin(math.sqrt(min(1.0, h)))


def distance_m_many(
    lons1: npt.ArrayLike, lats1: npt.ArrayLike, lons2: npt.ArrayLike, lats2: npt.ArrayLike
) -> FloatArray:
    x1, y1 = _arrays(lons1, lats1)
    x2, y2 = _arrays(lons2, lats2)
    p1, p2 = np.radians(y1), np.radians(y2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(x2 - x1) / 2) ** 2
    return cast(FloatArray, 2 * _EARTH_R * np.arcsin(np.sqrt(np.minimum(1.0, h))))


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` enclosing the circle of ``radius_m`` around a WGS-84 point.

    For "cases within R metres": filter indexed ``lat``/``lon`` columns with this box, then keep
    rows with :func:`distance_m` ≤ R. Slightly generous (spherical; cos taken at the pole-ward edge).
    """
    dlat = math.degrees(radius_m / _EARTH_R)
    edge = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, dlat / max(math.cos(math.radians(edge)), 1e-9))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat
