"""Coordinate conversions against published reference pairs, and round trips over Zhengzhou."""

from __future__ import annotations

import numpy as np
import pytest

from gridgov.geo.crs import (
    bbox_around,
    check_crs,
    distance_m,
    distance_m_many,
    from_canonical,
    from_canonical_many,
    to_canonical,
    to_canonical_many,
)
from gridgov.geo.ports import InvalidCoordinate, UnknownCrs

# googollee/eviltransform, python/test.py (commit 3416646a), TESTS: (wgsLat, wgsLng, gcjLat, gcjLng)
EVILTRANSFORM_WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # beijing
]

# wandergis/coordtransform, test/app.js: every function applied to (lng 116.404, lat 39.915);
# results as (lng, lat)
COORDTRANSFORM_INPUT = (116.404, 39.915)
COORDTRANSFORM = {
    "bd09togcj02": (116.39762729119315, 39.90865673957631),
    "gcj02tobd09": (116.41036949371029, 39.92133699351021),
    "wgs84togcj02": (116.41024449916938, 39.91640428150164),
    "gcj02towgs84": (116.39775550083061, 39.91359571849836),
}


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform_pairs(wlat: float, wlon: float, glat: float, glon: float) -> None:
    assert distance_m(*from_canonical(wlat, wlon, "gcj02"), glat, glon) < 0.01


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_inverts_eviltransform_pairs_within_a_metre(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    assert distance_m(*to_canonical(glat, glon, "gcj02"), wlat, wlon) < 0.01


def test_coordtransform_reference_pairs_within_a_metre() -> None:
    lon, lat = COORDTRANSFORM_INPUT
    got = {
        "bd09togcj02": from_canonical(*to_canonical(lat, lon, "bd09"), "gcj02"),
        "gcj02tobd09": from_canonical(*to_canonical(lat, lon, "gcj02"), "bd09"),
        "wgs84togcj02": from_canonical(lat, lon, "gcj02"),
        "gcj02towgs84": to_canonical(lat, lon, "gcj02"),
    }
    for name, (ref_lon, ref_lat) in COORDTRANSFORM.items():
        glat, glon = got[name]
        assert distance_m(glat, glon, ref_lat, ref_lon) < 1.0, name


def test_gcj02_offset_in_zhengzhou_is_a_few_hundred_metres() -> None:
    # 二七广场, 郑州 (WGS-84)
    lat, lon = 34.7535, 113.6648
    offset = distance_m(*from_canonical(lat, lon, "gcj02"), lat, lon)
    assert 300 < offset < 800
    bd_offset = distance_m(*from_canonical(lat, lon, "bd09"), lat, lon)
    assert 800 < bd_offset < 2000


@pytest.mark.parametrize("crs", ["gcj02", "bd09", "wgs84", "cgcs2000"])
def test_round_trips_over_zhengzhou_stay_within_a_centimetre(crs: str) -> None:
    lons, lats = np.meshgrid(np.linspace(112.72, 114.22, 61), np.linspace(34.26, 34.99, 41))
    x, y = from_canonical_many(lons.ravel(), lats.ravel(), crs)
    bx, by = to_canonical_many(x, y, crs)
    assert distance_m_many(bx, by, lons.ravel(), lats.ravel()).max() < 0.01


def test_cgcs2000_is_taken_as_wgs84() -> None:
    assert to_canonical(34.75, 113.66, "cgcs2000") == (34.75, 113.66)


def test_outside_china_there_is_no_offset() -> None:
    assert from_canonical(48.8584, 2.2945, "gcj02") == (48.8584, 2.2945)
    assert to_canonical(48.8584, 2.2945, "gcj02") == pytest.approx((48.8584, 2.2945))


def test_crs_names_are_normalised_and_unknown_ones_refused() -> None:
    assert check_crs("WGS-84") == "wgs84"
    assert check_crs("GCJ_02") == "gcj02"
    assert check_crs("EPSG:4490") == "cgcs2000"
    with pytest.raises(UnknownCrs) as err:
        check_crs("utm50n")
    assert err.value.code == "unknown_crs"


def test_out_of_range_coordinates_are_refused() -> None:
    with pytest.raises(InvalidCoordinate):
        to_canonical(95.0, 113.0, "wgs84")
    with pytest.raises(InvalidCoordinate):
        to_canonical_many([113.0, float("nan")], [34.0, 34.0], "gcj02")


def test_bbox_around_contains_the_whole_circle() -> None:
    lat, lon, radius = 34.75, 113.66, 500.0
    x0, y0, x1, y1 = bbox_around(lat, lon, radius)
    for bearing in np.linspace(0, 2 * np.pi, 72, endpoint=False):
        # points at exactly `radius` (to first order) in every direction
        dlat = np.degrees(radius * np.cos(bearing) / 6371008.8)
        dlon = np.degrees(radius * np.sin(bearing) / 6371008.8) / np.cos(np.radians(lat))
        assert x0 <= lon + dlon <= x1 and y0 <= lat + dlat <= y1
    assert distance_m(lat, lon, lat, x1) == pytest.approx(radius, rel=0.01)
