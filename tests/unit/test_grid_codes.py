"""15-digit grid codes (gridgov.grids.domain): 6 county + 3 street + 3 community + 3 grid sequence."""

from __future__ import annotations

import pytest

from gridgov.errors import ValidationFailed
from gridgov.grids.domain import (
    GridLevel,
    ancestors,
    check_code,
    is_within,
    level_of,
    pad,
    parent_code,
    prefix_of,
)

CITY = "410100000000000"
DISTRICT = "410102000000000"  # 中原区
STREET = "410102001000000"
COMMUNITY = "410102001002000"
MICRO = "410102001002003"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        (CITY, GridLevel.CITY),
        (DISTRICT, GridLevel.DISTRICT),
        (STREET, GridLevel.STREET),
        (COMMUNITY, GridLevel.COMMUNITY),
        (MICRO, GridLevel.MICRO),
        ("410173901000000", GridLevel.STREET),  # a generated street in 航空港区
    ],
)
def test_level_is_read_from_the_last_non_zero_segment(code: str, level: GridLevel) -> None:
    assert level_of(code) is level


@pytest.mark.parametrize(
    ("code", "parent"),
    [(CITY, None), (DISTRICT, CITY), (STREET, DISTRICT), (COMMUNITY, STREET), (MICRO, COMMUNITY)],
)
def test_parent_is_the_code_with_its_last_segment_zeroed(code: str, parent: str | None) -> None:
    assert parent_code(code) == parent


def test_ancestors_run_from_the_city_down_to_the_parent() -> None:
    assert ancestors(MICRO) == [CITY, DISTRICT, STREET, COMMUNITY]
    assert ancestors(STREET) == [CITY, DISTRICT]
    assert ancestors(CITY) == []


@pytest.mark.parametrize(
    ("code", "prefix"),
    [(CITY, "4101"), (DISTRICT, "410102"), (STREET, "410102001"), (COMMUNITY, "410102001002"), (MICRO, MICRO)],
)
def test_significant_prefix_has_the_levels_length(code: str, prefix: str) -> None:
    assert prefix_of(code) == prefix
    assert pad(prefix) == code


def test_a_node_is_within_itself_and_its_ancestors() -> None:
    for ancestor in [*ancestors(MICRO), MICRO]:
        assert is_within(MICRO, ancestor)


def test_siblings_and_cousins_are_not_within_each_other() -> None:
    assert not is_within("410102001002004", MICRO)
    assert not is_within("410102001003001", COMMUNITY)
    assert not is_within("410103001002003", DISTRICT)
    assert not is_within(DISTRICT, STREET)


def test_a_code_in_another_city_is_not_within_the_city() -> None:
    assert not is_within("410202001002003", CITY)


@pytest.mark.parametrize("bad", ["", "41010200100200", "4101020010020031", "41010200100200x", " 41010200100200"])
def test_codes_must_be_fifteen_digits(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        check_code(bad)
    with pytest.raises(ValidationFailed):
        level_of(bad)


@pytest.mark.parametrize("bad", ["４１０１０２００１００２００３", "٤١٠١٠٢٠٠١٠٠٢٠٠٣", "41010200100200²"])
def test_codes_with_non_ascii_digits_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        check_code(bad)


def test_padding_fills_to_fifteen_digits() -> None:
    assert pad("410102") == DISTRICT
    assert len(pad("4")) == 15


def test_level_labels_name_the_grid_levels() -> None:
    assert GridLevel.STREET.label == "一级网格(街道/乡镇)"
    assert GridLevel.MICRO.label == "三级网格(微网格)"
