"""HJ 633 IAQI and AQI against examples worked by hand, one per pollutant, on both tables (HJ 633-2012 and the
2026 revision), at a breakpoint and above the table; the tables are chosen by date."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.air.domain import daily_aqi, iaqi
from gridgov.air.tables import aqi_table, aqi_tables

T2012 = aqi_table(date(2026, 2, 28))
T2026 = aqi_table(date(2026, 3, 1))


def test_the_table_is_chosen_by_the_day() -> None:
    assert (T2012.version, T2026.version) == ("HJ 633-2012", "HJ 633-2026")
    assert aqi_table(date(2016, 1, 1)) is T2012 and aqi_table(date(2030, 1, 1)) is T2026
    assert all(t.source for t in aqi_tables()), "every table cites where it comes from"


def test_the_2026_table_changes_only_pm10_and_pm25_at_iaqi_100() -> None:
    changed = {k for k in T2012.breakpoints if T2012.breakpoints[k] != T2026.breakpoints[k]}
    assert changed == {"pm10_24h", "pm25_24h"}
    for key, was, now in (("pm10_24h", 150, 120), ("pm25_24h", 75, 60)):
        i = T2012.iaqi.index(100)
        assert (T2012.breakpoints[key][i], T2026.breakpoints[key][i]) == (was, now)
        rest = [b for j, b in enumerate(T2026.breakpoints[key]) if j != i]
        assert rest == [b for j, b in enumerate(T2012.breakpoints[key]) if j != i]
    assert T2012.categories == T2026.categories


# (table, item, concentration, IAQI worked by hand: I_lo + (I_hi − I_lo)(C − BP_lo)/(BP_hi − BP_lo))
WORKED = [
    # SO2 24 h: 100 in (50, 150] → 50 + 50·50/100
    (T2012, "so2_24h", 100, 75.0),
    (T2026, "so2_24h", 100, 75.0),
    # NO2 24 h: 130 in (80, 180] → 100 + 50·50/100
    (T2012, "no2_24h", 130, 125.0),
    (T2026, "no2_24h", 130, 125.0),
    # PM10: 200 in (150, 250] → 100 + 50·50/100 (2012); in (120, 250] → 100 + 50·80/130 (2026)
    (T2012, "pm10_24h", 200, 125.0),
    (T2026, "pm10_24h", 200, 100 + 50 * 80 / 130),
    # PM10 120: (50, 150] → 50 + 50·70/100 (2012); the 2026 breakpoint itself → 100
    (T2012, "pm10_24h", 120, 85.0),
    (T2026, "pm10_24h", 120, 100.0),
    # PM2.5: 90 in (75, 115] → 100 + 50·15/40 (2012); in (60, 115] → 100 + 50·30/55 (2026)
    (T2012, "pm25_24h", 90, 118.75),
    (T2026, "pm25_24h", 90, 100 + 50 * 30 / 55),
    # CO 24 h (mg/m³): 3 in (2, 4] → 50 + 50·1/2
    (T2012, "co_24h", 3, 75.0),
    (T2026, "co_24h", 3, 75.0),
    # O3 1 h: 250 in (200, 300] → 100 + 50·50/100
    (T2012, "o3_1h", 250, 125.0),
    (T2026, "o3_1h", 250, 125.0),
    # O3 8 h: 180 in (160, 215] → 100 + 50·20/55
    (T2012, "o3_8h", 180, 100 + 50 * 20 / 55),
    (T2026, "o3_8h", 180, 100 + 50 * 20 / 55),
]


@pytest.mark.parametrize(("table", "key", "c", "expected"), WORKED)
def test_iaqi_worked_by_hand(table: object, key: str, c: float, expected: float) -> None:
    sub = iaqi(table, key, c)  # type: ignore[arg-type]
    assert sub.iaqi == pytest.approx(expected)
    assert not sub.beyond


@pytest.mark.parametrize(
    ("table", "key", "c", "expected"),
    [
        (T2012, "so2_24h", 150, 100),  # exactly at a breakpoint: that breakpoint's IAQI
        (T2012, "no2_24h", 80, 100),
        (T2012, "pm10_24h", 150, 100),
        (T2026, "pm10_24h", 120, 100),
        (T2012, "pm25_24h", 75, 100),
        (T2026, "pm25_24h", 60, 100),
        (T2012, "co_24h", 14, 150),
        (T2012, "o3_1h", 200, 100),
        (T2012, "o3_8h", 160, 100),
        (T2012, "pm25_24h", 0, 0),
        (T2012, "pm25_24h", 500, 500),  # the last breakpoint
    ],
)
def test_at_a_breakpoint_the_iaqi_is_the_breakpoints(table: object, key: str, c: float, expected: int) -> None:
    sub = iaqi(table, key, c)  # type: ignore[arg-type]
    assert sub.iaqi == expected and sub.whole == expected and not sub.beyond


def test_above_the_last_breakpoint_the_iaqi_is_500_and_flagged() -> None:
    for table in (T2012, T2026):
        for key, c in (("pm25_24h", 650), ("pm10_24h", 700), ("so2_24h", 3000), ("co_24h", 75)):
            sub = iaqi(table, key, c)
            assert (sub.iaqi, sub.beyond) == (500, True)
    result = daily_aqi(T2012, {"pm25": 650, "pm10": 300})
    assert result.aqi == 500 and result.primary == ("pm25",) and result.beyond
    assert result.category is not None and (result.category.name, result.category.colour) == ("严重污染", "褐红色")


def test_o3_8h_above_800_is_not_indexed_and_the_1h_value_stands_for_it() -> None:
    sub = iaqi(T2012, "o3_8h", 900)
    assert sub.iaqi is None and sub.beyond
    result = daily_aqi(T2012, {"o3_8h": 900, "o3_1h": 900, "pm25": 40})
    # O3 1 h 900 in (800, 1000] → 300 + 100·100/200 = 350
    assert result.aqi == 350 and result.primary == ("o3_1h",)


def test_daily_aqi_is_the_highest_iaqi_rounded_up_with_its_primary_pollutant() -> None:
    day = {"so2": 10, "no2": 30, "pm10": 120, "pm25": 80, "co": 1.0, "o3_1h": 150, "o3_8h": 120}
    old = daily_aqi(T2012, day)
    # PM2.5 80 in (75, 115] → 100 + 50·5/40 = 106.25 → 107; PM10 120 → 85; O3 8 h 120 → 66.67
    assert (old.aqi, old.primary, old.table) == (107, ("pm25",), "HJ 633-2012")
    assert old.category is not None and (old.category.level, old.category.name, old.category.hex) == (
        "三级",
        "轻度污染",
        "#ff7e00",
    )
    new = daily_aqi(T2026, day)
    # 2026: PM2.5 80 in (60, 115] → 100 + 50·20/55 = 118.18 → 119; PM10 120 → 100
    assert (new.aqi, new.primary) == (119, ("pm25",))


def test_no_primary_pollutant_at_50_or_below_and_ties_share_it() -> None:
    clean = daily_aqi(T2012, {"pm25": 35, "pm10": 40, "o3_8h": 90})
    assert (clean.aqi, clean.primary) == (50, ())
    assert clean.category is not None and (clean.category.name, clean.category.colour) == ("优", "绿色")
    tie = daily_aqi(T2012, {"pm25": 75, "pm10": 150})
    assert (tie.aqi, tie.primary) == (100, ("pm10", "pm25"))


def test_six_categories_with_names_and_colours() -> None:
    names = [(c.name, c.colour, c.rgb) for c in T2012.categories]
    assert names == [
        ("优", "绿色", (0, 228, 0)),
        ("良", "黄色", (255, 255, 0)),
        ("轻度污染", "橙色", (255, 126, 0)),
        ("中度污染", "红色", (255, 0, 0)),
        ("重度污染", "紫色", (153, 0, 76)),
        ("严重污染", "褐红色", (126, 0, 35)),
    ]
    edges = (0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500)
    names_at = [T2012.category(a).name for a in edges]
    assert names_at == [n for n in ("优", "良", "轻度污染", "中度污染", "重度污染", "严重污染") for _ in (0, 1)]


def test_a_negative_concentration_is_refused() -> None:
    with pytest.raises(ValueError):
        iaqi(T2012, "pm25_24h", -1)
