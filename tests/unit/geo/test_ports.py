"""The AreaLookup port: the fake and the shapely adapter answer the same way."""

from __future__ import annotations

import pytest
import shapely

from gridgov.geo.crs import from_canonical
from gridgov.geo.fixed import FixedAreaLookup
from gridgov.geo.ports import AreaLookup, UnknownCrs
from gridgov.geo.shapes import ShapesAreaLookup

TABLE = (
    ("410102001001001", (113.60, 34.74, 113.65, 34.77)),
    ("410103001001001", (113.65, 34.72, 113.70, 34.77)),
)


def adapters() -> list[AreaLookup]:
    rows = [(code, 4, shapely.box(*bbox)) for code, bbox in TABLE]
    return [FixedAreaLookup(TABLE), ShapesAreaLookup.from_wkb((c, lvl, shapely.to_wkb(g)) for c, lvl, g in rows)]


@pytest.mark.parametrize("lookup", adapters(), ids=["fixed", "shapes"])
def test_inside_point_gives_code_and_ancestors(lookup: AreaLookup) -> None:
    r = lookup.locate(34.75, 113.62)
    assert r.inside
    assert r.code == "410102001001001"
    assert r.ancestors == ("410100000000000", "410102000000000", "410102001000000", "410102001001000")


@pytest.mark.parametrize("lookup", adapters(), ids=["fixed", "shapes"])
def test_shared_edge_goes_to_the_lowest_code(lookup: AreaLookup) -> None:
    assert lookup.locate(34.75, 113.65).code == "410102001001001"


@pytest.mark.parametrize("lookup", adapters(), ids=["fixed", "shapes"])
def test_outside_point_is_reported_outside(lookup: AreaLookup) -> None:
    r = lookup.locate(39.9, 116.4)
    assert not r.inside
    assert r.code is None
    assert r.ancestors == ()


@pytest.mark.parametrize("lookup", adapters(), ids=["fixed", "shapes"])
def test_gcj02_input_is_converted_before_lookup(lookup: AreaLookup) -> None:
    glat, glon = from_canonical(34.75, 113.6495, "gcj02")  # ~570 m east of the WGS-84 point
    assert lookup.locate(glat, glon, "gcj02").code == "410102001001001"
    assert lookup.locate(glat, glon, "wgs84").code == "410103001001001"
    r = lookup.locate(glat, glon, "gcj02")
    assert (r.lat, r.lon) == pytest.approx((34.75, 113.6495), abs=1e-8)


@pytest.mark.parametrize("lookup", adapters(), ids=["fixed", "shapes"])
def test_unknown_crs_is_refused(lookup: AreaLookup) -> None:
    with pytest.raises(UnknownCrs):
        lookup.locate(34.75, 113.62, "mercator")


def test_fake_records_calls() -> None:
    fake = FixedAreaLookup()
    fake.locate(34.75, 113.62, "bd09")
    assert fake.calls == [(34.75, 113.62, "bd09")]
