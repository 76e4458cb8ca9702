"""安全生产 on a real database: a month's tasks made by one INSERT … SELECT per round, to the grid worker of each
place's grid, and made once however often it runs; the five rates' counts by SQL on rows with fixed numbers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit.domain import GENESIS
from gridgov.clock import SHANGHAI
from gridgov.indicator_sources import Period
from gridgov.safety import queries
from gridgov.safety.domain import Measure, rates, slots
from gridgov.safety.models import SafetyHazard, SafetyPlace, SafetyPlanRun, SafetyTask
from gridgov.safety.repository import SqlSafetyRepository
from gridgov.safety.rules import shipped_rules
from gridgov.units.models import GridAssignment

from factories import make_user

AT = datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)
G1, G2 = "410102091001001", "410102092001001"  # no such grids: no other test assigns workers to them


def place(
    session: Session, n: int, grid: str, type_code: str = "small_shop", risk: str = "yellow", status: str = "open"
) -> SafetyPlace:
    kind = shipped_rules().types[type_code]
    p = SafetyPlace(
        code=f"T{n}", name=f"场所{n}", type_code=type_code, place_group=kind.group.value, lat=34.7, lon=113.6,
        grid_code=grid, street_code=grid[:9], district_code=grid[:6], risk=risk, status=status, created_at=AT,
        updated_at=AT, event_count=0, last_event_hash=GENESIS,
    )  # fmt: skip
    session.add(p)
    return p


def test_a_months_tasks_go_to_each_grids_worker_once(session: Session) -> None:
    worker = make_user(role="grid_worker")
    session.add(worker)
    session.flush()
    session.add(GridAssignment(user_id=worker.id, grid_code=G1))
    for n in range(6):
        place(session, n, G1 if n < 4 else G2, risk="red" if n in (0, 4) else "yellow")
    place(session, 9, G1, status="closed")
    place(session, 10, G1, type_code="ent_warehouse", risk="red")  # an enterprise: only the red plan
    session.flush()
    repo = SqlSafetyRepository(session)
    rules = shipped_rules()
    made = {}
    for code in ("nine_small_monthly", "red_weekly"):
        plan = rules.plans[code]
        run = SafetyPlanRun(code=f"{code}:2026-12", plan_code=code, period="2026-12", created_at=AT, updated_at=AT,
                            event_count=0, last_event_hash=GENESIS)  # fmt: skip
        repo.add_plan_run(run)
        rounds = slots(plan.frequency, 2026, 12)
        made[code] = repo.generate_tasks(run.id, plan, "2026-12", plan.types, rounds)
        assert repo.generate_tasks(run.id, plan, "2026-12", plan.types, rounds) == 0
    assert made == {"nine_small_monthly": 6, "red_weekly": 3 * 4}
    key = (SafetyTask.grid_code, SafetyTask.assignee_id)
    rows = session.execute(select(*key, func.count()).group_by(*key)).all()
    assert sorted(rows) == sorted([(G1, worker.id, 4 + 2 * 4), (G2, None, 2 + 4)])
    cover = queries.coverage(session, "2026-12", "street")
    assert [(c["code"], c["due"], c["done"]) for c in cover] == [(G1[:9], 12, 0), (G2[:9], 6, 0)]


def hazard(
    session: Session,
    n: int,
    p: SafetyPlace,
    grade: str,
    status: str,
    on_time: bool | None = None,
    repeat: int | None = None,
    days: int = 0,
) -> SafetyHazard:
    h = SafetyHazard(
        code=f"H{n}", place_id=p.id, item_code="F01", item_text="通道", basis="《消防法》", grade=grade, status=status,
        place_type=p.type_code, grid_code=p.grid_code, street_code=p.street_code, district_code=p.district_code,
        found_at=AT + timedelta(days=days), on_time=on_time, closed_at=AT if status == "closed" else None,
        recurrence_of_id=repeat, created_at=AT, updated_at=AT, event_count=0, last_event_hash=GENESIS,
    )  # fmt: skip
    session.add(h)
    session.flush()
    return h


def test_the_rates_by_sql_on_fixed_numbers(session: Session) -> None:
    shop, hotel = place(session, 1, G1), place(session, 2, G2, type_code="small_hotel")
    session.flush()
    first = hazard(session, 1, shop, "general", "closed", on_time=True)
    hazard(session, 2, shop, "general", "closed", on_time=False)
    hazard(session, 3, shop, "general", "rectifying", repeat=first.id)
    hazard(session, 4, hotel, "major", "closed", on_time=True)
    hazard(session, 5, hotel, "major", "awaiting_plan")
    hazard(session, 6, hotel, "general", "rectifying", days=60)  # found in January 2027: not in 2026Q4
    q4 = Period.parse("2026Q4")
    counts = queries.hazard_counts(session, q4, "grade")
    assert counts["general"].found == 3 and counts["major"].found == 2
    by_type = queries.hazard_counts(session, Period.parse("2026-11"), "type")
    shop_rates = rates(by_type["small_shop"])
    assert shop_rates[Measure.RECTIFICATION] == 2 / 3  # 2 of 3 销号
    assert shop_rates[Measure.ON_TIME] == 1 / 2  # 1 of the 2 销号 on time
    assert shop_rates[Measure.RECURRENCE] == 1 / 3
    hotel_rates = rates(by_type["small_hotel"])
    assert hotel_rates[Measure.MAJOR_CLOSED] == 1 / 2 and hotel_rates[Measure.RECTIFICATION] == 1 / 2
    stats = queries.statistics(session, Period.parse("2026-11"), "street")
    assert stats["total"]["found"] == 5 and stats["total"]["closed"] == 3 and stats["total"]["rectification"] == 3 / 5


def test_the_rates_are_offered_to_the_indicator_registry(session: Session) -> None:
    from gridgov.indicator_sources import Level, SourceRequest
    from gridgov.indicators.sources import discover

    found = discover().sources
    assert {f"safety.{m.value}" for m in Measure} <= set(found)
    shop = place(session, 1, G1)
    session.flush()
    hazard(session, 1, shop, "general", "closed", on_time=True)
    hazard(session, 2, shop, "major", "rectifying")
    request = SourceRequest(Period.parse("2026Q4"), Level.DISTRICT, session, AT)
    assert found["safety.rectification"].compute(request) == {G1[:6]: 50.0}
    city = SourceRequest(Period.parse("2026"), Level.CITY, session, AT)
    assert found["safety.major_closed"].compute(city) == {"4101": 0.0}
