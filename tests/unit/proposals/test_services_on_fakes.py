"""建议提案's services on the fakes (tests/fakes.py): import all or nothing, the steps of 办理 with their limits, an
不满意 sending an item back only once, a 社情民意 referred to the case loop, members and stations — no database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from gridgov.actor import Actor, Role
from gridgov.audit.domain import verify_chain
from gridgov.cases.models import Case
from gridgov.cases.services import CasePolicy
from gridgov.clock import SHANGHAI
from gridgov.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gridgov.proposals import services
from gridgov.proposals.commands import Refer, build_command
from gridgov.proposals.domain import ImportRefused, LimitPassed, Limits
from gridgov.proposals.events import ref_of
from gridgov.proposals.models import Proposal, ProposalEvent, ProposalMember, ProposalStationMember

from factories import make_user
from fakes import START, TinyWorld

OFFICE = Actor(None, Role.PROPOSAL_OFFICE, None)
LIMITS = Limits()


def weekdays(d: date) -> bool:
    return d.weekday() < 5


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


@pytest.fixture
def world(tiny: TinyWorld) -> TinyWorld:
    uow = tiny.uow()
    with uow:
        deputy = make_user(username="deputy", role=Role.DEPUTY.value)
        uow.rows.insert(deputy)
        uow.commit()
    tiny.users["deputy"] = deputy
    services.add_batch(tiny.uow(), "B1", "市十六届人大三次会议", date(2026, 1, 20), OFFICE, START)
    services.add_member(tiny.uow(), "npc", "王代表", OFFICE, START, username="deputy")
    return tiny


def draft(number: str, kind: str = "suggestion", line: int | None = None, **kw: object) -> services.ProposalDraft:
    base: dict[str, object] = dict(
        batch="B1", number=number, kind=kind, title=f"建议{number}", authors=("王代表", "赵代表")
    )
    return services.ProposalDraft(**{**base, **kw, "line": line})  # type: ignore[arg-type]


def step(w: TinyWorld, pid: int, who: Actor, action: str, day: date, **params: object) -> int:
    return services.apply_action(w.uow(), pid, build_command(action, params), who, at(day), LIMITS, weekdays)


def test_an_import_with_a_bad_line_stores_nothing(world: TinyWorld) -> None:
    drafts = [draft("1", line=2), draft("2", line=3, title=" "), draft("1", line=4), draft("3", line=5, batch="NONE")]
    with pytest.raises(ImportRefused) as refused:
        services.import_proposals(world.uow(), drafts, OFFICE, START)
    lines = [(e["line"], e["field"]) for e in refused.value.details["errors"]]
    assert lines == [(3, "title"), (4, "number"), (5, "batch")]
    assert world.db.all(Proposal) == []
    assert services.import_proposals(world.uow(), [draft("1", line=2), draft("2", line=3)], OFFICE, START) == 2
    items = world.db.all(Proposal)
    assert len(items) == 2 and len([e for e in world.db.audit_log.entries if e.stream == "proposal"]) == 2
    # the joint authors: the lead author's member exists already, the second is made
    assert {m.name for m in world.db.all(ProposalMember)} == {"王代表", "赵代表"}


def test_only_the_office_imports(world: TinyWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.import_proposals(world.uow(), [draft("1")], world.actor("dept"), START)


def test_a_second_dissatisfied_rating_finishes_the_item(world: TinyWorld) -> None:
    pid = services.register_proposal(world.uow(), draft("7"), OFFICE, START)
    dept, deputy = world.actor("dept"), world.actor("deputy")
    step(world, pid, OFFICE, "assign", date(2026, 1, 31), lead_unit=world.units["district-cg"].code)
    item = world.db.get(Proposal, pid)
    assert item is not None and item.answer_by == date(2026, 4, 30) and item.due_on == date(2026, 4, 30)
    with pytest.raises(LimitPassed):  # the return limit was 02-10
        step(world, pid, dept, "return", date(2026, 2, 11), reason="不是本单位")
    step(world, pid, dept, "answer", date(2026, 4, 30), answer_class="C", text="条件不具备")
    step(world, pid, deputy, "rate", date(2026, 5, 2), work="dissatisfied", result="dissatisfied")
    item = world.db.get(Proposal, pid)
    assert item is not None and item.status == "rehandling" and item.rehandle_by == date(2026, 6, 2)
    step(world, pid, dept, "answer", date(2026, 5, 30), answer_class="C", text="再次说明")
    step(world, pid, deputy, "rate", date(2026, 6, 1), work="dissatisfied", result="dissatisfied")
    item = world.db.get(Proposal, pid)
    assert item is not None and item.status == "closed" and item.rehandles == 1
    events = sorted((e for e in world.db.all(ProposalEvent) if e.proposal_id == pid), key=lambda e: e.seq)
    assert [e.action for e in events][-2:] == ["rate", "finish"]
    rows = [{c.name: getattr(e, c.name) for c in ProposalEvent.__table__.columns} for e in events]
    assert verify_chain(pid, ref_of(item), rows, item.event_count, item.last_event_hash) is None


def test_an_explanation_must_come_before_the_three_months(world: TinyWorld) -> None:
    pid = services.register_proposal(world.uow(), draft("8"), OFFICE, START)
    step(world, pid, OFFICE, "assign", date(2026, 1, 31), lead_unit=world.units["district-cg"].code)
    with pytest.raises(LimitPassed):
        step(world, pid, world.actor("dept"), "explain", date(2026, 5, 1), text="来不及")
    with pytest.raises(ValidationFailed):  # a contact cannot be dated before the assignment
        step(world, pid, world.actor("dept"), "record_contact", date(2026, 2, 3), method="phone", on="2026-01-30")
    with pytest.raises(InvalidTransition):  # not yet answered: nothing to rate
        step(world, pid, world.actor("deputy"), "rate", date(2026, 2, 3), work="satisfied", result="satisfied")


def test_a_deputy_files_an_opinion_and_the_office_refers_it_to_the_case_loop(world: TinyWorld) -> None:
    deputy = world.actor("deputy")
    with pytest.raises(PermissionDenied):
        services.register_proposal(world.uow(), draft("9"), deputy, START)
    pid = services.register_proposal(
        world.uow(), draft("SQ1", kind="opinion", authors=(), grid_code=world.micro, title="路灯不亮"), deputy, START
    )
    case_id = services.refer_opinion(world.uow, pid, Refer("H1802"), OFFICE, START, CasePolicy())
    item, case = world.db.get(Proposal, pid), world.db.get(Case, case_id)
    assert item is not None and case is not None
    assert item.status == "referred" and item.case_id == case_id and f"/proposals/{pid}" in case.description
    with pytest.raises(InvalidTransition):  # once
        services.refer_opinion(world.uow, pid, Refer(), OFFICE, START, CasePolicy())


def test_a_liaison_station_on_a_grid_with_its_deputies(world: TinyWorld) -> None:
    member = world.db.all(ProposalMember)[0]
    sid = services.add_station(world.uow(), "建设路社区人大代表联络站", world.micro, OFFICE, members=[member.id])
    assert [(m.station_id, m.member_id) for m in world.db.all(ProposalStationMember)] == [(sid, member.id)]
    with pytest.raises(ValidationFailed):
        services.add_station(world.uow(), "不存在的站", "999999999999999", OFFICE)
