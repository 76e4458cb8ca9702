"""Duplicate scoring and hot topics: pure functions, fixed dates."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gridgov.classify.duplicates import (
    DuplicateParams,
    Message,
    find_duplicates,
    haversine_m,
    precision_recall,
    score_pair,
    silver_pairs,
)
from gridgov.classify.topics import TopicMessage, hot_topics

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
T0 = datetime(2025, 9, 30, 10, 0)
TEXT = "丽发新城小区附近搅拌站噪音扰民，夜间施工灰尘严重"


def msg(i: str, text: str = TEXT, days: float = 0, north_m: float = 0, street: str | None = None) -> Message:
    lat = 34.75 + north_m / 111_195 if street is None else None
    return Message(i, text, T0 + timedelta(days=days), lat, 113.66 if street is None else None, street)


def test_haversine_one_degree_of_latitude() -> None:
    assert abs(haversine_m(0, 0, 1, 0) - 111_195) < 5


def test_score_does_not_grow_with_distance_or_time() -> None:
    a, p = msg("a"), DuplicateParams(radius_m=500, window_days=7)
    by_dist = [score_pair(a, msg("b", north_m=d), p).score for d in (0, 100, 250, 499, 501, 5000)]
    by_time = [score_pair(a, msg("b", days=d), p).score for d in (0, 1, 3, 6.9, 7.1, 30)]
    for seq in (by_dist, by_time):
        assert all(x >= y for x, y in zip(seq, seq[1:], strict=False))
        assert seq[0] > 0.9 and seq[-1] == 0.0


def test_street_codes_stand_in_for_coordinates() -> None:
    a = msg("a", street="410105001")
    assert score_pair(a, msg("b", street="410105001")).score > 0.9
    assert score_pair(a, msg("b", street="410105002")).score == 0.0


def test_find_duplicates_ranks_and_filters() -> None:
    new = msg("new")
    cands = [msg("same"), msg("later", days=3), msg("other", text="学校食堂饭菜质量差"), msg("far", north_m=2000)]
    found = find_duplicates(new, cands)
    assert [c.id for c in found] == ["same", "later"]


def test_silver_pairs_precision_recall_on_attachment_3() -> None:
    path = SHARED / "tipdm2020c" / "附件3_full_likes.csv"
    if not path.exists():
        pytest.skip(f"../shared/data not present: {path}")
    with open(path, encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    pairs = silver_pairs(records, window_days=30)
    res = precision_recall(pairs, DuplicateParams(window_days=30, threshold=0.25))
    assert res["n_positive"] > 300
    assert res["precision"] >= 0.9 and res["recall"] >= 0.85, res


def _topic_msgs() -> list[TopicMessage]:
    base = [
        ("丽发新城搅拌站噪音扰民", "暮云街道丽发新城小区旁搅拌站昼夜施工，噪音和灰尘严重", 5),
        ("投诉丽发新城搅拌站噪音", "丽发新城小区附近搅拌站夜间施工噪音扰民，灰尘严重", 3),
        ("丽发新城小区搅拌站灰尘噪音", "搅拌站噪音灰尘影响丽发新城小区居民休息", 0),
        ("伊景园滨河苑捆绑销售车位", "开发商捆绑销售车位，不买车位不给交房", 60),
        ("伊景园滨河苑车位捆绑销售", "伊景园滨河苑开发商强制捆绑销售车位", 2),
        ("学校食堂饭菜质量差", "孩子学校食堂饭菜不卫生", 0),
    ]
    return [TopicMessage(str(i), t, b, T0 + timedelta(days=i), likes) for i, (t, b, likes) in enumerate(base)]


def test_topics_are_ranked_and_deterministic() -> None:
    msgs = _topic_msgs()
    first = hot_topics(msgs, threshold=0.3)
    assert first == hot_topics(list(reversed(msgs)), threshold=0.3)
    assert [t.count for t in first] == [2, 3]  # 2 messages with 62 likes beat 3 with 8
    assert first[0].likes == 62 and "伊景园滨河苑" in first[0].titles[0]
    assert first[1].places[0][0] == "丽发新城小区"
    recent = hot_topics(msgs, now=T0 + timedelta(days=5), days=2, threshold=0.3)
    assert [t.message_ids for t in recent] == [("3", "4")]
