"""建议提案's pure rules: the deadlines with fixed dates (calendar months with month ends, days, working days across
a holiday), the transition table, every guard, the commands, what follows a rating, and the metrics' formulas."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gridgov.actor import Actor, Role
from gridgov.clock import WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gridgov.proposals.commands import Answer, Assign, build_command
from gridgov.proposals.domain import (
    TRANSITIONS,
    Action,
    AnswerClass,
    ItemFigures,
    Kind,
    Limits,
    Rating,
    Status,
    StatusKind,
    add_months,
    add_working_days,
    after_rating,
    deadlines,
    due_of,
    metrics,
    next_status,
)
from gridgov.proposals.guards import GUARDS, ProposalFacts, actions_for

# 2025's National Day and Mid-Autumn holiday: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are working days
NATIONAL_DAY = WorkingDays(
    holidays=[date(2025, 10, 1) + timedelta(days=i) for i in range(8)], workdays=[date(2025, 9, 28), date(2025, 10, 11)]
)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 1, 31), 3, date(2026, 4, 30)),  # the month end kept: April has 30 days
        (date(2026, 1, 31), 6, date(2026, 7, 31)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # across the year
        (date(2025, 12, 15), 6, date(2026, 6, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
    ],
)
def test_calendar_months_from_assignment_keep_month_ends(start: date, months: int, due: date) -> None:
    assert add_months(start, months) == due


def test_deadlines_from_an_assignment_on_the_31st_of_january() -> None:
    d = deadlines(date(2026, 1, 31), Limits(), lambda day: day.weekday() < 5)
    assert d.answer_by == date(2026, 4, 30) and d.final_by == date(2026, 7, 31)
    assert d.return_by == date(2026, 2, 10)  # 10 days
    assert d.views_by == date(2026, 2, 28)  # 1 month


def test_fifteen_working_days_across_the_national_day_holiday() -> None:
    # assigned Friday 09-26: 09-28 (made up), 09-29, 09-30, then 10-09 after the holiday … 10-23 is the 15th
    assert add_working_days(date(2025, 9, 26), 15, NATIONAL_DAY.is_working_day) == date(2025, 10, 23)
    # without the holiday it would be 10-17
    assert add_working_days(date(2025, 9, 26), 15, lambda d: d.weekday() < 5) == date(2025, 10, 17)
    assert deadlines(date(2025, 9, 26), Limits(), NATIONAL_DAY.is_working_day).contact_by == date(2025, 10, 23)


def test_every_limit_is_a_setting() -> None:
    d = deadlines(date(2026, 1, 31), Limits(return_days=5, answer_months=2, contact_working_days=1), lambda _: True)
    assert (d.return_by, d.answer_by, d.contact_by) == (date(2026, 2, 5), date(2026, 3, 31), date(2026, 2, 1))


def test_the_due_date_moves_with_an_explanation_and_a_rehandling() -> None:
    a, f, r = date(2026, 4, 30), date(2026, 7, 31), date(2026, 5, 20)
    assert due_of(a, f, False, None) == a
    assert due_of(a, f, True, None) == f
    assert due_of(a, f, True, r) == r


def test_every_status_has_a_kind_and_the_table_names_only_real_moves() -> None:
    assert {s.kind for s in Status} == set(StatusKind)
    assert next_status(Status.RECEIVED, Action.ASSIGN) is Status.ASSIGNED
    assert next_status(Status.RETURNED, Action.ASSIGN) is Status.ASSIGNED
    assert next_status(Status.RATED, Action.REHANDLE) is Status.REHANDLING
    assert next_status(Status.REHANDLING, Action.ANSWER) is Status.ANSWERED
    with pytest.raises(InvalidTransition):
        next_status(Status.CLOSED, Action.ANSWER)
    assert all(a is not Action.REGISTER for _, a in TRANSITIONS)


def test_one_dissatisfied_rating_sends_it_back_once() -> None:
    limits = Limits()
    assert after_rating(Rating.SATISFIED, Rating.DISSATISFIED, 0, limits, AnswerClass.A, 0) is Action.REHANDLE
    assert after_rating(Rating.DISSATISFIED, Rating.SATISFIED, 0, limits, AnswerClass.A, 0) is Action.REHANDLE
    assert after_rating(Rating.DISSATISFIED, Rating.DISSATISFIED, 1, limits, AnswerClass.A, 0) is Action.FINISH
    assert after_rating(Rating.SATISFIED, Rating.BASICALLY, 0, limits, AnswerClass.B, 1) is Action.TRACK
    assert after_rating(Rating.SATISFIED, Rating.BASICALLY, 0, limits, AnswerClass.B, 0) is Action.FINISH
    assert after_rating(Rating.SATISFIED, Rating.DISSATISFIED, 1, Limits(max_rehandles=2), None, 0) is Action.REHANDLE


# -- guards ------------------------------------------------------------------------------------------------
OFFICE = Actor(1, Role.PROPOSAL_OFFICE, None)
LEAD = Actor(2, Role.DEPARTMENT, 10)
CO = Actor(3, Role.DEPARTMENT, 11)
OTHER_UNIT = Actor(4, Role.DEPARTMENT, 12)
AUTHOR = Actor(5, Role.DEPUTY, None)
OTHER_DEPUTY = Actor(6, Role.DEPUTY, None)
LEADER = Actor(7, Role.LEADER, None)


def facts(status: Status, kind: Kind = Kind.PROPOSAL, **kw: object) -> ProposalFacts:
    base: dict[str, object] = dict(lead_unit_id=10, co_unit_ids=frozenset({11}), author_user_ids=frozenset({5}))
    return ProposalFacts(1, kind, status, **{**base, **kw})  # type: ignore[arg-type]


def test_each_person_is_offered_their_own_steps() -> None:
    assert actions_for(facts(Status.RECEIVED), OFFICE) == [Action.ASSIGN]
    assert actions_for(facts(Status.ASSIGNED), LEAD) == [
        Action.RETURN,
        Action.RECORD_CONTACT,
        Action.EXPLAIN,
        Action.ANSWER,
    ]
    assert actions_for(facts(Status.ASSIGNED), CO) == [Action.SEND_VIEWS]
    assert actions_for(facts(Status.ASSIGNED, views_sent_by=frozenset({11})), CO) == []
    assert actions_for(facts(Status.ASSIGNED), OTHER_UNIT) == []
    assert actions_for(facts(Status.ANSWERED), AUTHOR) == [Action.RATE]
    assert actions_for(facts(Status.ANSWERED), OTHER_DEPUTY) == []
    assert actions_for(facts(Status.ANSWERED), OFFICE) == [Action.RATE]  # entering the author's returned form
    assert actions_for(facts(Status.TRACKING, unkept_promises=1), LEAD) == [Action.KEEP_PROMISE]
    assert actions_for(facts(Status.TRACKING, unkept_promises=0), LEAD) == []
    assert actions_for(facts(Status.RECEIVED, Kind.OPINION), OFFICE) == [Action.REFER]
    for status in Status:
        assert actions_for(facts(status), LEADER) == []


@pytest.mark.parametrize("action", [a for a in GUARDS])
def test_a_leader_reads_and_never_acts(action: Action) -> None:
    refused = GUARDS[action](facts(Status.ASSIGNED), LEADER)
    assert isinstance(refused, PermissionDenied)


def test_the_role_is_refused_before_the_state() -> None:
    refused = GUARDS[Action.ANSWER](facts(Status.CLOSED), OTHER_UNIT)
    assert isinstance(refused, PermissionDenied)
    refused = GUARDS[Action.ANSWER](facts(Status.CLOSED), LEAD)
    assert isinstance(refused, InvalidTransition)
    assert isinstance(GUARDS[Action.ASSIGN](facts(Status.RECEIVED, Kind.OPINION), OFFICE), InvalidTransition)


# -- commands ----------------------------------------------------------------------------------------------
def test_commands_are_checked_at_the_edge() -> None:
    assert build_command("assign", {"lead_unit": "a", "co_units": ["b", "a", "b"]}) == Assign("a", ("b",))
    with pytest.raises(ValidationFailed):
        build_command("return", {"reason": "  "})
    with pytest.raises(ValidationFailed):
        build_command("answer", {"answer_class": "E", "text": "x"})
    with pytest.raises(ValidationFailed):
        build_command("answer", {"answer_class": "A", "text": "x", "public": False})  # the reason is needed
    with pytest.raises(ValidationFailed):
        build_command("answer", {"answer_class": "A", "text": "x", "promises": [{"text": "y", "due_on": "2026-01-01"}]})
    made = build_command(
        "answer", {"answer_class": "B", "text": "x", "promises": [{"text": "y", "due_on": "2026-06-30"}]}
    )
    assert isinstance(made, Answer) and made.promises[0].due_on == date(2026, 6, 30)
    with pytest.raises(ValidationFailed):
        build_command("finish", {})  # the system's step, not a person's
    with pytest.raises(ValidationFailed):
        build_command("record_contact", {"method": "letter", "on": "2026-01-01"})


# -- metrics -------------------------------------------------------------------------------------------------
def row(**kw: object) -> ItemFigures:
    base: dict[str, object] = dict(
        kind=Kind.PROPOSAL,
        due=date(2026, 4, 30),
        first_answered_on=None,
        face_to_face=False,
        rating_work=None,
        rating_result=None,
        answer_class=None,
        promises_due=0,
        promises_kept=0,
    )
    return ItemFigures(**{**base, **kw})  # type: ignore[arg-type]


def test_metrics_formulas_by_hand() -> None:
    today = date(2026, 5, 10)
    rows = [
        row(
            first_answered_on=date(2026, 4, 1),
            face_to_face=True,
            rating_work=Rating.SATISFIED,
            rating_result=Rating.DISSATISFIED,
            answer_class=AnswerClass.A,
        ),
        row(
            first_answered_on=date(2026, 5, 1),
            rating_work=Rating.BASICALLY,
            rating_result=Rating.BASICALLY,
            answer_class=AnswerClass.B,
            promises_due=2,
            promises_kept=1,
        ),
        row(),  # due 04-30, not answered: late
        row(due=date(2026, 7, 31)),  # extended, not yet due: not counted
    ]
    m = metrics(rows, today)
    assert (m.items, m.due, m.on_time) == (4, 3, 1) and m.on_time_rate == pytest.approx(1 / 3)
    assert m.met == 1 and m.meeting_rate == 0.25
    assert m.rated == 2 and m.work_rate == 1.0 and m.result_rate == 0.5
    assert m.classes == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert m.promise_rate == 0.5
    empty = metrics([], today)
    assert empty.on_time_rate is None and empty.meeting_rate is None and empty.promise_rate is None
