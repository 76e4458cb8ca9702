"""重复来电 (issue 17): the keyed hash of a phone, and which earlier call a new one repeats (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

from gridgov.callers.domain import EarlierCall, RepeatPolicy, assess
from gridgov.clock import SHANGHAI
from gridgov.signing import caller_key, normalise_phone

NOW = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)
POLICY = RepeatPolicy(window_days=30, frequent_calls=3, similarity=0.25)


def test_one_caller_however_the_number_is_written() -> None:
    assert normalise_phone("+86 138-0000-1111") == normalise_phone("008613800001111") == "13800001111"
    assert normalise_phone("0371-6666 8888") == "037166668888"  # a landline keeps its area code
    key = caller_key("secret", "+86 138 0000 1111")
    assert key == caller_key("secret", "13800001111") and key is not None and "1380000" not in key
    assert caller_key("another secret", "13800001111") != key  # keyed: without the secret it cannot be tried
    assert caller_key("secret", "110") is None  # too short to tell callers apart


def call(case_id: int, text: str, days_ago: float, *, open_: bool = True, merged: bool = False) -> EarlierCall:
    return EarlierCall(case_id, text, NOW - timedelta(days=days_ago), open_, merged)


def test_a_similar_open_case_within_the_window_is_proposed() -> None:
    earlier = [call(1, "小区垃圾清运不及时 垃圾桶满了", 3), call(2, "咨询公积金提取", 1)]
    found = assess(earlier, "垃圾桶满了没人收垃圾", NOW, POLICY, counted=False)
    assert found.proposed == 1 and found.calls == 3 and found.frequent
    assert [m.case_id for m in found.matches] == [2, 1]  # newest first
    assert not found.matches[0].repeat and found.matches[1].repeat


def test_nothing_is_proposed_outside_the_window_or_for_a_closed_or_merged_case() -> None:
    text = "垃圾桶满了没人收"
    assert assess([call(1, text, 31)], text, NOW, POLICY, counted=False).proposed is None
    assert assess([call(1, text, 31)], text, NOW, POLICY, counted=False).calls == 1
    assert assess([call(1, text, 2, open_=False)], text, NOW, POLICY, counted=False).proposed is None
    assert assess([call(1, text, 2, merged=True)], text, NOW, POLICY, counted=False).proposed is None
    assert assess([call(1, "咨询社保卡", 2)], text, NOW, POLICY, counted=False).proposed is None


def test_many_calls_are_flagged_at_the_configured_count() -> None:
    two = [call(1, "a", 1)]
    assert not assess(two, "", NOW, POLICY, counted=False).frequent  # 2 calls
    assert assess(two, "", NOW, RepeatPolicy(frequent_calls=2), counted=False).frequent
    three = [call(1, "a", 1), call(2, "b", 2), call(3, "c", 3)]
    assert assess(three, "", NOW, POLICY, counted=True).calls == 3  # a filed case is among its own calls
