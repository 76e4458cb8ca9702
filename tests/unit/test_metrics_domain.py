"""Performance formulas (gridgov.metrics.domain): rates, the 30/35/35 composite and ranking."""

from __future__ import annotations

import pytest

from gridgov.metrics.domain import UnitCounts, Weights, composite, rank, rates, ratio

W = Weights()


def three(response: float | None, resolution: float | None, satisfaction: float | None) -> dict[str, float | None]:
    return {"response_rate": response, "resolution_rate": resolution, "satisfaction_rate": satisfaction}


def test_default_weights_are_30_35_35() -> None:
    assert (W.response, W.resolution, W.satisfaction) == (0.30, 0.35, 0.35)


def test_ratio_rounds_to_four_places() -> None:
    assert ratio(1, 3) == 0.3333
    assert ratio(2, 3) == 0.6667
    assert ratio(5, 5) == 1.0


@pytest.mark.parametrize("den", [0, -1])
def test_ratio_with_no_denominator_is_none(den: int) -> None:
    assert ratio(0, den) is None
    assert ratio(3, den) is None


def test_rates_from_hand_counted_figures() -> None:
    """结案率 = 结案数 / (应结案数 − 缓办数) = 45 / (52 − 2) = 0.9; 按期 = 40 / 50 = 0.8;
    响应率 = 18 / 20; 解决率 = 8 / 10; 满意率 = 9 / 10; 返工率 = 3 / 60; 延期率 = 2 / 50."""
    c = UnitCounts(
        assigned=20,
        responded_on_time=18,
        responded_late=2,
        dispatched=50,
        should_close=52,
        deferred=2,
        closed=45,
        closed_on_time=40,
        handled=60,
        reworks=3,
        postponed=2,
        evaluated=10,
        resolved=8,
        satisfied=9,
        summoned=4,
        summoned_late=1,
        rating_sum=23,
        rated=5,
    )
    r = rates(c, W)
    assert r["response_rate"] == 0.9
    assert r["resolution_rate"] == 0.8
    assert r["satisfaction_rate"] == 0.9
    assert r["close_rate"] == 0.9
    assert r["on_time_close_rate"] == 0.8
    assert r["rework_rate"] == 0.05
    assert r["postpone_rate"] == 0.04
    assert r["whistle_late_rate"] == 0.25
    assert r["average_rating"] == 4.6
    # 0.3·0.9 + 0.35·0.8 + 0.35·0.9 = 0.27 + 0.28 + 0.315
    assert r["composite"] == 0.865


def test_a_unit_with_no_activity_has_no_rates() -> None:
    r = rates(UnitCounts(), W)
    assert set(r) == {
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "close_rate",
        "on_time_close_rate",
        "rework_rate",
        "postpone_rate",
        "whistle_late_rate",
        "average_rating",
        "appeal_upheld_rate",  # 12345 operations (issue 17)
        "composite",
    }
    assert all(v is None for v in r.values())


def test_close_rate_is_none_when_every_case_is_deferred() -> None:
    r = rates(UnitCounts(should_close=3, deferred=3, closed=0), W)
    assert r["close_rate"] is None
    assert r["on_time_close_rate"] is None


def test_composite_spreads_missing_weights_over_present_rates() -> None:
    """No evaluations: (0.3·0.9) / 0.3 = 0.9 when only the response rate is known."""
    assert composite(three(0.9, None, None), W) == 0.9
    # (0.3·0.6 + 0.35·0.8) / 0.65 = 0.46 / 0.65 = 0.70769…
    assert composite(three(0.6, None, 0.8), W) == 0.7077


def test_composite_of_no_rates_is_none() -> None:
    assert composite(three(None, None, None), W) is None


def test_composite_with_all_weight_on_missing_rates_is_none() -> None:
    assert composite(three(0.9, None, None), Weights(response=0.0, resolution=0.5, satisfaction=0.5)) is None


def test_composite_honours_custom_weights() -> None:
    assert composite(three(1.0, 0.5, 0.0), Weights(response=1, resolution=1, satisfaction=2)) == 0.375


def test_zero_rates_are_present_not_missing() -> None:
    assert composite(three(0.0, 1.0, 1.0), W) == 0.7


def _row(name: str, comp: float | None, resp: float | None) -> dict[str, object]:
    return {"name": name, "composite": comp, "response_rate": resp}


def test_rank_orders_by_composite_then_response_rate() -> None:
    ordered = rank([_row("a", 0.8, 0.9), _row("b", 0.9, 0.5), _row("c", 0.8, 0.95)])
    assert [(r["name"], r["rank"]) for r in ordered] == [("b", 1), ("c", 2), ("a", 3)]


def test_rank_ties_share_a_rank_and_the_next_rank_is_skipped() -> None:
    ordered = rank([_row("a", 0.8, 0.9), _row("b", 0.9, 0.9), _row("c", 0.8, 0.9), _row("d", 0.7, 1.0)])
    assert [r["rank"] for r in ordered] == [1, 2, 2, 4]
    assert ordered[0]["name"] == "b"
    assert {ordered[1]["name"], ordered[2]["name"]} == {"a", "c"}


def test_rank_puts_units_without_a_composite_last_and_unranked() -> None:
    ordered = rank([_row("none", None, 1.0), _row("low", 0.0, 0.0), _row("high", 0.5, None)])
    assert [(r["name"], r["rank"]) for r in ordered] == [("high", 1), ("low", 2), ("none", None)]


def test_rank_of_no_rows_is_empty() -> None:
    assert rank([]) == []
