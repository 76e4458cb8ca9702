"""The state a leaf carries is built pair by pair (gridgov.audit.log._canonical, the verifier's hot path); its
bytes must be exactly those of the plain encoder over the whole list, for every kind of value a row can hold."""

from __future__ import annotations

import enum
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from gridgov.audit.domain import canonical_time
from gridgov.audit.log import _canonical, state_of

_REFERENCE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def reference(values: list[tuple[str, Any]]) -> bytes:
    """The definition the state had before the pair-by-pair builder (and still has)."""
    return _REFERENCE.encode([[k, canonical_time(v) if isinstance(v, datetime) else v] for k, v in values]).encode()


class Level(enum.IntEnum):
    HIGH = 2


class Kind(enum.StrEnum):
    HOTLINE = "hotline"


class Opaque:
    def __str__(self) -> str:
        return "不透明的值"


AWKWARD_TEXT = [
    "",
    "楼道堆放杂物",
    'quote " backslash \\ slash /',
    "control \x00\x01\x08\x09\x0a\x0c\x0d\x1f\x7f end",
    "\u2028\u2029 separators",
    "emoji 😀 and astral 𠀀",
    "ascii only",
]
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**70,
    0.1,
    -0.0,
    1e-05,
    1e16,
    113.65432198765,
    float("nan"),
    float("inf"),
    float("-inf"),
    Level.HIGH,
    Kind.HOTLINE,
    Decimal("1.50"),
    Opaque(),
    datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    datetime(2026, 1, 5, 17, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
    {"b": 1, "a": [1, "二", None, {"z": True, "y": 0.5}]},
    [],
    {},
    ["x", 3, None],
    *AWKWARD_TEXT,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_each_kind_of_value_encodes_as_the_plain_encoder_does(value: Any) -> None:
    pairs = [("id", 7), ("value", value), ("after", "尾")]
    assert _canonical(pairs) == reference(pairs)


def test_random_rows_encode_as_the_plain_encoder_does() -> None:
    rnd = random.Random(20261207)
    names = ["id", "status", "title", "lat", "created_at", "evidence", "名称", 'odd"key', "postponed"]
    for _ in range(2_000):
        row = [(rnd.choice(names), rnd.choice(VALUES)) for _ in range(rnd.randrange(0, 12))]
        assert _canonical(row) == reference(row)


def test_a_lone_surrogate_is_refused_by_both() -> None:
    pairs = [("title", "\ud800")]  # no database hands one back; neither encoding gives bytes for it
    with pytest.raises(UnicodeEncodeError):
        reference(pairs)
    with pytest.raises(UnicodeEncodeError):
        _canonical(pairs)


def test_an_empty_row_is_an_empty_list() -> None:
    assert _canonical([]) == b"[]" == reference([])


def test_a_changed_value_changes_the_state() -> None:
    row = [("id", 1), ("status", "closed"), ("resolved", True)]
    base = state_of(row, [], [("reporter_phone", "13812341234")], b"salt")
    assert state_of([("id", 1), ("status", "closed"), ("resolved", 1)], [], [], b"salt").row != base.row
    assert state_of([("id", 1), ("status", "closed"), ("resolved", "true")], [], [], b"salt").row != base.row
    assert state_of(row, [], [("reporter_phone", "13812341235")], b"salt").personal != base.personal
    assert state_of(row, [], [("reporter_phone", "13812341234")], b"salt") == base
