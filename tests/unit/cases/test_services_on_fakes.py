"""The case loop's services on the fakes: report → register → dispatch → accept → handle → verify → evaluate,
in milliseconds, without a database (cosmicpython's tests/unit/test_handlers.py style)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gridgov.audit.domain import verify_chain
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.cases.services import (
    CaseDraft,
    CasePolicy,
    apply_action,
    build_command,
    enrich_cases,
    report_case,
    scan_overdue,
)
from gridgov.classify.models import CategoryLabel
from gridgov.clock import FixedClock, WorkingDays
from gridgov.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed

from fakes import START, FakeClassifier, FakeLocator, FakeUnitOfWork, TinyWorld


class Loop:
    """Report a case and act on it as the tiny world's users, at the fixed clock's time."""

    def __init__(self, w: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy) -> None:
        self.w, self.clock, self.calendar, self.policy = w, clock, calendar, policy

    def report(self, who: str = "resident", **draft: Any) -> int:
        fields = {"title": "楼道堆物", "grid_code": self.w.micro, "category_code": "H1802", **draft}
        made = report_case(self.w.uow(), CaseDraft(**fields), self.w.actor(who), self.clock.now())
        return made.id

    def act(self, who: str, case_id: int, action: str, **params: Any) -> int:
        return apply_action(
            self.w.uow(),
            case_id,
            build_command(action, params),
            self.w.actor(who),
            self.clock.now(),
            self.calendar,
            self.policy,
        )

    def case(self, case_id: int) -> Case:
        case = self.w.db.get(Case, case_id)
        assert case is not None
        return case

    def tasks(self, case_id: int) -> list[CaseTask]:
        return [t for t in self.w.db.all(CaseTask) if t.case_id == case_id]

    def events(self, case_id: int) -> list[CaseEvent]:
        return sorted((e for e in self.w.db.all(CaseEvent) if e.case_id == case_id), key=lambda e: e.seq)

    def chain_problem(self, case_id: int) -> object:
        case = self.case(case_id)
        rows = [{c.name: getattr(e, c.name) for c in CaseEvent.__table__.columns} for e in self.events(case_id)]
        return verify_chain(case_id, case.tracking_code, rows, case.event_count, case.last_event_hash)


@pytest.fixture
def loop(tiny: TinyWorld, clock: FixedClock, calendar: WorkingDays, policy: CasePolicy) -> Loop:
    return Loop(tiny, clock, calendar, policy)


def test_a_report_is_stored_with_its_first_event_in_one_commit(tiny: TinyWorld, uow: FakeUnitOfWork) -> None:
    made = report_case(uow, CaseDraft(title="楼道堆物", grid_code=tiny.micro), tiny.actor("resident"), START)
    assert made.created and made.status == "reported" and uow.committed == 1
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.grid_code == tiny.micro and case.version == 1
    assert case.reporter_user_id == tiny.users["resident"].id and case.location_source == "grid"
    (first,) = [e for e in tiny.db.all(CaseEvent) if e.case_id == made.id]
    assert first.seq == 1 and first.action == "report_case" and case.last_event_hash == first.hash


def test_a_point_is_placed_in_its_micro_grid_by_the_locator(tiny: TinyWorld, locator: FakeLocator) -> None:
    lat, lon = tiny.inside
    draft = CaseDraft(title="井盖缺失", lat=lat, lon=lon)
    made = report_case(tiny.uow(), draft, tiny.actor("resident"), START, locator=locator)
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.grid_code == tiny.micro and case.location_source == "point"
    assert locator.calls == [(lat, lon, "wgs84")]


def test_an_address_is_placed_in_the_division_it_names(tiny: TinyWorld, locator: FakeLocator) -> None:
    made = report_case(
        tiny.uow(),
        CaseDraft(title="噪音扰民", address="中原区林山寨街道"),
        tiny.actor("operator"),
        START,
        locator=locator,
    )
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.grid_code == "410102001000000" and case.location_source == "address"


def test_a_point_outside_the_city_without_address_is_refused(tiny: TinyWorld, locator: FakeLocator) -> None:
    with pytest.raises(ValidationFailed) as err:
        report_case(
            tiny.uow(), CaseDraft(title="x", lat=39.9, lon=116.4), tiny.actor("resident"), START, locator=locator
        )
    assert err.value.code == "outside_city"
    assert tiny.db.all(Case) == []


def test_the_same_idempotency_key_gives_back_the_same_case(tiny: TinyWorld) -> None:
    draft = CaseDraft(title="楼道堆物", grid_code=tiny.micro)
    first = report_case(tiny.uow(), draft, tiny.actor("resident"), START, idempotency_key="k1")
    again = report_case(tiny.uow(), draft, tiny.actor("resident"), START, idempotency_key="k1")
    assert again.id == first.id and first.created and not again.created
    assert len(tiny.db.all(Case)) == 1


def test_a_confident_proposal_fills_an_empty_category(tiny: TinyWorld) -> None:
    classifier = FakeClassifier(label="E0102", confidence=0.95)
    made = report_case(
        tiny.uow(),
        CaseDraft(title="路边暴露垃圾", grid_code=tiny.micro),
        tiny.actor("resident"),
        START,
        classifier=classifier,
    )
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.category_code == "E0102" and case.category_source == "model"
    assert not case.needs_review and len(classifier.texts) == 1 and "路边暴露垃圾" in classifier.texts[0]


def test_a_doubtful_proposal_asks_for_a_person(tiny: TinyWorld) -> None:
    classifier = FakeClassifier(label="E0102", confidence=0.3)
    made = report_case(
        tiny.uow(),
        CaseDraft(title="有点问题", grid_code=tiny.micro),
        tiny.actor("resident"),
        START,
        classifier=classifier,
    )
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.category_code is None and case.needs_review
    assert case.suggested_category_code == "E0102" and len(case.suggestions or []) == 3


def test_enrichment_after_commit_runs_as_a_hook_then_once(tiny: TinyWorld, policy: CasePolicy) -> None:
    queued: list[int] = []
    made = report_case(
        tiny.uow(),
        CaseDraft(title="楼道堆物", grid_code=tiny.micro),
        tiny.actor("resident"),
        START,
        enrich_later=queued.append,
    )
    assert queued == [made.id]
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.enriched_at is None
    classifier = FakeClassifier()
    assert enrich_cases(tiny.uow_factory, queued, classifier, policy, START) == 1
    assert enrich_cases(tiny.uow_factory, queued, classifier, policy, START) == 0
    case = tiny.db.get(Case, made.id)
    assert case is not None and case.enriched_at is not None and case.version == 1  # the enricher bumps no version


def test_register_then_dispatch_by_the_matrix_to_the_street(loop: Loop) -> None:
    cid = loop.report()
    loop.act("operator", cid, "register")
    version = loop.act("dispatcher", cid, "dispatch")
    case = loop.case(cid)
    assert case.status == "dispatched" and case.owner_unit_id == loop.w.units["street"].id and version == case.version
    (task,) = loop.tasks(cid)
    assert task.role == "primary" and task.status == "pending" and task.unit_id == loop.w.units["street"].id
    labels = loop.w.db.all(CategoryLabel)
    assert [(lb.case_id, lb.label) for lb in labels] == [(cid, "H1802")]


def test_a_digital_city_event_goes_to_the_districts_bureau(loop: Loop) -> None:
    cid = loop.report("operator", title="暴露垃圾", category_code="E0102")
    loop.act("operator", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    case = loop.case(cid)
    assert case.owner_unit_id == loop.w.units["district-cg"].id
    assert case.clock_unit == "hours" and case.response_due_at == loop.clock.now() + timedelta(hours=2)


def test_the_whole_loop_to_evaluated_leaves_an_intact_chain(loop: Loop) -> None:
    cid = loop.report()
    loop.act("operator", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    loop.clock.advance(timedelta(hours=1))
    loop.act("street", cid, "accept")
    assert loop.tasks(cid)[0].status == "accepted" and loop.tasks(cid)[0].response_late is False
    loop.act("street", cid, "handle", note="已清理", evidence=["photo:1"])
    loop.act("street", cid, "verify", note="现场核实")
    loop.act("resident", cid, "evaluate", resolved=True, satisfaction="satisfied")
    case = loop.case(cid)
    assert case.status == "evaluated" and case.resolved is True and case.satisfaction == "satisfied"
    assert [e.action for e in loop.events(cid)] == [
        "report_case",
        "register",
        "dispatch",
        "accept",
        "handle",
        "verify",
        "evaluate",
    ]
    assert loop.chain_problem(cid) is None
    assert case.version == 7  # one per committed change (the Sql version_id_col)


def test_an_unsatisfied_verdict_soon_after_close_reopens_the_case(loop: Loop) -> None:
    cid = loop.report()
    for who, action, params in (
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已清理"}),
        ("dispatcher", "verify", {}),
        ("resident", "evaluate", {"resolved": False, "satisfaction": "unsatisfied"}),
    ):
        loop.act(who, cid, action, **params)
    assert loop.case(cid).status == "reopened"
    last = loop.events(cid)[-1]
    assert last.action == "reopen" and last.actor_role == "system"


def test_a_wrong_state_is_refused_and_changes_nothing(loop: Loop) -> None:
    cid = loop.report()
    before = loop.w.db.commits
    with pytest.raises(InvalidTransition):
        loop.act("street", cid, "handle", note="x")
    assert loop.w.db.commits == before and loop.case(cid).status == "reported"


def test_a_unit_without_a_task_cannot_accept(loop: Loop) -> None:
    cid = loop.report()
    loop.act("operator", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    with pytest.raises(NotFound):  # outside the department's scope the case does not exist
        loop.act("dept", cid, "accept")
    with pytest.raises(PermissionDenied):
        loop.act("community", cid, "accept")  # in the community's grid, but the task is the street's


def test_a_stale_version_is_a_conflict(loop: Loop) -> None:
    cid = loop.report()
    with pytest.raises(Conflict):
        apply_action(
            loop.w.uow(),
            cid,
            build_command("register", {}),
            loop.w.actor("operator"),
            loop.clock.now(),
            loop.calendar,
            loop.policy,
            99,
        )


def test_two_units_of_work_on_one_case_conflict_like_sessions(loop: Loop) -> None:
    cid = loop.report()
    first, second = loop.w.uow(), loop.w.uow()
    with first, second:
        a, b = first.cases.get(cid), second.cases.get(cid)
        assert a is not None and b is not None and a is not b
        a.title, b.title = "一", "二"
        first.commit()
        with pytest.raises(Conflict):
            second.commit()
    assert loop.case(cid).title == "一"


def test_direct_close_is_refused_for_a_digital_city_event(loop: Loop) -> None:
    cid = loop.report("operator", title="暴露垃圾", category_code="E0102")
    with pytest.raises(InvalidTransition):
        loop.act("operator", cid, "direct_close", note="已答复")
    consult = loop.report("operator", title="咨询", category_code="H1901")
    loop.act("operator", consult, "direct_close", note="已答复")
    assert loop.case(consult).status == "closed"


def test_an_overdue_response_is_warned_then_escalated_by_the_scan(loop: Loop) -> None:
    cid = loop.report("operator", title="暴露垃圾", category_code="E0102")
    loop.act("operator", cid, "register")
    loop.act("dispatcher", cid, "dispatch")
    at = loop.clock.now()
    warned = scan_overdue(loop.w.uow_factory, at + timedelta(minutes=100), loop.calendar, loop.policy)
    assert (warned.warned, warned.escalated) == (1, 0)
    late = scan_overdue(loop.w.uow_factory, at + timedelta(hours=2, minutes=1), loop.calendar, loop.policy)
    assert late.escalated == 1
    case = loop.case(cid)
    assert case.alarm_level == "red" and case.escalated_to_unit_id == loop.w.units["district"].id
    again = scan_overdue(loop.w.uow_factory, at + timedelta(hours=2, minutes=1), loop.calendar, loop.policy)
    assert (again.scanned, again.warned, again.escalated) == (0, 0, 0)  # idempotent at the same `now`
    assert loop.chain_problem(cid) is None


def test_a_retired_unit_takes_no_new_work_and_the_matrix_passes_over_it(loop: Loop, tiny: TinyWorld) -> None:
    bureau = tiny.units["district-cg"]
    cid = loop.report(category_code="E0102")
    loop.act("dispatcher", cid, "register")
    bureau.active = False  # merged or retired by an admin (admin/ refuses that while it has open work)
    with pytest.raises(ValidationFailed, match="派遣单位已撤销或合并"):
        loop.act("dispatcher", cid, "dispatch", unit_code=bureau.code)
    with pytest.raises(ValidationFailed, match="协办单位已撤销或合并"):
        loop.act("dispatcher", cid, "dispatch", unit_code=tiny.units["street"].code, assist_unit_codes=[bureau.code])
    # the matrix names the district's bureau for E01; retired, the next rule (the street) answers
    loop.act("dispatcher", cid, "dispatch")
    (task,) = loop.tasks(cid)
    assert task.unit_id == tiny.units["street"].id
    loop.act("street", cid, "accept")
    with pytest.raises(ValidationFailed, match="部门已撤销或合并"):
        loop.act("street", cid, "whistle", department_codes=[bureau.code], reason="需要执法")
    bureau.active = True
    assert loop.act("street", cid, "whistle", department_codes=[bureau.code], reason="需要执法")
