"""The deadline scan through real SQL units of work, committing to savepoints inside the test's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.services import CasePolicy, scan_overdue
from gridgov.uow import UnitOfWork

from factories import AT, make_case, make_unit
from fakes import fixed_calendar


def test_an_overdue_case_is_escalated_once_and_its_event_is_stored(
    session: Session, uow_factory: Callable[[], UnitOfWork]
) -> None:
    district = make_unit(kind="district", code="T410102")
    session.add(district)
    session.flush()
    street = make_unit(kind="street_office", parent_id=district.id)
    session.add(street)
    session.flush()
    case = make_case(
        status="dispatched",
        owner_unit_id=street.id,
        clock_start=AT,
        clock_due=AT + timedelta(hours=2),
        clock_unit="hours",
        next_alarm_at=AT + timedelta(minutes=96),  # 80 % of the two hours
    )
    session.add(case)
    session.commit()
    calendar, policy = fixed_calendar(), CasePolicy()
    late = AT + timedelta(hours=2, minutes=1)
    report = scan_overdue(uow_factory, late, calendar, policy)
    assert (report.scanned, report.warned, report.escalated) == (1, 0, 1)  # past due: red at once, no yellow
    again = scan_overdue(uow_factory, late, calendar, policy)
    assert (again.scanned, again.warned, again.escalated) == (0, 0, 0)
    session.expire_all()
    row = session.get(Case, case.id)
    assert row is not None and row.alarm_level == "red" and row.escalated_to_unit_id == district.id
    actions = session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq))
    assert list(actions) == ["escalate"] and row.event_count == 1 and row.version == 2


def test_a_dry_run_scan_writes_nothing(session: Session, uow_factory: Callable[[], UnitOfWork]) -> None:
    unit = make_unit(kind="street_office")
    session.add(unit)
    session.flush()
    case = make_case(
        status="dispatched",
        owner_unit_id=unit.id,
        clock_start=AT,
        clock_due=AT + timedelta(hours=2),
        clock_unit="hours",
        next_alarm_at=AT + timedelta(minutes=96),
    )
    session.add(case)
    session.commit()
    report = scan_overdue(uow_factory, AT + timedelta(minutes=100), fixed_calendar(), CasePolicy(), dry_run=True)
    assert report.warned == 1
    session.expire_all()
    row = session.get(Case, case.id)
    assert row is not None and row.alarm_level == "none" and row.event_count == 0 and row.version == 1
