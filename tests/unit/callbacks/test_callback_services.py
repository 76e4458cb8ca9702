"""The 回访 queue on the fakes: closed cases go in, three failed calls close it as 未回访, a reached call is the
case's evaluation (the case loop's rules), and every call is an event of the case's chain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.callbacks.domain import CallbackStatus, Outcome, SamplePlan
from gridgov.callbacks.models import Callback
from gridgov.callbacks.services import Answers, CallbackPolicy, record_attempt, sweep_closed
from gridgov.cases.domain import Satisfaction
from gridgov.cases.services.policy import CasePolicy
from gridgov.clock import FixedClock, WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied, ValidationFailed

from ..cases.test_services_on_fakes import Loop
from fakes import TinyWorld


@pytest.fixture
def loop(tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy) -> Loop:
    return Loop(tiny, clock, calendar, policy)


def _closed(loop: Loop, **draft: object) -> int:
    cid = loop.report(**draft)
    loop.act("dispatcher", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    loop.act("street", cid, "accept")
    loop.act("street", cid, "handle", note="已清理")
    loop.act("dispatcher", cid, "verify")
    return cid


def _sweep(loop: Loop, policy: CallbackPolicy | None = None) -> None:
    sweep_closed(loop.w.uow(), loop.clock.now(), loop.calendar, policy or CallbackPolicy())


def _callback(loop: Loop, cid: int) -> Callback:
    (cb,) = [c for c in loop.w.db.all(Callback) if c.case_id == cid]
    return cb


def _call(loop: Loop, cb: Callback, outcome: Outcome, answers: Answers | None = None) -> CallbackStatus:
    op = loop.w.actor("operator")
    return record_attempt(
        loop.w.uow(), cb.id, outcome, op, loop.clock.now(), loop.calendar, loop.policy, answers=answers
    )


def test_a_closed_case_is_queued_once_due_in_two_working_days(loop: Loop) -> None:
    cid = _closed(loop)
    _sweep(loop)
    _sweep(loop)  # idempotent
    cb = _callback(loop, cid)
    closed_at = loop.case(cid).closed_at
    assert closed_at is not None and cb.status == "open"
    assert cb.due_at == loop.calendar.deadline(closed_at, CallbackPolicy().due_limit)


def test_three_unanswered_calls_close_it_as_unreached_on_the_chain(loop: Loop) -> None:
    cid = _closed(loop)
    _sweep(loop)
    cb = _callback(loop, cid)
    assert _call(loop, cb, Outcome.NO_ANSWER) is CallbackStatus.OPEN
    loop.clock.advance(timedelta(hours=2))
    assert _call(loop, cb, Outcome.WRONG_NUMBER) is CallbackStatus.OPEN
    assert _call(loop, cb, Outcome.NO_ANSWER) is CallbackStatus.UNREACHED
    with pytest.raises(InvalidTransition):
        _call(loop, cb, Outcome.NO_ANSWER)
    kinds = [e.event_type for e in loop.events(cid)][-4:]
    assert kinds == ["callback_attempted"] * 3 + ["callback_unreached"]
    assert loop.case(cid).status == "closed" and loop.case(cid).satisfaction is None
    assert loop.chain_problem(cid) is None


def test_a_reached_call_becomes_the_evaluation(loop: Loop) -> None:
    cid = _closed(loop)
    _sweep(loop)
    cb = _callback(loop, cid)
    status = _call(loop, cb, Outcome.REACHED, Answers(True, Satisfaction.BASICALLY, "处理及时"))
    assert status is CallbackStatus.REACHED
    case = loop.case(cid)
    assert (case.status, case.resolved, case.satisfaction) == ("evaluated", True, "basically_satisfied")
    last = loop.events(cid)[-2:]
    assert [e.event_type for e in last] == ["callback_attempted", "case_evaluated"]
    assert last[1].actor_role == "operator"


def test_an_unsatisfied_answer_reopens_the_case_by_the_evaluate_rules(loop: Loop) -> None:
    cid = _closed(loop)
    _sweep(loop)
    _call(loop, _callback(loop, cid), Outcome.REACHED, Answers(False, Satisfaction.UNSATISFIED))
    assert loop.case(cid).status == "reopened"


def test_a_reached_call_needs_the_answers_and_an_operator(loop: Loop) -> None:
    cid = _closed(loop)
    _sweep(loop)
    cb = _callback(loop, cid)
    with pytest.raises(ValidationFailed):
        _call(loop, cb, Outcome.REACHED)
    with pytest.raises(PermissionDenied):
        record_attempt(
            loop.w.uow(), cb.id, Outcome.REFUSED, loop.w.actor("street"), loop.clock.now(), loop.calendar, loop.policy
        )


def test_a_refusal_ends_it_and_a_case_evaluated_meanwhile_is_moot(loop: Loop) -> None:
    first, second = _closed(loop), _closed(loop)
    _sweep(loop)
    assert _call(loop, _callback(loop, first), Outcome.REFUSED) is CallbackStatus.REFUSED
    loop.act("resident", second, "evaluate", resolved=True, satisfaction="satisfied")
    assert _call(loop, _callback(loop, second), Outcome.NO_ANSWER) is CallbackStatus.MOOT


def test_the_sample_and_the_contact_decide_who_is_called(loop: Loop) -> None:
    sampled_out = _closed(loop)
    _sweep(loop, CallbackPolicy(sample=SamplePlan(default=1.0, rates={"H1802": 0.0})))
    assert _callback(loop, sampled_out).status == "skipped"
    anonymous = _closed(loop, anonymous=True)  # nobody to call back
    wanted = _closed(loop)
    _sweep(loop)
    assert _callback(loop, anonymous).status == "skipped"
    assert _callback(loop, wanted).status == "open"
