"""Address text → district / street / community, against the real division names."""

from __future__ import annotations

import pytest

from gridgov.geo.address import AddressParser
from gridgov.grids.divisions import load_city_divisions
from gridgov.grids.domain import GridLevel
from gridgov.grids.tree import build_tree


@pytest.fixture(scope="module")
def parser() -> AddressParser:
    divisions = load_city_divisions()
    return AddressParser.from_divisions(divisions, build_tree(divisions))


def test_full_district_and_street_names_give_the_street(parser: AddressParser) -> None:
    m = parser.parse("管城回族区西大街街道")
    assert (m.code, m.level, m.name) == ("410104002000000", GridLevel.STREET, "西大街街道")
    assert m.confidence >= 0.8
    assert not m.ambiguous


def test_short_names_are_understood_with_lower_confidence(parser: AddressParser) -> None:
    full = parser.parse("管城回族区西大街街道")
    short = parser.parse("管城区西大街")
    assert short.code == full.code
    assert 0 < short.confidence < full.confidence


def test_roads_that_are_not_divisions_leave_a_district_match_with_lower_confidence(parser: AddressParser) -> None:
    m = parser.parse("金水区三全路柳西路附近")
    assert (m.code, m.level) == ("410105000000000", GridLevel.DISTRICT)
    assert m.confidence < parser.parse("金水区").confidence


def test_a_road_named_after_a_district_is_not_the_district(parser: AddressParser) -> None:
    m = parser.parse("郑州市金水路105号")
    assert m.level == GridLevel.CITY
    assert m.confidence <= 0.1
    assert [c.code for c in m.candidates] == ["410105000000000"]  # only a low-confidence hint
    assert m.candidates[0].confidence < 0.2


def test_a_name_shared_by_two_counties_is_ambiguous_until_the_county_is_named(parser: AddressParser) -> None:
    m = parser.parse("西大街")
    assert m.ambiguous
    assert {c.code[:6] for c in m.candidates} == {"410104", "410183"}
    assert m.code is None
    named = parser.parse("新密市西大街街道")
    assert named.code == "410183003000000"
    assert not named.ambiguous


def test_community_is_the_deepest_match(parser: AddressParser) -> None:
    m = parser.parse("中原区林山寨街道第1社区3号楼")
    assert (m.code, m.level) == ("410102001001000", GridLevel.COMMUNITY)
    assert m.confidence > 0.7


def test_statistical_zones_are_found_by_their_short_names(parser: AddressParser) -> None:
    assert parser.parse("经开区").code == "410171000000000"
    assert parser.parse("航空港区").code == "410173000000000"


def test_text_without_any_division_gives_no_match(parser: AddressParser) -> None:
    m = parser.parse("上海市浦东新区")
    assert m.code is None
    assert m.confidence == 0.0
