"""Deadline clocks in the corners: a rework does not repeat escalations, an emergency runs in natural time on a
weekend, a resume moves the tasks' deadlines, and a scan survives a person acting on one of its cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from gridgov.cases.repository import AlarmRow
from gridgov.cases.services import scan_overdue
from gridgov.clock import SHANGHAI
from gridgov.uow import UnitOfWork

from conftest import Api, World


def new_case(api: Api, w: World, who: str = "resident", **extra: object) -> int:
    body = {"title": "楼道堆物", "grid_code": w.grid, "category_code": "H1802", **extra}
    r = api.post(who, "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def dispatched(api: Api, w: World, **extra: object) -> int:
    cid = new_case(api, w, who="operator", **extra)
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch")
    return cid


def scan(w: World, at: datetime) -> tuple[int, int]:
    c = w.container
    r = scan_overdue(c.uow_factory, at, c.calendar, c.policy)
    return r.warned, r.escalated


def test_rework_on_an_overdue_case_does_not_repeat_escalations(api: Api, clean: World) -> None:
    w = clean
    w.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    cid = dispatched(api, w)
    api.ok("street", cid, "accept")
    late = datetime(2025, 10, 20, 9, 0, tzinfo=SHANGHAI)  # past the 7-working-day handling limit
    assert scan(w, late)[1] >= 1
    before = api.get("dispatcher", f"/api/v1/cases/{cid}").json()["escalation_level"]
    w.clock.set(late)
    api.ok("street", cid, "handle", note="已处理")
    api.ok("street", cid, "rework", reason="不到位")
    assert scan(w, late + timedelta(minutes=1)) == (0, 0)
    assert api.get("dispatcher", f"/api/v1/cases/{cid}").json()["escalation_level"] == before


def test_emergency_response_clock_runs_in_natural_time_on_a_weekend(api: Api, clean: World) -> None:
    w = clean
    w.clock.set(datetime(2025, 9, 27, 10, 0, tzinfo=SHANGHAI))  # a Saturday (not a working day)
    cid = dispatched(api, w, urgency="emergency")  # 30 minutes to respond, whatever the calendar
    case = api.get("dispatcher", f"/api/v1/cases/{cid}").json()
    assert datetime.fromisoformat(case["response_due_at"]) == datetime(2025, 9, 27, 10, 30, tzinfo=SHANGHAI)
    assert scan(w, datetime(2025, 9, 27, 10, 25, tzinfo=SHANGHAI)) == (1, 0)  # 80 % = 24 minutes
    assert scan(w, datetime(2025, 9, 27, 10, 31, tzinfo=SHANGHAI)) == (0, 1)
    assert scan(w, datetime(2025, 9, 27, 11, 1, tzinfo=SHANGHAI)) == (0, 1)  # one more period: 30 minutes


def test_resume_moves_the_tasks_response_deadline_too(api: Api, clean: World) -> None:
    w = clean
    w.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    cid = dispatched(api, w)  # response due Sun 09-28 09:00 (make-up working day)
    api.ok("dispatcher", cid, "suspend", reason="等待")
    w.clock.set(datetime(2025, 9, 29, 9, 0, tzinfo=SHANGHAI))
    api.ok("dispatcher", cid, "resume")
    w.clock.set(datetime(2025, 9, 29, 12, 0, tzinfo=SHANGHAI))  # after the old due, before the moved one
    case = api.ok("street", cid, "accept")
    assert case["tasks"][0]["response_late"] is False


def test_scan_survives_a_person_acting_on_one_of_its_cases(api: Api, clean: World, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers, so a scan and a person cannot interleave there")
    w = clean
    w.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    ids = [dispatched(api, w) for _ in range(3)]
    c = w.container
    first = [True]

    class Interleaved(UnitOfWork):
        def __enter__(self) -> UnitOfWork:
            super().__enter__()
            save = self.cases.save_alarm_rows

            def save_after_someone_acted(rows: Sequence[AlarmRow]) -> None:
                if first[0]:  # between the scan's read and its write, someone accepts one of the cases
                    first[0] = False
                    w.clock.set(datetime(2025, 9, 28, 10, 0, tzinfo=SHANGHAI))
                    api.ok("street", ids[1], "accept")
                save(rows)

            self.cases.save_alarm_rows = save_after_someone_acted  # type: ignore[method-assign]
            return self

    def factory() -> UnitOfWork:
        return Interleaved(c.sessions, cache=c.reference)

    report = scan_overdue(factory, datetime(2025, 9, 28, 10, 0, tzinfo=SHANGHAI), c.calendar, c.policy)
    assert report.escalated == 2  # the two untouched cases; the accepted one has a new (handling) clock
    levels = [api.get("dispatcher", f"/api/v1/cases/{i}").json()["escalation_level"] for i in ids]
    assert levels == [1, 0, 1]
