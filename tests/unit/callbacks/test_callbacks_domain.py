"""回访 rules (issue 15): the deterministic sample, what an attempt leads to, and the rates with fixed numbers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gridgov.callbacks.domain import MAX_FAILED_ATTEMPTS, CallbackStatus, Outcome, SamplePlan, after_attempt, sampled
from gridgov.config import Settings
from gridgov.metrics.domain import (
    CallbackCounts,
    SupervisionCounts,
    callback_rates,
    supervision_rates,
)


def test_the_sample_is_deterministic_and_near_its_rate() -> None:
    codes = [f"20261201-{i:06d}" for i in range(4000)]
    first = [sampled(c, 0.25) for c in codes]
    assert first == [sampled(c, 0.25) for c in codes]  # the same case is always in or out
    assert 900 <= sum(first) <= 1100
    assert all(sampled(c, 1.0) for c in codes[:50]) and not any(sampled(c, 0.0) for c in codes[:50])
    # a case sampled at a rate stays sampled at any higher rate
    assert all(sampled(c, 0.5) for c, s in zip(codes, first, strict=True) if s)


def test_the_plan_takes_the_category_rate_else_the_default() -> None:
    plan = SamplePlan(default=0.3, rates={"H1802": 1.0})
    assert plan.rate("H1802") == 1.0 and plan.rate("E0102") == 0.3 and plan.rate(None) == 0.3


@pytest.mark.parametrize("failed", [Outcome.NO_ANSWER, Outcome.WRONG_NUMBER])
def test_three_failed_calls_close_the_callback_as_unreached(failed: Outcome) -> None:
    n = 0
    for i in range(1, MAX_FAILED_ATTEMPTS + 1):
        step = after_attempt(n, failed)
        n = step.failed_attempts
        assert n == i
        assert step.status is (CallbackStatus.UNREACHED if i == MAX_FAILED_ATTEMPTS else CallbackStatus.OPEN)


def test_reached_and_refused_end_at_once() -> None:
    assert after_attempt(2, Outcome.REACHED).status is CallbackStatus.REACHED
    assert after_attempt(1, Outcome.REFUSED) == after_attempt(1, Outcome.REFUSED)
    assert after_attempt(1, Outcome.REFUSED).status is CallbackStatus.REFUSED
    assert after_attempt(1, Outcome.REFUSED).failed_attempts == 1  # a refusal is not a failed call


def test_satisfaction_leaves_unreached_and_refused_out_of_both_parts() -> None:
    """docs/supervision.md: 40 满意/基本满意 and 10 不满意 reached, 30 未回访, 20 拒绝回访."""
    rates = callback_rates(CallbackCounts(satisfied=40, unsatisfied=10, unreached=30, refused=20))
    assert rates["callback_satisfaction_rate"] == 0.8  # 40 / (40 + 10)
    assert rates["callback_reach_rate"] == 0.5  # 50 / (50 + 30 + 20)
    assert callback_rates(CallbackCounts(unreached=3))["callback_satisfaction_rate"] is None


def test_supervision_on_time_rate_counts_the_due_ones() -> None:
    """12 督办: 6 answered on time, 2 late, 1 past its deadline unanswered, 3 not yet due (left out)."""
    counts = SupervisionCounts(issued=12, replied_on_time=6, replied_late=2, unanswered_overdue=1)
    assert supervision_rates(counts)["supervision_on_time_rate"] == round(6 / 9, 4)
    assert supervision_rates(SupervisionCounts(issued=3))["supervision_on_time_rate"] is None


def test_sample_rates_outside_zero_to_one_are_refused_at_start_up() -> None:
    assert Settings(callback_sample_rates={"H1802": 0.2}).callback_sample_rates == {"H1802": 0.2}
    with pytest.raises(ValidationError):
        Settings(callback_sample_rates={"H1802": 1.5})
