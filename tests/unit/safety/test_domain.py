"""安全生产's pure rules: the hazard table and its guards, the 五落实, the plans' rounds, masking, the five rates on
fixed numbers, and the shipped data (every type's checklist exists and every item has its legal basis)."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.actor import Actor, Role
from gridgov.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gridgov.safety.commands import COMMANDS, build_command
from gridgov.safety.domain import (
    PERSON_ACTIONS,
    TRANSITIONS,
    Action,
    Counts,
    Frequency,
    Grade,
    HazardStatus,
    Measure,
    RectificationPlan,
    add_counts,
    mask_name,
    mask_phone,
    next_status,
    plan_refusal,
    rates,
    slots,
)
from gridgov.safety.guards import GUARDS, HazardFacts, actions_for
from gridgov.safety.rules import shipped_rules

STREET = "410102001"
BUREAU_UNIT = 77


def facts(status: HazardStatus, grade: Grade = Grade.MAJOR, supervised: bool = False) -> HazardFacts:
    return HazardFacts(
        1,
        status,
        grade,
        supervised,
        STREET,
        "410102",
        bureau_units=frozenset({BUREAU_UNIT}),
        grid_workers=frozenset({5}),
    )


STREET_ACTOR = Actor(3, Role.STREET, 9, unit_grid=STREET + "000000")
OTHER_STREET = Actor(4, Role.STREET, 10, unit_grid="410102002000000")
BUREAU = Actor(6, Role.DEPARTMENT, BUREAU_UNIT)
OTHER_DEPT = Actor(7, Role.DEPARTMENT, 78)
WORKER = Actor(5, Role.GRID_WORKER, None)


def test_the_workflow_runs_from_plan_to_closed_out_and_a_failed_review_sends_it_back() -> None:
    s = HazardStatus.AWAITING_PLAN
    for action, want in (
        (Action.SUBMIT_PLAN, HazardStatus.RECTIFYING),
        (Action.REPORT_RECTIFIED, HazardStatus.AWAITING_REVIEW),
        (Action.FAIL_REVIEW, HazardStatus.RECTIFYING),
        (Action.REPORT_RECTIFIED, HazardStatus.AWAITING_REVIEW),
        (Action.PASS_REVIEW, HazardStatus.ACCEPTED),
        (Action.CLOSE_OUT, HazardStatus.CLOSED),
    ):
        s = next_status(s, action)
        assert s is want
    with pytest.raises(InvalidTransition):
        next_status(HazardStatus.CLOSED, Action.FOUND_AGAIN)
    assert all(t.kind.value == "open" for (t, _a) in TRANSITIONS)  # nothing leaves 已销号


def test_every_person_action_has_a_guard_and_a_command() -> None:
    assert set(PERSON_ACTIONS) <= set(GUARDS) and set(COMMANDS) == set(PERSON_ACTIONS)


@pytest.mark.parametrize(
    ("action", "actor", "status", "supervised", "allowed"),
    [
        (Action.SUPERVISE, BUREAU, HazardStatus.RECTIFYING, False, True),
        (Action.SUPERVISE, STREET_ACTOR, HazardStatus.RECTIFYING, False, False),
        (Action.SUPERVISE, OTHER_DEPT, HazardStatus.RECTIFYING, False, False),
        (Action.SUBMIT_PLAN, STREET_ACTOR, HazardStatus.AWAITING_PLAN, False, True),
        (Action.SUBMIT_PLAN, OTHER_STREET, HazardStatus.AWAITING_PLAN, False, False),
        (Action.PASS_REVIEW, STREET_ACTOR, HazardStatus.AWAITING_REVIEW, False, True),
        (Action.PASS_REVIEW, STREET_ACTOR, HazardStatus.AWAITING_REVIEW, True, False),
        (Action.PASS_REVIEW, BUREAU, HazardStatus.AWAITING_REVIEW, True, True),
        (Action.REPORT_RECTIFIED, WORKER, HazardStatus.RECTIFYING, False, True),
        (Action.REPORT_RECTIFIED, Actor(8, Role.GRID_WORKER, None), HazardStatus.RECTIFYING, False, False),
        (Action.CLOSE_OUT, STREET_ACTOR, HazardStatus.ACCEPTED, False, True),
    ],
)
def test_who_may_act_on_a_hazard(
    action: Action, actor: Actor, status: HazardStatus, supervised: bool, allowed: bool
) -> None:
    refused = GUARDS[action](facts(status, supervised=supervised), actor)
    assert (refused is None) is allowed, refused
    if not allowed:
        assert isinstance(refused, PermissionDenied)


def test_only_a_major_hazard_is_supervised_and_only_once_and_a_major_one_is_not_fixed_on_the_spot() -> None:
    assert GUARDS[Action.SUPERVISE](facts(HazardStatus.RECTIFYING, Grade.GENERAL), BUREAU) is not None
    assert GUARDS[Action.SUPERVISE](facts(HazardStatus.RECTIFYING, supervised=True), BUREAU) is not None
    assert GUARDS[Action.FIX_ON_SPOT](facts(HazardStatus.RECTIFYING, Grade.MAJOR), WORKER) is not None
    assert GUARDS[Action.FIX_ON_SPOT](facts(HazardStatus.RECTIFYING, Grade.GENERAL), WORKER) is None


def test_the_offered_actions_are_those_the_guards_allow() -> None:
    assert actions_for(facts(HazardStatus.AWAITING_PLAN), STREET_ACTOR) == [Action.SUBMIT_PLAN, Action.REFER]
    assert actions_for(facts(HazardStatus.AWAITING_PLAN), BUREAU) == [
        Action.SUBMIT_PLAN,
        Action.SUPERVISE,
        Action.REFER,
    ]
    assert actions_for(facts(HazardStatus.CLOSED), BUREAU) == []


def test_a_rectification_plan_needs_all_five() -> None:
    ok = RectificationPlan("王五", "清走钢瓶", 8000, date(2026, 12, 20), "停用灶具")
    assert plan_refusal(ok, date(2026, 12, 1)) is None
    assert "资金" in (
        plan_refusal(RectificationPlan("王五", "清走", 0, date(2026, 12, 20), "停用"), date(2026, 12, 1)) or ""
    )
    assert "时限" in (plan_refusal(ok, date(2026, 12, 21)) or "")
    assert "预案" in (
        plan_refusal(RectificationPlan("王五", "清走", 1, date(2026, 12, 20), " "), date(2026, 12, 1)) or ""
    )
    with pytest.raises(ValidationFailed, match="资金"):
        build_command(
            "submit_plan",
            {"responsible": "王五", "measures": "x", "funds": "很多", "time_limit": "2026-12-20", "contingency": "y"},
        )


def test_a_month_has_one_monthly_round_and_the_weeks_whose_monday_falls_in_it() -> None:
    assert [s.key for s in slots(Frequency.MONTHLY, 2026, 12)] == ["2026-12"]
    weeks = slots(Frequency.WEEKLY, 2026, 12)
    # 1 December 2026 is a Tuesday: the week of 30 November belongs to November
    assert [s.key for s in weeks] == ["2026-W50", "2026-W51", "2026-W52", "2026-W53"]
    assert weeks[0].start == date(2026, 12, 7) and weeks[-1].due == date(2027, 1, 3)
    # each week is counted in one month only (2026-W01 began on Monday 29 December 2025)
    keys = [s.key for m in range(1, 13) for s in slots(Frequency.WEEKLY, 2026, m)]
    assert len(keys) == len(set(keys)) == 52 and keys[0] == "2026-W02"


def test_personal_data_is_masked() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0371-12345678") == "037******5678"
    assert mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""


def test_the_five_rates_on_fixed_numbers() -> None:
    """The formulas of docs/safety.md on numbers worked out by hand."""
    c = Counts(due=200, done=180, found=40, closed=30, on_time=24, major=5, major_closed=3, repeats=4)
    r = rates(c)
    assert r[Measure.COVERAGE] == 180 / 200 == 0.9  # 检查覆盖率 = 已检 / 应检
    assert r[Measure.RECTIFICATION] == 30 / 40 == 0.75  # 隐患整改率 = 已销号 / 发现
    assert r[Measure.ON_TIME] == 24 / 30 == 0.8  # 按期整改率 = 按期整改 / 已销号
    assert r[Measure.MAJOR_CLOSED] == 3 / 5 == 0.6  # 重大隐患销号率 = 重大已销号 / 重大
    assert r[Measure.RECURRENCE] == 4 / 40 == 0.1  # 隐患复发率 = 复发 / 发现
    assert rates(Counts())[Measure.COVERAGE] is None  # nothing to divide by: —, never 0
    total = add_counts([c, Counts(due=100, done=20)])
    assert rates(total)[Measure.COVERAGE] == 200 / 300


def test_the_shipped_data_is_whole() -> None:
    rules = shipped_rules()
    assert len([t for t in rules.types.values() if t.group.value == "nine_small"]) == 9
    for code in rules.types:
        items = rules.items_for(code)
        assert items and all(i.basis.startswith("《") for i in items.values())
    assert {p.code for p in rules.plans.values()} == {"nine_small_monthly", "red_weekly"}
