"""The dashboard's ranking rule (docs/metrics.md#ranking-on-the-dashboard): a minimum number of tasks before a unit
is ranked, 样本不足 for the others, ties broken by volume."""

from __future__ import annotations

from typing import Any

from gridgov.dashboard.queries import MIN_RANKED_TASKS, SAMPLE_TOO_SMALL, rank_fairly


def unit(code: str, composite: float | None, assigned: int, response: float | None = 0.5) -> dict[str, Any]:
    return {"unit_code": code, "composite": composite, "response_rate": response, "counts": {"assigned": assigned}}


def test_one_case_at_100_percent_is_not_ranked_above_a_busy_unit() -> None:
    rows = [unit("tiny", 1.0, 1), unit("busy", 0.8, 40), unit("none", None, 12), unit("mid", 0.8, 9)]
    out = rank_fairly(rows)
    assert [r["unit_code"] for r in out] == ["busy", "mid", "none", "tiny"]
    assert [r["rank"] for r in out] == [1, 2, None, None]  # the tie at 0.8 broken by volume
    assert [r["sample"] for r in out] == ["", "", SAMPLE_TOO_SMALL, SAMPLE_TOO_SMALL]
    assert MIN_RANKED_TASKS >= 2


def test_equal_score_and_volume_share_a_rank() -> None:
    out = rank_fairly([unit("a", 0.9, 10), unit("b", 0.9, 10, 0.9), unit("c", 0.7, 30)])
    assert [(r["unit_code"], r["rank"]) for r in out] == [("b", 1), ("a", 1), ("c", 3)]


def test_twelve_small_streets_are_not_all_first() -> None:
    out = rank_fairly([unit(f"s{i}", 1.0, 1) for i in range(12)] + [unit("real", 0.6, 20)])
    assert [r["rank"] for r in out].count(1) == 1 and out[0]["unit_code"] == "real"
