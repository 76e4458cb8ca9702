"""The city's grid tree (gridgov.grids.tree) built from the packaged administrative divisions.

The tree is built once per module: it has ~23,600 nodes and takes a fraction of a second.
"""

from __future__ import annotations

from collections import Counter

import pytest

from gridgov.grids.divisions import CityDivisions, Division, load_city_divisions
from gridgov.grids.domain import GridLevel, level_of, pad, parent_code, prefix_of
from gridgov.grids.tree import ZHENGZHOU_COUNTS, GridNode, build_tree


@pytest.fixture(scope="module")
def zz() -> CityDivisions:
    return load_city_divisions("4101")


@pytest.fixture(scope="module")
def tree(zz: CityDivisions) -> list[GridNode]:
    return build_tree(zz)


@pytest.fixture(scope="module")
def by_code(tree: list[GridNode]) -> dict[str, GridNode]:
    return {n.code: n for n in tree}


def test_zhengzhou_published_grid_counts_are_reached_exactly(tree: list[GridNode]) -> None:
    """213 first-level, 3,503 second-level and 19,875 third-level grids (Zhengzhou Daily, Feb 2024)."""
    levels = Counter(n.level for n in tree)
    assert levels[GridLevel.STREET] == 213
    assert levels[GridLevel.COMMUNITY] == 3503
    assert levels[GridLevel.MICRO] == 19875
    assert levels[GridLevel.CITY] == 1
    assert ZHENGZHOU_COUNTS == {GridLevel.STREET: 213, GridLevel.COMMUNITY: 3503, GridLevel.MICRO: 19875}


def test_districts_are_the_twelve_legal_units_plus_three_statistical_zones(tree: list[GridNode]) -> None:
    districts = {n.code[:6]: n for n in tree if n.level is GridLevel.DISTRICT}
    assert len(districts) == 15
    assert {"410102", "410105", "410122", "410185"} <= set(districts)
    for zone in ("410171", "410172", "410173"):
        assert districts[zone].kind == "zone"


def test_codes_are_unique_fifteen_digit_strings(tree: list[GridNode]) -> None:
    codes = [n.code for n in tree]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 15 and c.isdigit() for c in codes)


def test_one_root_the_city(tree: list[GridNode]) -> None:
    roots = [n for n in tree if n.parent_code is None]
    assert [(r.code, r.name, r.level) for r in roots] == [("410100000000000", "郑州市", GridLevel.CITY)]


def test_every_nodes_parent_exists_one_level_up(tree: list[GridNode], by_code: dict[str, GridNode]) -> None:
    for n in tree:
        if n.parent_code is None:
            continue
        parent = by_code[n.parent_code]
        assert parent.level == n.level - 1, n


def test_every_child_code_starts_with_its_parents_significant_prefix(tree: list[GridNode]) -> None:
    for n in tree:
        if n.parent_code is not None:
            assert n.code.startswith(prefix_of(n.parent_code)), n


def test_code_arithmetic_agrees_with_the_tree(tree: list[GridNode]) -> None:
    for n in tree:
        assert level_of(n.code) is n.level, n
        assert parent_code(n.code) == n.parent_code, n


def test_every_street_has_communities_and_every_community_has_micro_grids(tree: list[GridNode]) -> None:
    children = Counter(n.parent_code for n in tree)
    for n in tree:
        if n.level in (GridLevel.STREET, GridLevel.COMMUNITY):
            assert children[n.code] > 0, n


def test_micro_grids_are_spread_evenly(tree: list[GridNode]) -> None:
    per = Counter(n.parent_code for n in tree if n.level is GridLevel.MICRO)
    assert max(per.values()) - min(per.values()) <= 1


def test_real_streets_keep_their_official_codes(zz: CityDivisions, by_code: dict[str, GridNode]) -> None:
    assert zz.towns
    for town in zz.towns:
        node = by_code[pad(town.code)]
        assert node.level is GridLevel.STREET
        assert node.official_code == town.code
        assert node.name == town.name
        assert not node.generated


def test_only_made_up_grids_are_flagged_generated(zz: CityDivisions, tree: list[GridNode]) -> None:
    real = {pad(t.code) for t in zz.towns}
    for n in tree:
        if n.level in (GridLevel.CITY, GridLevel.DISTRICT) or n.code in real:
            assert not n.generated, n
            assert n.official_code is not None, n
        else:
            assert n.generated, n
            assert n.official_code is None, n


def test_generated_streets_are_numbered_from_901(zz: CityDivisions, tree: list[GridNode]) -> None:
    generated = [n for n in tree if n.level is GridLevel.STREET and n.generated]
    assert len(generated) == 213 - len(zz.towns)
    assert all(int(n.code[6:9]) >= 901 for n in generated)


def test_building_twice_gives_the_same_tree(zz: CityDivisions, tree: list[GridNode]) -> None:
    assert build_tree(zz) == tree


# -- a small synthetic city -----------------------------------------------------------------------------
def _small_city() -> CityDivisions:
    return CityDivisions(
        city_code="4199",
        city_name="测试市",
        source="test",
        counties=(Division("419901", "甲区", "4199", "district"), Division("419902", "乙县", "4199", "county")),
        towns=(Division("419901001", "一街道", "419901", "subdistrict"),),
        villages=(),
    )


SMALL = {GridLevel.STREET: 3, GridLevel.COMMUNITY: 5, GridLevel.MICRO: 11}


def test_small_city_reaches_the_requested_counts() -> None:
    nodes = build_tree(_small_city(), SMALL)
    levels = Counter(n.level for n in nodes)
    assert (levels[GridLevel.STREET], levels[GridLevel.COMMUNITY], levels[GridLevel.MICRO]) == (3, 5, 11)
    # zones belong to Zhengzhou only
    assert levels[GridLevel.DISTRICT] == 2


def test_extra_real_villages_keep_their_codes_and_generated_ones_avoid_them() -> None:
    village = Division("419901001002", "幸福社区居委会", "419901001", "community")
    nodes = build_tree(_small_city(), SMALL, extra_villages=(village,))
    real = [n for n in nodes if n.code == "419901001002000"]
    assert len(real) == 1
    assert not real[0].generated
    assert real[0].official_code == "419901001002"
    assert sum(n.level is GridLevel.COMMUNITY for n in nodes) == 5
    assert len({n.code for n in nodes}) == len(nodes)


def test_villages_whose_street_is_unknown_are_ignored() -> None:
    stray = Division("419909001001", "无主社区", "419909001", "community")
    nodes = build_tree(_small_city(), SMALL, extra_villages=(stray,))
    assert all(n.official_code != stray.code for n in nodes)
    assert sum(n.level is GridLevel.COMMUNITY for n in nodes) == 5


def test_zhengzhou_without_zones_has_only_its_legal_districts(zz: CityDivisions) -> None:
    nodes = build_tree(zz, SMALL, include_zones=False)
    assert sum(n.level is GridLevel.DISTRICT for n in nodes) == len(zz.counties)
