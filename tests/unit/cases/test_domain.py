"""The case workflow table, roles, tasks, deadlines and alarms (gridgov.cases.domain), on fixed dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from gridgov.accounts.domain import Role
from gridgov.cases.domain import (
    ACTION_LABELS,
    ACTION_ROLES,
    PUBLIC_ACTIONS,
    STATUS_LABELS,
    TASK_TRANSITIONS,
    TRANSITIONS,
    Action,
    ActionNotPermitted,
    AlarmLevel,
    AlarmStep,
    CaseStatus,
    Clockwork,
    Satisfaction,
    StatusKind,
    TaskStatus,
    Urgency,
    allowed_actions,
    check_role,
    compute_deadlines,
    due_alarm_steps,
    next_alarm_at,
    next_status,
    next_task_status,
    should_reopen,
    statuses_of_kind,
)
from gridgov.clock import SHANGHAI, Limit, TimeUnit, WorkingDays, chinese_calendar_working_days
from gridgov.errors import InvalidTransition

S, A = CaseStatus, Action
HOURS, WORKING = TimeUnit.HOURS, TimeUnit.WORKING_DAYS
SYSTEM_ONLY = (A.WARN, A.ESCALATE, A.REOPEN, A.FOLLOW_PARENT)
HUMAN_ROLES = [r for r in Role if r is not Role.SYSTEM]
FRACTION = 0.8


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cal() -> WorkingDays:
    return chinese_calendar_working_days()


@pytest.fixture
def plain() -> WorkingDays:
    """A calendar with no holidays: natural-time clocks never look at it anyway."""
    return WorkingDays(holidays=())


# -- statuses -----------------------------------------------------------------------------------------
def test_finished_statuses_are_of_kind_closed() -> None:
    assert statuses_of_kind(StatusKind.CLOSED) == {S.REJECTED, S.CLOSED, S.EVALUATED}
    for status in (S.REJECTED, S.CLOSED, S.EVALUATED):
        assert status.kind is StatusKind.CLOSED


def test_every_other_status_is_of_kind_open() -> None:
    others = statuses_of_kind(StatusKind.CLOSED) | statuses_of_kind(StatusKind.TRANSFERRED)
    assert statuses_of_kind(StatusKind.OPEN) == set(CaseStatus) - others


def test_a_transferred_case_is_of_its_own_kind_and_only_records_outcomes() -> None:
    assert statuses_of_kind(StatusKind.TRANSFERRED) == {S.TRANSFERRED}
    assert {s for (s, a) in TRANSITIONS if a is A.TRANSFER} == {S.REPORTED, S.REGISTERED, S.RETURNED}
    moves = {a for (s, a), to in TRANSITIONS.items() if s is S.TRANSFERRED and to is not S.TRANSFERRED}
    assert moves == set()  # nothing brings it back into the local loop
    assert {a for (s, a) in TRANSITIONS if s is S.TRANSFERRED} == {
        A.TRANSFER_OUTCOME,
        A.CLASSIFY,
        A.ERASE_REPORTER,
        A.CLAIM_REPORT,
        A.COMMENT,
    }


def test_statuses_the_deadline_scanner_acts_on_are_open() -> None:
    for (status, action), _ in TRANSITIONS.items():
        if action in (A.WARN, A.ESCALATE, A.SUSPEND):
            assert status.kind is StatusKind.OPEN


def test_a_status_with_no_way_out_is_closed_or_handled_elsewhere() -> None:
    for status in CaseStatus:
        if not allowed_actions(status):
            assert status.kind in (StatusKind.CLOSED, StatusKind.TRANSFERRED), status


def test_every_status_and_action_has_a_chinese_label() -> None:
    assert set(STATUS_LABELS) == set(CaseStatus)
    assert set(ACTION_LABELS) == set(Action)
    assert S.CLOSED.label == "已结案"


# -- the transition table --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (S.REPORTED, A.REGISTER, S.REGISTERED),
        (S.REPORTED, A.REJECT, S.REJECTED),
        (S.REGISTERED, A.DISPATCH, S.DISPATCHED),
        (S.DISPATCHED, A.ACCEPT, S.ACCEPTED),
        (S.DISPATCHED, A.RETURN, S.RETURNED),
        (S.RETURNED, A.DISPATCH, S.DISPATCHED),
        (S.ACCEPTED, A.HANDLE, S.HANDLED),
        (S.HANDLED, A.REWORK, S.ACCEPTED),
        (S.HANDLED, A.VERIFY, S.CLOSED),
        (S.CLOSED, A.EVALUATE, S.EVALUATED),
        (S.EVALUATED, A.REOPEN, S.REOPENED),
        (S.REOPENED, A.DISPATCH, S.DISPATCHED),
        (S.REGISTERED, A.MERGE, S.MERGED),
        (S.MERGED, A.FOLLOW_PARENT, S.CLOSED),
        (S.ACCEPTED, A.WARN, S.ACCEPTED),
        (S.DISPATCHED, A.ESCALATE, S.DISPATCHED),
    ],
)
def test_the_closed_loop_follows_the_table(status: CaseStatus, action: Action, target: CaseStatus) -> None:
    assert next_status(status, action) is target


def test_a_case_can_run_the_whole_loop_from_report_to_evaluation() -> None:
    status = S.REPORTED
    for action in (A.REGISTER, A.DISPATCH, A.ACCEPT, A.HANDLE, A.REWORK, A.HANDLE, A.VERIFY, A.EVALUATE):
        status = next_status(status, action)
    assert status is S.EVALUATED
    assert status.kind is StatusKind.CLOSED


_NOT_IN_TABLE = [(s, a) for s in CaseStatus for a in Action if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("status", "action"), _NOT_IN_TABLE, ids=[f"{s}-{a}" for s, a in _NOT_IN_TABLE])
def test_any_pair_not_in_the_table_is_an_invalid_transition(status: CaseStatus, action: Action) -> None:
    with pytest.raises(InvalidTransition) as info:
        next_status(status, action)
    assert info.value.details == {"status": status.value, "action": action.value}


def test_invalid_transition_message_names_status_and_action_in_chinese() -> None:
    with pytest.raises(InvalidTransition) as info:
        next_status(S.CLOSED, A.ESCALATE)
    assert info.value.message == "案件处于「已结案」状态，不能执行「红牌超期升级」"
    assert info.value.status == 409


@pytest.mark.parametrize("closed", [S.REJECTED, S.CLOSED, S.EVALUATED])
def test_closed_case_cannot_be_warned_or_escalated(closed: CaseStatus) -> None:
    for action in (A.WARN, A.ESCALATE, A.DISPATCH, A.SUSPEND):
        with pytest.raises(InvalidTransition):
            next_status(closed, action)


def test_report_case_is_never_a_transition() -> None:
    assert all(action is not A.REPORT_CASE for _, action in TRANSITIONS)


def test_allowed_actions_are_the_tables_row() -> None:
    assert set(allowed_actions(S.REPORTED)) == {A.REGISTER, A.REJECT, A.DIRECT_CLOSE, A.MERGE}
    assert allowed_actions(S.REJECTED) == []
    assert allowed_actions(S.REPORTED, Role.RESIDENT) == []
    assert set(allowed_actions(S.REPORTED, Role.DISPATCHER)) == {A.REGISTER, A.REJECT, A.MERGE}
    assert A.SUSPEND not in allowed_actions(S.ACCEPTED, Role.DEPARTMENT)
    assert A.SUSPEND in allowed_actions(S.ACCEPTED, Role.DISPATCHER)


# -- suspend and resume -----------------------------------------------------------------------------
@pytest.mark.parametrize("before", [S.DISPATCHED, S.ACCEPTED])
def test_resume_returns_to_the_status_held_before_suspension(before: CaseStatus) -> None:
    suspended = next_status(before, A.SUSPEND)
    assert suspended is S.SUSPENDED
    assert next_status(suspended, A.RESUME, resume_to=before) is before


def test_resume_without_the_earlier_status_is_refused() -> None:
    with pytest.raises(InvalidTransition) as info:
        next_status(S.SUSPENDED, A.RESUME)
    assert "挂起前状态未知" in info.value.message


def test_resume_to_suspended_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        next_status(S.SUSPENDED, A.RESUME, resume_to=S.SUSPENDED)


def test_resume_of_a_case_that_is_not_suspended_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        next_status(S.ACCEPTED, A.RESUME, resume_to=S.ACCEPTED)


def test_resume_to_is_ignored_by_other_actions() -> None:
    assert next_status(S.DISPATCHED, A.ACCEPT, resume_to=S.REPORTED) is S.ACCEPTED


# -- roles ----------------------------------------------------------------------------------------------
def test_every_action_has_a_role_entry() -> None:
    assert set(ACTION_ROLES) == set(Action)


def test_resident_cannot_register_a_case() -> None:
    with pytest.raises(ActionNotPermitted) as info:
        check_role(A.REGISTER, Role.RESIDENT)
    assert info.value.message == "角色「居民」不能执行「立案」"
    assert info.value.status == 403
    assert info.value.code == "permission_denied"


@pytest.mark.parametrize("role", HUMAN_ROLES)
@pytest.mark.parametrize("action", SYSTEM_ONLY)
def test_system_only_actions_are_refused_to_every_human_role(action: Action, role: Role) -> None:
    with pytest.raises(ActionNotPermitted):
        check_role(action, role)


@pytest.mark.parametrize("action", SYSTEM_ONLY)
def test_system_may_take_its_own_actions(action: Action) -> None:
    check_role(action, Role.SYSTEM)


def test_system_only_actions_are_not_public() -> None:
    assert not set(SYSTEM_ONLY) & PUBLIC_ACTIONS
    assert A.REPORT_CASE not in PUBLIC_ACTIONS
    assert {A.REGISTER, A.DISPATCH, A.HANDLE, A.EVALUATE} <= PUBLIC_ACTIONS


@pytest.mark.parametrize(
    ("action", "role"),
    [
        (A.REGISTER, Role.OPERATOR),
        (A.DISPATCH, Role.DISPATCHER),
        (A.ACCEPT, Role.DEPARTMENT),
        (A.HANDLE, Role.STREET),
        (A.VERIFY, Role.GRID_WORKER),
        (A.EVALUATE, Role.RESIDENT),
        (A.WHISTLE, Role.STREET),
        (A.REPORT_CASE, Role.RESIDENT),
    ],
)
def test_roles_that_may_act(action: Action, role: Role) -> None:
    check_role(action, role)


@pytest.mark.parametrize(
    ("action", "role"),
    [
        (A.REPORT_CASE, Role.LEADER),
        (A.REPORT_CASE, Role.SYSTEM),
        (A.DISPATCH, Role.DEPARTMENT),
        (A.HANDLE, Role.DISPATCHER),
        (A.VERIFY, Role.DEPARTMENT),
        (A.WHISTLE, Role.DEPARTMENT),
        (A.APPROVE_POSTPONE, Role.STREET),
        (A.DIRECT_CLOSE, Role.DISPATCHER),
    ],
)
def test_roles_that_may_not_act(action: Action, role: Role) -> None:
    with pytest.raises(ActionNotPermitted):
        check_role(action, role)


@pytest.mark.parametrize("action", [a for a in Action if a is not A.SUPERVISE])
def test_leader_is_read_only(action: Action) -> None:
    with pytest.raises(ActionNotPermitted):
        check_role(action, Role.LEADER)


def test_a_leader_acts_only_by_supervising() -> None:
    """督办 (issue 15) is the one step of the loop a leader takes: 领导挂牌督办."""
    check_role(A.SUPERVISE, Role.LEADER)


# -- tasks -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "step", "target"),
    [
        (TaskStatus.PENDING, "accept", TaskStatus.ACCEPTED),
        (TaskStatus.PENDING, "return", TaskStatus.RETURNED),
        (TaskStatus.ACCEPTED, "feedback", TaskStatus.FED_BACK),
        (TaskStatus.FED_BACK, "rework", TaskStatus.ACCEPTED),
        (TaskStatus.ACCEPTED, "cancel", TaskStatus.CANCELLED),
    ],
)
def test_task_steps_follow_the_task_table(status: TaskStatus, step: str, target: TaskStatus) -> None:
    assert next_task_status(status, step) is target


_TASK_STEPS = sorted({step for _, step in TASK_TRANSITIONS})
_TASK_NOT_IN_TABLE = [(s, st) for s in TaskStatus for st in _TASK_STEPS if (s, st) not in TASK_TRANSITIONS]


@pytest.mark.parametrize(("status", "step"), _TASK_NOT_IN_TABLE)
def test_task_step_not_in_the_table_is_an_invalid_transition(status: TaskStatus, step: str) -> None:
    with pytest.raises(InvalidTransition):
        next_task_status(status, step)


def test_finished_tasks_are_done() -> None:
    assert {t for t in TaskStatus if t.is_done} == {TaskStatus.FED_BACK, TaskStatus.RETURNED, TaskStatus.CANCELLED}


def test_returned_and_cancelled_tasks_cannot_move_again() -> None:
    assert not [key for key in TASK_TRANSITIONS if key[0] in (TaskStatus.RETURNED, TaskStatus.CANCELLED)]


# -- evaluation ----------------------------------------------------------------------------------------
def test_unsatisfied_within_the_window_reopens() -> None:
    closed = at(2025, 9, 30, 10)
    assert should_reopen(Satisfaction.UNSATISFIED, closed, closed + timedelta(days=3), window_days=7)
    assert should_reopen(Satisfaction.UNSATISFIED, closed, closed + timedelta(days=7), window_days=7)


def test_unsatisfied_after_the_window_does_not_reopen() -> None:
    closed = at(2025, 9, 30, 10)
    late = closed + timedelta(days=7, seconds=1)
    assert not should_reopen(Satisfaction.UNSATISFIED, closed, late, window_days=7)


@pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASICALLY])
def test_satisfied_never_reopens(satisfaction: Satisfaction) -> None:
    closed = at(2025, 9, 30, 10)
    assert not should_reopen(satisfaction, closed, closed + timedelta(hours=1), window_days=7)


def test_satisfaction_labels_are_chinese() -> None:
    assert [s.label for s in Satisfaction] == ["满意", "基本满意", "不满意"]


# -- deadlines ----------------------------------------------------------------------------------------
def test_deadlines_follow_the_category_when_the_case_is_no_more_urgent(cal: WorkingDays) -> None:
    start = at(2025, 9, 30, 10)
    d = compute_deadlines(start, Limit(2, HOURS), Limit(1, WORKING), Urgency.NORMAL, Urgency.NORMAL, cal)
    assert d.response_due == at(2025, 9, 30, 12)
    assert d.handle_due == at(2025, 10, 9, 10)
    assert d.unit is WORKING


def test_less_urgent_case_keeps_the_categorys_deadlines(cal: WorkingDays) -> None:
    start = at(2025, 9, 30, 10)
    d = compute_deadlines(start, Limit(30, TimeUnit.MINUTES), Limit(2, HOURS), Urgency.EMERGENCY, Urgency.NORMAL, cal)
    assert (d.response_due, d.handle_due, d.unit) == (at(2025, 9, 30, 10, 30), at(2025, 9, 30, 12), HOURS)


def test_urgent_case_tightens_a_working_days_limit_to_natural_hours(cal: WorkingDays) -> None:
    """URGENT: response ≤ 1 h, handling ≤ 24 h of natural time, so the holiday no longer stops the clock."""
    start = at(2025, 9, 30, 10)
    d = compute_deadlines(start, Limit(2, HOURS), Limit(7, WORKING), Urgency.NORMAL, Urgency.URGENT, cal)
    assert d.response_due == at(2025, 9, 30, 11)
    assert d.handle_due == at(2025, 10, 1, 10)
    assert d.unit is HOURS


def test_emergency_case_gets_thirty_minutes_and_two_hours(cal: WorkingDays) -> None:
    start = at(2025, 10, 3, 15)  # inside the holiday
    d = compute_deadlines(start, Limit(1, WORKING), Limit(7, WORKING), Urgency.NORMAL, Urgency.EMERGENCY, cal)
    assert d.response_due == at(2025, 10, 3, 15, 30)
    assert d.handle_due == at(2025, 10, 3, 17)
    assert d.unit is HOURS


def test_urgency_never_loosens_a_tighter_category_limit(cal: WorkingDays) -> None:
    start = at(2025, 9, 30, 10)
    d = compute_deadlines(start, Limit(10, TimeUnit.MINUTES), Limit(1, HOURS), Urgency.NORMAL, Urgency.URGENT, cal)
    assert d.response_due == at(2025, 9, 30, 10, 10)
    assert d.handle_due == at(2025, 9, 30, 11)
    assert d.unit is HOURS


# -- clockwork ----------------------------------------------------------------------------------------
def natural_clock(hours: int = 10) -> Clockwork:
    start = at(2025, 9, 26, 9)
    return Clockwork(start, start + timedelta(hours=hours), HOURS)


def holiday_clock(cal: WorkingDays) -> Clockwork:
    """One working day from Tue 09-30 10:00: due Thu 10-09 10:00."""
    start = at(2025, 9, 30, 10)
    return Clockwork(start, cal.deadline(start, Limit(1, WORKING)), WORKING)


def test_natural_clock_warns_at_eighty_percent_and_escalates_each_period(plain: WorkingDays) -> None:
    clock = natural_clock()
    assert clock.warn_at(plain, FRACTION) == clock.start + timedelta(hours=8)
    assert clock.escalation_at(plain, 1) == clock.due
    assert clock.escalation_at(plain, 2) == clock.due + timedelta(hours=10)
    assert clock.escalation_at(plain, 3) == clock.due + timedelta(hours=20)


def test_working_days_clock_warns_and_escalates_in_working_time(cal: WorkingDays) -> None:
    """Period 24 h of working time; 80% = 19 h 12 min = 14 h on 09-30 + 5 h 12 min on 10-09.
    Escalations every further 24 h of working time: Fri 10-10, Sat 10-11 (make-up), then Mon 10-13."""
    clock = holiday_clock(cal)
    assert clock.due == at(2025, 10, 9, 10)
    assert clock.warn_at(cal, FRACTION) == at(2025, 10, 9, 5, 12)
    assert [clock.escalation_at(cal, n) for n in (1, 2, 3, 4)] == [
        at(2025, 10, 9, 10),
        at(2025, 10, 10, 10),
        at(2025, 10, 11, 10),
        at(2025, 10, 13, 10),
    ]


def test_period_is_at_least_a_minute(plain: WorkingDays) -> None:
    start = at(2025, 9, 26, 9)
    assert Clockwork(start, start, HOURS).period(plain) == 60.0


def test_natural_pause_moves_start_and_due_by_the_pause(plain: WorkingDays) -> None:
    clock = natural_clock()
    paused = clock.start + timedelta(hours=2)
    moved = clock.shifted(plain, paused, paused + timedelta(hours=5))
    assert moved.start == clock.start + timedelta(hours=5)
    assert moved.due == clock.due + timedelta(hours=5)
    assert moved.unit is HOURS


def test_pause_entirely_inside_the_holiday_does_not_move_a_working_days_clock(cal: WorkingDays) -> None:
    clock = holiday_clock(cal)
    moved = clock.shifted(cal, at(2025, 10, 2, 9), at(2025, 10, 6, 17))
    assert moved == clock


def test_pause_spanning_the_holiday_moves_a_working_days_clock_by_working_time_only(cal: WorkingDays) -> None:
    """Paused Tue 09-30 20:00 → Thu 10-09 02:00: 4 h + 2 h of working time, so due moves to 10-09 16:00."""
    clock = holiday_clock(cal)
    moved = clock.shifted(cal, at(2025, 9, 30, 20), at(2025, 10, 9, 2))
    assert moved.start == at(2025, 9, 30, 16)
    assert moved.due == at(2025, 10, 9, 16)


def test_resume_before_pause_does_not_move_the_clock(plain: WorkingDays) -> None:
    clock = natural_clock()
    assert clock.shifted(plain, clock.due, clock.start) == clock


def test_postponement_extends_the_due_time_only(cal: WorkingDays) -> None:
    clock = holiday_clock(cal)
    longer = clock.extended(cal, Limit(1, WORKING))
    assert longer.start == clock.start
    assert longer.due == at(2025, 10, 10, 10)
    natural = natural_clock().extended(cal, Limit(3, HOURS))
    assert natural.due == natural_clock().due + timedelta(hours=3)


def test_first_escalation_is_at_the_deadline_even_when_it_falls_at_midnight_before_a_day_off(
    cal: WorkingDays,
) -> None:
    """A case arriving during the holiday (Fri 10-03) with 3 working days: the clock starts Thu 10-09 00:00
    and 10-09, 10-10 and Sat 10-11 (make-up) use it up, so it is due Sun 10-12 00:00. The docstring says
    the first escalation is due 'at the deadline'."""
    start = at(2025, 10, 3, 15)
    clock = Clockwork(start, cal.deadline(start, Limit(3, WORKING)), WORKING)
    assert clock.due == at(2025, 10, 12, 0)
    assert clock.escalation_at(cal, 1) == clock.due


def test_pause_with_no_working_time_leaves_a_midnight_deadline_unchanged(cal: WorkingDays) -> None:
    start = at(2025, 10, 3, 15)
    clock = Clockwork(start, cal.deadline(start, Limit(3, WORKING)), WORKING)
    moved = clock.shifted(cal, at(2025, 10, 12, 8), at(2025, 10, 12, 20))  # paused and resumed on Sunday
    assert moved.due == clock.due


# -- alarms -------------------------------------------------------------------------------------------
def steps(
    clock: Clockwork,
    now: datetime,
    cal: WorkingDays,
    level: AlarmLevel = AlarmLevel.NONE,
    escalations: int = 0,
    max_escalations: int = 3,
) -> list[AlarmStep]:
    return due_alarm_steps(clock, level, escalations, now, cal, FRACTION, max_escalations)


def test_nothing_is_due_before_eighty_percent(plain: WorkingDays) -> None:
    clock = natural_clock()
    assert steps(clock, clock.start + timedelta(hours=7, minutes=59), plain) == []


def test_warning_is_due_at_eighty_percent(plain: WorkingDays) -> None:
    clock = natural_clock()
    now = clock.start + timedelta(hours=8)
    assert steps(clock, now, plain) == [AlarmStep(A.WARN, AlarmLevel.YELLOW, 0, now)]


def test_warning_is_not_repeated_once_the_case_is_yellow(plain: WorkingDays) -> None:
    clock = natural_clock()
    assert steps(clock, clock.start + timedelta(hours=9), plain, level=AlarmLevel.YELLOW) == []


def test_first_escalation_is_due_at_the_deadline(plain: WorkingDays) -> None:
    clock = natural_clock()
    assert steps(clock, clock.due, plain, level=AlarmLevel.YELLOW) == [
        AlarmStep(A.ESCALATE, AlarmLevel.RED, 1, clock.due)
    ]


def test_second_escalation_is_due_one_period_after_the_deadline(plain: WorkingDays) -> None:
    clock = natural_clock()
    second = clock.start + timedelta(hours=20)
    assert steps(clock, second - timedelta(seconds=1), plain, AlarmLevel.RED, 1) == []
    assert steps(clock, second, plain, AlarmLevel.RED, 1) == [AlarmStep(A.ESCALATE, AlarmLevel.RED, 2, second)]


def test_escalations_stop_at_the_maximum(plain: WorkingDays) -> None:
    clock = natural_clock()
    late = clock.start + timedelta(days=30)
    assert steps(clock, late, plain, AlarmLevel.RED, 2, max_escalations=2) == []
    assert [s.escalation for s in steps(clock, late, plain, AlarmLevel.RED, 0, max_escalations=2)] == [1, 2]


def test_jump_past_the_deadline_skips_the_warning_and_catches_up_escalations(plain: WorkingDays) -> None:
    """The warning is only emitted while now < due: a case first scanned at 25 h goes straight to red,
    with one step per missed escalation (at 10 h and 20 h; the third, at 30 h, is not yet due)."""
    clock = natural_clock()
    got = steps(clock, clock.start + timedelta(hours=25), plain)
    assert got == [
        AlarmStep(A.ESCALATE, AlarmLevel.RED, 1, clock.start + timedelta(hours=10)),
        AlarmStep(A.ESCALATE, AlarmLevel.RED, 2, clock.start + timedelta(hours=20)),
    ]


def test_alarm_steps_are_idempotent_given_the_state_they_leave(plain: WorkingDays) -> None:
    clock = natural_clock()
    now = clock.start + timedelta(hours=25)
    first = steps(clock, now, plain)
    last = first[-1]
    assert steps(clock, now, plain, last.level, last.escalation) == []


def test_working_days_alarms_wait_out_the_national_day_holiday(cal: WorkingDays) -> None:
    """Due Thu 10-09 10:00 (one working day from Tue 09-30 10:00): the holiday adds no working time, so
    nothing is due during Oct 1–8; the warning comes at 10-09 05:12 and escalations follow each 24 h
    of working time."""
    clock = holiday_clock(cal)
    assert steps(clock, at(2025, 10, 1, 12), cal) == []
    assert steps(clock, at(2025, 10, 9, 5, 11), cal) == []
    warn = at(2025, 10, 9, 5, 12)
    assert steps(clock, warn, cal) == [AlarmStep(A.WARN, AlarmLevel.YELLOW, 0, warn)]
    assert steps(clock, at(2025, 10, 9, 9), cal, AlarmLevel.YELLOW) == []
    assert steps(clock, at(2025, 10, 9, 10), cal, AlarmLevel.YELLOW) == [
        AlarmStep(A.ESCALATE, AlarmLevel.RED, 1, at(2025, 10, 9, 10))
    ]
    assert steps(clock, at(2025, 10, 10, 10), cal, AlarmLevel.RED, 1) == [
        AlarmStep(A.ESCALATE, AlarmLevel.RED, 2, at(2025, 10, 10, 10))
    ]


def test_working_days_jump_past_the_deadline_skips_the_warning(cal: WorkingDays) -> None:
    """First scanned Sun 10-12 12:00: escalations at 10-09, 10-10 and 10-11 (make-up Saturday) are all
    due; with a cap of 3 the next one (Mon 10-13 10:00) never comes."""
    clock = holiday_clock(cal)
    got = steps(clock, at(2025, 10, 12, 12), cal, max_escalations=3)
    assert [(s.action, s.escalation, s.at) for s in got] == [
        (A.ESCALATE, 1, at(2025, 10, 9, 10)),
        (A.ESCALATE, 2, at(2025, 10, 10, 10)),
        (A.ESCALATE, 3, at(2025, 10, 11, 10)),
    ]


def test_next_alarm_is_the_warning_then_each_escalation(plain: WorkingDays) -> None:
    clock = natural_clock()
    h = clock.start
    assert next_alarm_at(clock, AlarmLevel.NONE, 0, plain, FRACTION, 2) == h + timedelta(hours=8)
    assert next_alarm_at(clock, AlarmLevel.YELLOW, 0, plain, FRACTION, 2) == h + timedelta(hours=10)
    assert next_alarm_at(clock, AlarmLevel.RED, 1, plain, FRACTION, 2) == h + timedelta(hours=20)
    assert next_alarm_at(clock, AlarmLevel.RED, 2, plain, FRACTION, 2) is None


def test_next_alarm_agrees_with_due_alarm_steps_on_a_holiday_clock(cal: WorkingDays) -> None:
    clock = holiday_clock(cal)
    level, escalations = AlarmLevel.NONE, 0
    seen: list[datetime] = []
    while (when := next_alarm_at(clock, level, escalations, cal, FRACTION, 3)) is not None:
        got = steps(clock, when, cal, level, escalations)
        assert got, when
        assert steps(clock, when - timedelta(seconds=1), cal, level, escalations) == []
        seen.append(when)
        level, escalations = got[-1].level, got[-1].escalation
    assert seen == [at(2025, 10, 9, 5, 12), at(2025, 10, 9, 10), at(2025, 10, 10, 10), at(2025, 10, 11, 10)]


def test_the_holiday_fixture_really_is_national_day_2025(cal: WorkingDays) -> None:
    assert not cal.is_working_day(date(2025, 10, 1))
    assert cal.is_working_day(date(2025, 10, 11))


def test_actions_for_narrows_the_table_by_the_persons_tasks() -> None:
    from gridgov.cases.domain import TaskRole, TaskStatus, TaskView
    from gridgov.cases.guards import ActorFacts, CaseFacts, actions_for

    street, dept, other = 1, 2, 3
    grid = "410105001001001"

    def offered(status: S, role: Role, unit: int | None, tasks: list[TaskView], pending: bool) -> list[A]:
        facts = CaseFacts(
            1,
            status,
            category_kind="event",
            owner_unit_id=street,
            grid_code=grid,
            tasks=tuple(tasks),
            postpone_pending=pending,
        )
        grids = (grid,) if role is Role.GRID_WORKER else ()
        return actions_for(facts, ActorFacts(role, unit, 9, grids))

    tasks = [
        TaskView(street, TaskRole.PRIMARY, TaskStatus.ACCEPTED),
        TaskView(dept, TaskRole.WHISTLE, TaskStatus.PENDING),
        TaskView(other, TaskRole.WHISTLE, TaskStatus.FED_BACK),
    ]
    mine = set(offered(S.ACCEPTED, Role.STREET, street, tasks, False))
    assert {A.HANDLE, A.REQUEST_POSTPONE, A.WHISTLE, A.RATE_DEPARTMENT, A.CANCEL_TASK} <= mine
    assert not {A.CHECK_IN, A.TASK_FEEDBACK, A.ACCEPT} & mine
    summoned = set(offered(S.ACCEPTED, Role.DEPARTMENT, dept, tasks, False))
    assert A.CHECK_IN in summoned and not {A.HANDLE, A.WHISTLE, A.REQUEST_POSTPONE, A.TASK_FEEDBACK} & summoned
    asked = set(offered(S.ACCEPTED, Role.STREET, street, tasks, True))
    assert A.REQUEST_POSTPONE not in asked
    judged = set(offered(S.ACCEPTED, Role.DISPATCHER, None, tasks, True))
    assert {A.APPROVE_POSTPONE, A.DENY_POSTPONE} <= judged
    assert A.APPROVE_POSTPONE not in offered(S.ACCEPTED, Role.DISPATCHER, None, tasks, False)
    handled = [TaskView(street, TaskRole.PRIMARY, TaskStatus.FED_BACK), tasks[1]]
    assert A.VERIFY not in offered(S.HANDLED, Role.GRID_WORKER, None, handled, False)
    done = [handled[0], TaskView(dept, TaskRole.WHISTLE, TaskStatus.FED_BACK)]
    assert A.VERIFY in offered(S.HANDLED, Role.GRID_WORKER, None, done, False)
