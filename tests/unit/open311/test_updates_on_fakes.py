"""servicerequestupdates' and the Open311 intake's use cases on the fakes: a repeated update_id is the same
update, REOPEN on a closed case reopens it through the loop, FIXED is a resolved verdict, and a resend with the
same external_id is the same case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.actor import Actor, Role
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.services import CaseDraft, CasePolicy, apply_action, build_command, report_case
from gridgov.clock import FixedClock, WorkingDays
from gridgov.errors import NotFound, PermissionDenied
from gridgov.open311.models import Open311Request, Open311Update
from gridgov.open311.services import RequestExtra, submit_request
from gridgov.open311.updates import post_update, update_draft

from fakes import TinyWorld


def file(tiny: TinyWorld, clock: FixedClock, who: str = "resident") -> Case:
    made = report_case(
        tiny.uow(),
        CaseDraft(title="楼道堆物", grid_code=tiny.micro, category_code="H1802"),
        tiny.actor(who),
        clock.now(),
    )
    case = tiny.db.get(Case, made.id)
    assert case is not None
    return case


def close(tiny: TinyWorld, case_id: int, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy) -> None:
    for who, action, params in (
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已清理"}),
        ("dispatcher", "verify", {}),
    ):
        apply_action(tiny.uow(), case_id, build_command(action, params), tiny.actor(who), clock.now(), calendar, policy)


def post(tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy, who: str, **f: str) -> str:
    draft = update_draft({"description": "还没清理", **f})
    return post_update(tiny.uow(), draft, tiny.actor(who), clock.now(), calendar, policy)


def test_a_repeated_update_id_is_the_same_note(
    tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy
) -> None:
    case = file(tiny, clock)
    first = post(tiny, clock, calendar, policy, "resident", service_request_id=case.tracking_code, update_id="u1")
    again = post(tiny, clock, calendar, policy, "resident", service_request_id=case.tracking_code, update_id="u1")
    assert first == again
    notes = [e for e in tiny.db.all(CaseEvent) if e.action == "comment"]
    assert [str(e.id) for e in notes] == [first] and notes[0].payload["comment"] == "还没清理"
    assert [(u.client_update_id, u.event_id) for u in tiny.db.all(Open311Update)] == [("u1", int(first))]
    with pytest.raises(NotFound):  # another resident's case is unknown to them, whatever their update_id
        post(tiny, clock, calendar, policy, "resident2", service_request_id=case.tracking_code, update_id="u1")


def test_reopen_and_fixed_are_verdicts_through_the_loop(
    tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy
) -> None:
    reopened = file(tiny, clock)
    draft = CaseDraft(title="楼道堆物", grid_code=tiny.micro, category_code="H1802", source="open311")
    extra = RequestExtra(email="wei@example.com")
    filed = submit_request(tiny.uow(), draft, tiny.actor("resident"), clock.now(), extra=extra)
    resolved = tiny.db.get(Case, filed.id)
    assert resolved is not None
    for case in (reopened, resolved):
        close(tiny, case.id, clock, calendar, policy)
    clock.advance(timedelta(days=1))
    post(
        tiny,
        clock,
        calendar,
        policy,
        "resident",
        service_request_id=reopened.tracking_code,
        update_id="a",
        status="REOPEN",
    )
    fixed = {"service_request_id": resolved.tracking_code, "status": "FIXED"}
    post(tiny, clock, calendar, policy, "resident", **fixed, update_id="b", email="other@example.com")
    still = tiny.db.get(Case, resolved.id)
    assert still is not None and still.status == "closed"  # not the reporter's word: a note
    post(tiny, clock, calendar, policy, "resident", **fixed, update_id="c", email="Wei@example.com")
    one, two = tiny.db.get(Case, reopened.id), tiny.db.get(Case, resolved.id)
    assert one is not None and one.status == "reopened" and one.satisfaction == "unsatisfied"
    assert two is not None and two.status == "evaluated" and two.resolved is True


def test_updates_of_cases_one_may_not_touch_are_refused(
    tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy
) -> None:
    case = file(tiny, clock, who="operator")
    with pytest.raises(NotFound):  # a resident's key updates only the cases it filed
        post(tiny, clock, calendar, policy, "resident", service_request_id=case.tracking_code, update_id="x")
    leader = Actor(user_id=None, role=Role.LEADER, unit_id=None)
    draft = update_draft({"service_request_id": case.tracking_code, "update_id": "x", "description": "看看"})
    with pytest.raises(PermissionDenied):  # the leader may not report, so may not post updates
        post_update(tiny.uow(), draft, leader, clock.now(), calendar, policy)
    assert [e for e in tiny.db.all(CaseEvent) if e.action == "comment"] == []


def test_a_resend_with_the_same_external_id_is_the_same_case(tiny: TinyWorld, clock: FixedClock) -> None:
    draft = CaseDraft(title="楼道堆物", grid_code=tiny.micro, source="open311")
    extra = RequestExtra(external_id="fms-1", attributes={"colour": "红"}, email="a@example.com")
    first = submit_request(tiny.uow(), draft, tiny.actor("operator"), clock.now(), extra=extra)
    again = submit_request(tiny.uow(), draft, tiny.actor("operator"), clock.now(), extra=extra)
    assert first.created and not again.created and again.id == first.id
    (row,) = tiny.db.all(Open311Request)
    assert (row.case_id, row.external_id, row.attributes, row.email) == (
        first.id,
        "fms-1",
        {"colour": "红"},
        "a@example.com",
    )
    other = submit_request(tiny.uow(), draft, tiny.actor("admin"), clock.now(), extra=extra)
    assert other.id != first.id  # the id is the client's own: another api_key may use the same one
