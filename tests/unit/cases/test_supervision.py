"""督办, 督办回复, the escalation of an unanswered 督办, and 催办 by the deadline scan (issue 15), on the fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.actor import Actor, Role
from gridgov.cases.models import CaseSupervision, CaseUrge
from gridgov.cases.services import apply_action, build_command, scan_overdue
from gridgov.cases.services.policy import CasePolicy
from gridgov.cases.services.supervision import scan_supervisions
from gridgov.clock import FixedClock, WorkingDays
from gridgov.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed

from .test_services_on_fakes import Loop
from fakes import TinyWorld


@pytest.fixture
def loop(tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy) -> Loop:
    return Loop(tiny, clock, calendar, policy)


LEADER = Actor(user_id=None, role=Role.LEADER, unit_id=None, name="市领导")


def _supervise(loop: Loop, cid: int, hours: float = 24, who: Actor = LEADER) -> None:
    due = (loop.clock.now() + timedelta(hours=hours)).isoformat()
    command = build_command("supervise", {"due_at": due, "note": "请尽快清理, 明日回复"})
    apply_action(loop.w.uow(), cid, command, who, loop.clock.now(), loop.calendar, loop.policy)


def _accepted(loop: Loop) -> int:
    cid = loop.report()
    loop.act("dispatcher", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    loop.act("street", cid, "accept")
    return cid


def _supervisions(loop: Loop, cid: int) -> list[CaseSupervision]:
    return [s for s in loop.w.db.all(CaseSupervision) if s.case_id == cid]


def test_a_leader_supervises_and_the_unit_answers_on_time(loop: Loop) -> None:
    cid = _accepted(loop)
    _supervise(loop, cid)
    (sup,) = _supervisions(loop, cid)
    assert sup.status == "open" and sup.unit_id == loop.w.units["street"].id and sup.issued_by_role == "leader"
    supervised = loop.events(cid)[-1]
    assert supervised.event_type == "supervised" and supervised.payload["unit_id"] == sup.unit_id
    assert supervised.payload["note"] == "请尽快清理, 明日回复"
    loop.clock.advance(timedelta(hours=3))
    loop.act("street", cid, "reply_supervision", note="已安排清运, 今日完成")
    (sup,) = _supervisions(loop, cid)
    assert (sup.status, sup.on_time, sup.reply) == ("replied", True, "已安排清运, 今日完成")
    assert loop.events(cid)[-1].event_type == "supervision_replied"
    assert loop.case(cid).status == "accepted"  # a 督办 never moves the case
    assert loop.chain_problem(cid) is None
    # the log has a leaf for every event of the chain
    leaves = [e.event_hash for e in loop.w.db.audit_log.entries if e.stream == "case" and e.subject_id == cid]
    assert leaves == [e.hash for e in loop.events(cid)]


def test_a_late_answer_is_kept_and_counted_late(loop: Loop) -> None:
    cid = _accepted(loop)
    _supervise(loop, cid, hours=2)
    loop.clock.advance(timedelta(hours=5))
    loop.act("street", cid, "reply_supervision", note="迟复")
    (sup,) = _supervisions(loop, cid)
    assert sup.status == "replied" and sup.on_time is False


def test_only_the_supervised_unit_answers_and_only_once(loop: Loop) -> None:
    cid = _accepted(loop)
    _supervise(loop, cid)
    with pytest.raises(PermissionDenied):  # the community sees the case (its area) but was not supervised
        loop.act("community", cid, "reply_supervision", note="不是我们")
    with pytest.raises(NotFound):  # a department without a task does not even see it
        loop.act("dept", cid, "reply_supervision", note="不是我们")
    loop.act("street", cid, "reply_supervision", note="已办")
    with pytest.raises(InvalidTransition):
        loop.act("street", cid, "reply_supervision", note="再回一次")


def test_a_case_is_under_one_open_supervision_at_a_time(loop: Loop) -> None:
    cid = _accepted(loop)
    _supervise(loop, cid)
    with pytest.raises(InvalidTransition):
        _supervise(loop, cid, who=loop.w.actor("dispatcher"))
    loop.act("street", cid, "reply_supervision", note="已办")
    _supervise(loop, cid, who=loop.w.actor("dispatcher"))  # answered: the command centre may press again
    assert [s.status for s in _supervisions(loop, cid)] == ["replied", "open"]


def test_a_deadline_in_the_past_is_refused(loop: Loop) -> None:
    cid = _accepted(loop)
    with pytest.raises(ValidationFailed):
        _supervise(loop, cid, hours=-1)
    with pytest.raises(ValidationFailed):
        apply_action(
            loop.w.uow(),
            cid,
            build_command("supervise", {"due_at": "明天", "note": "x"}),
            LEADER,
            loop.clock.now(),
            loop.calendar,
            loop.policy,
        )


def test_who_may_supervise_is_a_rule(loop: Loop) -> None:
    cid = _accepted(loop)
    for who in ("street", "operator", "resident"):
        with pytest.raises(PermissionDenied):
            _supervise(loop, cid, who=loop.w.actor(who))
    reported = loop.report()
    with pytest.raises(InvalidTransition):  # nobody is handling it yet: nobody to answer
        _supervise(loop, reported)


def test_an_unanswered_supervision_escalates_one_level_up_then_each_period(loop: Loop) -> None:
    cid = _accepted(loop)
    start = loop.clock.now()
    _supervise(loop, cid, hours=4)
    assert scan_supervisions(loop.w.uow_factory, start + timedelta(hours=3)).escalated == 0
    first = scan_supervisions(loop.w.uow_factory, start + timedelta(hours=4, minutes=1))
    assert first.escalated == 1
    (sup,) = _supervisions(loop, cid)
    assert sup.escalation_level == 1 and sup.escalated_to_unit_id == loop.w.units["district"].id
    event = loop.events(cid)[-1]
    assert event.event_type == "supervision_escalated" and event.unit_id == loop.w.units["district"].id
    again = scan_supervisions(loop.w.uow_factory, start + timedelta(hours=4, minutes=1))
    assert again.escalated == 0  # idempotent at the same `now`
    second = scan_supervisions(loop.w.uow_factory, start + timedelta(hours=8, minutes=1))
    assert second.escalated == 1
    (sup,) = _supervisions(loop, cid)
    assert sup.escalation_level == 2 and sup.escalated_to_unit_id == loop.w.units["city"].id
    assert scan_supervisions(loop.w.uow_factory, start + timedelta(days=30)).escalated == 0  # the chain ends
    assert loop.chain_problem(cid) is None


def test_closing_the_case_ends_its_supervision(loop: Loop) -> None:
    cid = _accepted(loop)
    _supervise(loop, cid, hours=4)
    loop.act("street", cid, "handle", note="已清理")
    loop.act("dispatcher", cid, "verify")
    (sup,) = _supervisions(loop, cid)
    assert sup.status == "ended" and sup.next_check_at is None
    assert scan_supervisions(loop.w.uow_factory, loop.clock.now() + timedelta(days=1)).escalated == 0


def test_the_scan_urges_the_handling_task_at_yellow_and_at_red_once_each(loop: Loop) -> None:
    cid = loop.report("operator", title="暴露垃圾", category_code="E0102")
    loop.act("operator", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    at = loop.clock.now()
    (task,) = loop.tasks(cid)

    def urges() -> list[tuple[int, str]]:
        return [(u.task_id, u.level) for u in loop.w.db.all(CaseUrge)]

    yellow = scan_overdue(loop.w.uow_factory, at + timedelta(minutes=100), loop.calendar, loop.policy)
    assert yellow.urged == 1 and urges() == [(task.id, "yellow")]
    urged = [e for e in loop.events(cid) if e.event_type == "urged"]
    assert [(e.payload["task_id"], e.payload["level"], e.unit_id) for e in urged] == [(task.id, "yellow", task.unit_id)]
    assert scan_overdue(loop.w.uow_factory, at + timedelta(minutes=100), loop.calendar, loop.policy).urged == 0
    red = scan_overdue(loop.w.uow_factory, at + timedelta(hours=2, minutes=1), loop.calendar, loop.policy)
    assert red.escalated == 1 and red.urged == 1
    later = scan_overdue(loop.w.uow_factory, at + timedelta(days=3), loop.calendar, loop.policy)
    assert later.escalated >= 1 and later.urged == 0  # red is urged once per task; later steps are escalations
    assert urges() == [(task.id, "yellow"), (task.id, "red")]
    assert loop.chain_problem(cid) is None


def test_an_open_supervision_follows_the_case_to_the_unit_it_is_redispatched_to(loop: Loop) -> None:
    cid = loop.report()
    loop.act("dispatcher", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    _supervise(loop, cid)
    loop.act("street", cid, "return", reason="不属于本街道职责")
    bureau = loop.w.units["district-cg"]
    loop.act("dispatcher", cid, "dispatch", unit_code=bureau.code)
    (sup,) = _supervisions(loop, cid)
    assert sup.status == "open" and sup.unit_id == bureau.id
    moved = loop.events(cid)[-1].payload["supervision_moved"]
    assert moved == {"supervision_id": sup.id, "from_unit_id": loop.w.units["street"].id, "to_unit_id": bureau.id}
    with pytest.raises((PermissionDenied, NotFound)):
        loop.act("street", cid, "reply_supervision", note="已不在我处")
    loop.act("dept", cid, "reply_supervision", note="已接手，明日处置")
    assert _supervisions(loop, cid)[0].status == "replied"
    assert loop.chain_problem(cid) is None
