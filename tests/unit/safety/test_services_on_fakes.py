"""安全生产's services on the fakes (tests/fakes.py): places registered, imported all or nothing, closed and
merged; a plan made twice; an inspection with a hazard fixed on the spot and a major one followed to 销号; the same
item found again; a recurrence after 销号; escalation on working days — in milliseconds, no database."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from gridgov.actor import Actor, Role
from gridgov.audit.domain import verify_chain
from gridgov.cases.services import CasePolicy
from gridgov.clock import WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied
from gridgov.safety import services
from gridgov.safety.commands import build_command
from gridgov.safety.domain import ImportRefused, InspectionRefused
from gridgov.safety.events import HAZARD_STREAM
from gridgov.safety.models import SafetyHazard, SafetyPlace, SafetyTask
from gridgov.safety.rules import shipped_rules
from gridgov.units.domain import UnitKind

from factories import make_unit
from fakes import MICRO, START, FakeLocator, TinyWorld

INSIDE = (34.755, 113.625)  # in MICRO (gridgov.geo.fixed.DEFAULT_TABLE)
ADMIN = Actor(None, Role.ADMIN, None, name="admin")


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def bureau(tiny: TinyWorld) -> Actor:
    uow = tiny.uow()
    with uow:
        unit = make_unit(
            code="410102-yjgl", name="中原区应急管理局", kind=UnitKind.DISTRICT_BUREAU, department_key="yjgl"
        )
        uow.rows.insert(unit)
        uow.commit()
    return Actor(None, Role.DEPARTMENT, unit.id, name="区应急管理局")


def draft(**over: object) -> services.PlaceDraft:
    base: dict[str, object] = dict(
        name="老王烩面馆", type_code="small_restaurant", address="建设路1号", lat=INSIDE[0], lon=INSIDE[1], risk="red"
    )
    return services.PlaceDraft(**(base | over))  # type: ignore[arg-type]


def passing(type_code: str) -> dict[str, services.ItemResult]:
    return {c: services.ItemResult("pass") for c in shipped_rules().items_for(type_code)}


def test_a_place_is_located_on_its_grid_and_a_bad_list_stores_nothing(tiny: TinyWorld, locator: FakeLocator) -> None:
    pid = services.register_place(tiny.uow(), draft(), ADMIN, START, locator)
    place = tiny.db.get(SafetyPlace, pid)
    assert place is not None and place.grid_code == MICRO and place.street_code == MICRO[:9]
    lines = [(2, draft(name="甲")), (3, draft(name="乙", lat=10.0, lon=10.0)), (4, draft(name="丙", type_code="ufo"))]
    with pytest.raises(ImportRefused) as refused:
        services.import_places(tiny.uow(), lines, ADMIN, START, locator)
    assert [e["line"] for e in refused.value.details["errors"]] == [3, 4]
    assert len(tiny.db.all(SafetyPlace)) == 1
    with pytest.raises(PermissionDenied):
        services.register_place(tiny.uow(), draft(), tiny.actor("grid-worker"), START, locator)


def test_a_closed_place_is_planned_no_more_and_a_merged_one_says_where_it_went(
    tiny: TinyWorld, locator: FakeLocator
) -> None:
    a = services.register_place(tiny.uow(), draft(name="甲店"), ADMIN, START, locator)
    b = services.register_place(tiny.uow(), draft(name="乙店", risk="blue"), ADMIN, START, locator)
    c = services.register_place(tiny.uow(), draft(name="丙店", risk="blue"), ADMIN, START, locator)
    services.close_place(tiny.uow(), a, "停业", ADMIN, START)
    services.merge_place(tiny.uow(), b, c, "重复登记", ADMIN, START)
    with pytest.raises(InvalidTransition):
        services.close_place(tiny.uow(), a, "再次", ADMIN, START)
    made = services.generate_plan(tiny.uow(), "2025-10", ADMIN, START)
    assert [(r.plan_code, r.made) for r in made] == [("nine_small_monthly", 1), ("red_weekly", 0)]
    assert {t.place_id for t in tiny.db.all(SafetyTask)} == {c}
    merged = tiny.db.get(SafetyPlace, b)
    assert merged is not None and merged.status == "merged" and merged.merged_into_id == c


def test_plans_made_twice_make_their_tasks_once_for_the_grid_worker(tiny: TinyWorld, locator: FakeLocator) -> None:
    services.register_place(tiny.uow(), draft(), ADMIN, START, locator)
    first = services.generate_plan(tiny.uow(), "2025-10", ADMIN, START)
    again = services.generate_plan(tiny.uow(), "2025-10", ADMIN, START)
    assert [r.made for r in first] == [1, 4] and [r.made for r in again] == [0, 0]
    worker = tiny.users["grid-worker"].id
    assert {t.assignee_id for t in tiny.db.all(SafetyTask)} == {worker}
    with pytest.raises(PermissionDenied):
        services.generate_plan(tiny.uow(), "2025-10", tiny.actor("grid-worker"), START)


def test_an_inspection_to_closed_out(
    tiny: TinyWorld, locator: FakeLocator, calendar: WorkingDays, bureau: Actor
) -> None:
    pid = services.register_place(tiny.uow(), draft(), ADMIN, START, locator)
    services.generate_plan(tiny.uow(), "2025-10", ADMIN, START)
    worker = tiny.actor("grid-worker")
    results = passing("small_restaurant")
    results["F02"] = services.ItemResult("fail", fixed_on_spot=True, photos=(png(),), fixed_photos=(png("green"),))
    results["G03"] = services.ItemResult("fail", grade="major", photos=(png(),))
    missing = dict(results)
    missing.pop("E01")
    with pytest.raises(InspectionRefused):
        services.record_inspection(tiny.uow(), services.InspectionDraft(pid, missing), worker, START, calendar)
    no_photo = dict(results) | {"G03": services.ItemResult("fail", grade="major")}
    with pytest.raises(InspectionRefused):
        services.record_inspection(tiny.uow(), services.InspectionDraft(pid, no_photo), worker, START, calendar)
    done = services.record_inspection(tiny.uow(), services.InspectionDraft(pid, results), worker, START, calendar)
    assert done.failed == 2 and done.task_id is not None
    by_item = {h.item_code: h for h in done.hazards}
    assert by_item["F02"].status == "closed" and by_item["G03"].status == "awaiting_plan"
    major = by_item["G03"].hazard_id
    policy = CasePolicy()

    def act(action: str, who: Actor, **params: object) -> str:
        return services.apply_hazard_action(
            tiny.uow, major, build_command(action, params), who, START, calendar, policy
        )

    street = tiny.actor("street")
    plan = {
        "responsible": "王老板",
        "measures": "清走钢瓶",
        "funds": 5000,
        "time_limit": date(2025, 10, 20),
        "contingency": "停用灶具",
    }
    assert act("submit_plan", street, **plan) == "rectifying"
    assert act("supervise", bureau) == "rectifying"
    assert act("report_rectified", worker, photos=[png("white")]) == "awaiting_review"
    with pytest.raises(PermissionDenied):
        act("pass_review", street)
    assert act("fail_review", bureau, note="未清走") == "rectifying"
    assert act("report_rectified", worker, photos=[png("gray")]) == "awaiting_review"
    assert act("pass_review", bureau) == "accepted"
    assert act("close_out", bureau) == "closed"
    hazard = tiny.db.get(SafetyHazard, major)
    assert hazard is not None and hazard.reviews == 2 and hazard.supervised and hazard.on_time
    uow = tiny.uow()
    with uow:
        chain = [e.__dict__ for e in uow.safety.events(HAZARD_STREAM, major)]
    assert [e["action"] for e in chain][-2:] == ["pass_review", "close_out"]
    assert verify_chain(major, hazard.code, chain, hazard.event_count, hazard.last_event_hash) is None


def test_the_same_item_found_again_is_linked_and_after_closed_out_counts_as_a_recurrence(
    tiny: TinyWorld, locator: FakeLocator, calendar: WorkingDays
) -> None:
    pid = services.register_place(tiny.uow(), draft(type_code="small_shop", risk="yellow"), ADMIN, START, locator)
    worker = tiny.actor("grid-worker")
    results = passing("small_shop") | {"F01": services.ItemResult("fail", photos=(png(),))}
    one = services.record_inspection(tiny.uow(), services.InspectionDraft(pid, results), worker, START, calendar)
    two = services.record_inspection(tiny.uow(), services.InspectionDraft(pid, results), worker, START, calendar)
    assert two.hazards[0].linked and two.hazards[0].hazard_id == one.hazards[0].hazard_id
    assert len(tiny.db.all(SafetyHazard)) == 1
    fixed = passing("small_shop") | {
        "F01": services.ItemResult("fail", fixed_on_spot=True, photos=(png(),), fixed_photos=(png(),))
    }
    uow = tiny.uow()
    with uow:  # the first one rectified and closed out by hand (a row change, as after the review)
        h = uow.safety.hazard(one.hazards[0].hazard_id)
        assert h is not None
        h.status, h.closed_at = "closed", START
        uow.commit()
    later = START + timedelta(days=3)
    three = services.record_inspection(tiny.uow(), services.InspectionDraft(pid, fixed), worker, later, calendar)
    again = tiny.db.get(SafetyHazard, three.hazards[0].hazard_id)
    assert again is not None and not three.hazards[0].linked and again.recurrence_of_id == one.hazards[0].hazard_id


def test_a_late_hazard_escalates_to_the_district_then_the_city_on_working_days(
    tiny: TinyWorld, locator: FakeLocator, calendar: WorkingDays
) -> None:
    pid = services.register_place(tiny.uow(), draft(type_code="small_shop", risk="yellow"), ADMIN, START, locator)
    results = passing("small_shop") | {"F01": services.ItemResult("fail", photos=(png(),))}
    done = services.record_inspection(
        tiny.uow(), services.InspectionDraft(pid, results), tiny.actor("grid-worker"), START, calendar
    )
    hazard = tiny.db.get(SafetyHazard, done.hazards[0].hazard_id)
    assert hazard is not None and hazard.due_at is not None
    # 7 working days from Friday 26 September 2025 over the National Day holiday (1–8 October off, Sunday 28
    # September and Saturday 11 October worked): Monday 13 October
    assert hazard.due_at.date() == date(2025, 10, 13)
    assert services.scan_overdue_hazards(tiny.uow, START + timedelta(days=16), calendar).escalated == 0
    assert services.scan_overdue_hazards(tiny.uow, START + timedelta(days=18), calendar).escalated == 1
    assert services.scan_overdue_hazards(tiny.uow, START + timedelta(days=40), calendar).escalated == 1
    assert services.scan_overdue_hazards(tiny.uow, START + timedelta(days=80), calendar).escalated == 0
    hazard = tiny.db.get(SafetyHazard, done.hazards[0].hazard_id)
    assert hazard is not None and hazard.escalation_level == 2
