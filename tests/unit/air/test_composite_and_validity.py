"""The composite index on the published example, HJ 663 validity (20 hours a day, 6 of 8 hours, 14 windows) and
percentiles, the change on last year, and ranks from the top and the bottom of 168 cities."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gridgov.air.domain import (
    DailyValues,
    change_percent,
    change_text,
    composite_index,
    daily_max_8h,
    mean_if,
    moving_8h,
    percentile,
    period_statistics,
    round_half_even,
    standings,
)
from gridgov.air.tables import composite_rule

RULE = composite_rule(date(2025, 7, 1))


def test_the_published_example_is_3_06() -> None:
    # 21/35 (PM2.5) + 39/70 (PM10) + 9/60 (SO2) + 15/40 (NO2) + 192/160 (O3) + 0.7/4 (CO) = 3.0571… → 3.06
    c = composite_index(RULE, {"pm25": 21, "pm10": 39, "so2": 9, "no2": 15, "o3_8h": 192, "co": 0.7})
    assert c.index == 3.06
    assert c.parts["o3_8h"] == pytest.approx(1.2) and c.parts["co"] == pytest.approx(0.175)
    assert c.primary == "o3_8h"
    assert dict(RULE.limits) == {"so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3_8h": 160}


def test_a_missing_item_leaves_no_index() -> None:
    c = composite_index(RULE, {"pm25": 21, "pm10": 39, "so2": 9, "no2": 15, "o3_8h": 192, "co": None})
    assert c.index is None and c.missing == ("co",)


def test_period_statistics_are_means_and_percentiles_of_the_days() -> None:
    start = date(2025, 7, 1)
    days = [
        DailyValues(start + timedelta(days=i), so2=9, no2=15, pm10=39, pm25=21, co=0.1 * (i + 1), o3_8h=10.0 * (i + 1))
        for i in range(10)
    ]
    stats = period_statistics(RULE, days)
    # CO: p95 of 0.1…1.0: k = 1 + 9·0.95 = 9.55 → 0.9 + 0.55·0.1 = 0.955 → 1.0 (one decimal)
    # O3: p90 of 10…100: k = 1 + 9·0.9 = 9.1 → 90 + 0.1·10 = 91
    assert stats == {"so2": 9, "no2": 15, "pm10": 39, "pm25": 21, "co": 1.0, "o3_8h": 91}


def test_hj663_percentile_interpolates() -> None:
    assert percentile(range(1, 11), 95) == pytest.approx(9.55)
    assert percentile([5.0], 90) == 5.0 and percentile([], 90) is None
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)


def test_gbt8170_rounds_half_to_even() -> None:
    assert [round_half_even(v, 0) for v in (20.5, 21.5, 20.51)] == [20, 22, 21]
    assert round_half_even(0.25, 1) == 0.2 and round_half_even(0.35, 1) == 0.4


def test_a_day_needs_twenty_hours() -> None:
    assert mean_if([10.0] * 19 + [None] * 5, 20) is None
    assert mean_if([10.0] * 20 + [None] * 4, 20) == 10.0


def test_an_eight_hour_mean_needs_six_hours_and_a_day_fourteen_windows() -> None:
    hours: list[float | None] = [100.0] * 24
    hours[1] = hours[2] = hours[3] = None  # the window 00–07 has 5 hours
    means = moving_8h(hours)
    assert means[7] is None  # 5 of 8
    assert means[8] is None  # 01–08: still 5
    assert means[9] == 100.0  # 02–09: 6 of 8
    hours2: list[float | None] = [50.0 + h for h in range(24)]
    assert moving_8h(hours2)[23] == pytest.approx(sum(50.0 + h for h in range(16, 24)) / 8)
    windows = moving_8h(hours2)[7:]
    assert daily_max_8h(windows) == pytest.approx(69.5)
    assert len(windows) == 17  # the 8-hour means ending with hours 07 … 23
    assert daily_max_8h([None] * 4 + [80.0] * 13) is None  # 13 valid windows: no daily maximum
    assert daily_max_8h([None] * 3 + [80.0] * 14) == 80.0


def test_change_on_last_year_reads_as_people_say_it() -> None:
    assert change_percent(4.40, 4.50) == -2.2
    assert change_text(-2.2) == "同比下降2.2%" and change_text(3.0) == "同比上升3.0%"
    assert change_text(None) == "无同期数据" and change_percent(4.0, None) is None


def test_the_136th_of_168_cities_is_the_33rd_from_the_bottom() -> None:
    cities = [(f"城市{i:03d}", 3.0 + i / 100) for i in range(168)]
    ranked = {s.name: s for s in standings(cities)}
    ours = ranked["城市135"]
    assert (ours.rank, ours.from_bottom, ours.total) == (136, 33, 168)
    assert ours.text == "第136名 · 倒数第33名 (共168个城市)"
    assert ranked["城市000"].rank == 1 and ranked["城市167"].from_bottom == 1


def test_cities_with_the_same_index_share_their_place() -> None:
    ranked = standings([("甲", 3.0), ("乙", 4.0), ("丙", 4.0), ("丁", 5.0)])
    assert [(s.name, s.rank, s.from_bottom) for s in ranked] == [("甲", 1, 4), ("丙", 2, 3), ("乙", 2, 3), ("丁", 4, 1)]
