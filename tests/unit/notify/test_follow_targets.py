"""What a follow holds (pure): a case, a grid subtree, a radius around a point; and one digest key a day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gridgov.errors import ValidationFailed
from gridgov.notify.domain import BadFollowTarget, digest_key, distance_m, make_target


def test_a_grid_follow_holds_its_subtree_and_a_radius_its_circle() -> None:
    street = make_target(None, "410102001000000", None, None, None)
    assert street.key == "grid:410102001" and street.holds(1, "410102001001001", None, None)
    assert not street.holds(1, "410102002001001", None, None) and not street.holds(1, None, None, None)
    near = make_target(None, None, 34.7466, 113.6253, 500)
    assert near.holds(
        1,
        None,
        34.7466,
        113.6290,
    ) and not near.holds(1, None, 34.7600, 113.6253)
    assert 330 < distance_m(34.7466, 113.6253, 34.7466, 113.6290) < 345  # 0.0037° of longitude at 34.7°N
    assert make_target(7, None, None, None, None).holds(7, None, None, None)


@pytest.mark.parametrize(
    "args",
    [
        (None, None, None, None, None),
        (1, "410102001000000", None, None, None),
        (None, None, 34.7, 113.6, None),
        (None, None, 34.7, 113.6, 20),
        (None, None, 95.0, 113.6, 500),
    ],  # fmt: skip
)
def test_a_follow_needs_exactly_one_sound_target(args: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(BadFollowTarget):
        make_target(*args)


def test_a_bad_grid_code_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        make_target(None, "4101", None, None, None)


def test_one_digest_key_per_person_per_beijing_day() -> None:
    evening = datetime(2026, 12, 2, 15, 59, tzinfo=UTC)  # 23:59 Beijing
    assert digest_key(1, evening) == digest_key(1, datetime(2026, 12, 1, 16, 0, tzinfo=UTC))  # 00:00 the same day
    assert digest_key(1, evening) != digest_key(1, datetime(2026, 12, 2, 16, 0, tzinfo=UTC))  # the next day
    assert digest_key(1, evening) != digest_key(2, evening)
