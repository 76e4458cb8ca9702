"""Behaviours found missing in review: each one a rule of the case loop."""

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


@pytest.mark.parametrize("close", ["direct_close", "reject"])
def test_merged_children_follow_a_parent_closed_any_way(api: Api, clean: World, close: str) -> None:
    parent = new_case(api, clean, who="operator", category_code="H1901", title="咨询")
    child = new_case(api, clean, who="operator", category_code="H1901", title="同一咨询")
    api.ok("dispatcher", child, "merge", into_case_id=parent)
    api.ok("operator", parent, close, note="已答复", reason="重复")
    assert api.get("dispatcher", f"/api/v1/cases/{child}").json()["status"] == "closed"
    last = api.get("dispatcher", f"/api/v1/cases/{child}/events").json()[-1]
    assert last["action"] == "follow_parent" and last["payload"]["parent_status"] in ("closed", "rejected")


def test_merging_a_parent_moves_its_children_on_the_record(api: Api, clean: World) -> None:
    a, b, c = (new_case(api, clean) for _ in range(3))
    api.ok("dispatcher", c, "merge", into_case_id=b)
    api.ok("dispatcher", b, "merge", into_case_id=a)
    child = api.get("dispatcher", f"/api/v1/cases/{c}").json()
    assert child["parent_case_id"] == a
    last = api.get("dispatcher", f"/api/v1/cases/{c}/events").json()[-1]
    assert last["action"] == "merge" and last["payload"]["via_case_id"] == b and last["actor_role"] == "system"


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
    api.ok("grid-worker", cid, "rework", reason="不到位")
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


def test_handler_acting_in_the_wrong_state_gets_invalid_transition(api: Api, clean: World) -> None:
    cid = new_case(api, clean)
    r = api.act("street", cid, "accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    cid = dispatched(api, clean)
    api.ok("street", cid, "accept")
    r = api.act("street", cid, "accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"


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


def test_bad_values_are_422_not_500(api: Api, clean: World) -> None:
    body = {"title": "x", "grid_code": clean.grid}
    r = api.post("resident", "/api/v1/cases", body, headers={"Idempotency-Key": "k" * 101})
    assert r.status_code == 422
    r = api.post("resident", "/api/v1/cases", {**body, "description": "a\x00b"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    cid = dispatched(api, clean)
    api.ok("street", cid, "accept")
    r = api.act("street", cid, "handle", note="a\x00b")
    assert r.status_code == 422
    r = api.act("street", cid, "request_postpone", amount=10**9, unit="hours", reason="久")
    assert r.status_code == 422
    r = api.act("street", cid, "request_postpone", amount=5000, unit="hours", reason="久")
    assert r.status_code == 422 and "延期不能超过" in r.json()["error"]["message"]
    assert api.get("dispatcher", f"/api/v1/cases/{cid}").json()["status"] == "accepted"


def test_summoned_department_that_never_reports_is_late_and_can_be_withdrawn(api: Api, clean: World) -> None:
    w = clean
    cid = dispatched(api, w)
    api.ok("street", cid, "accept")
    api.ok("street", cid, "whistle", department_codes=[f"{w.district}-cg", f"{w.district}-zj"])
    api.ok("dept-cg", cid, "check_in")
    api.ok("dept-cg", cid, "task_feedback", note="完成")
    api.ok("street", cid, "handle", note="完成")
    assert api.act("grid-worker", cid, "verify").json()["error"]["code"] == "tasks_open"
    w.clock.advance(timedelta(hours=2))  # 住建 never came
    r = api.act("other-street", cid, "cancel_task", unit_code=f"{w.district}-zj", reason="未报到")
    assert r.status_code == 404  # outside that street's scope
    api.ok("street", cid, "cancel_task", unit_code=f"{w.district}-zj", reason="未报到，已上报区里")
    assert api.ok("grid-worker", cid, "verify")["status"] == "closed"
    month = api.get("leader", "/api/v1/metrics/units", month="2025-09").json()["units"]
    zj = next(u for u in month if u["unit_code"] == f"{w.district}-zj")
    cg = next(u for u in month if u["unit_code"] == f"{w.district}-cg")
    assert zj["whistle_late_rate"] == 1.0 and zj["response_rate"] == 0.0
    assert cg["whistle_late_rate"] == 0.0


def test_reopened_case_keeps_the_first_verdict_with_the_first_task(api: Api, clean: World) -> None:
    w = clean
    cid = new_case(api, w)
    for who, action, params in [
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "x"}),
        ("grid-worker", "verify", {}),
    ]:
        api.ok(who, cid, action, **params)
    api.ok("resident", cid, "evaluate", resolved=False, satisfaction="unsatisfied")
    for who, action, params in [
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "y"}),
        ("grid-worker", "verify", {}),
    ]:
        api.ok(who, cid, action, **params)
    api.ok("resident", cid, "evaluate", resolved=True, satisfaction="satisfied")
    street = next(
        u
        for u in api.get("leader", "/api/v1/metrics/units", month="2025-09").json()["units"]
        if u["unit_code"] == w.street_code
    )
    assert street["counts"]["evaluated"] == 2 and street["counts"]["resolved"] == 1
    assert street["resolution_rate"] == 0.5 and street["satisfaction_rate"] == 0.5


def test_direct_close_is_only_for_consultations(api: Api, clean: World) -> None:
    cid = new_case(api, clean, who="operator", category_code="C0106")  # 数字城管 部件
    r = api.act("operator", cid, "direct_close", note="x")
    assert r.status_code == 409 and "须派遣" in r.json()["error"]["message"]
    cid = new_case(api, clean, who="operator", category_code="H1901", urgency="urgent")
    assert api.act("operator", cid, "direct_close", note="x").status_code == 409


def test_scope_of_street_and_grid_worker(api: Api, clean: World) -> None:
    cid = dispatched(api, clean)
    api.ok("street", cid, "accept")
    r = api.act("other-street", cid, "whistle", department_codes=[f"{clean.district}-cg"])
    assert r.status_code == 404  # another street's case is outside its scope
    api.ok("street", cid, "handle", note="x")
    r = api.act("other-worker", cid, "verify")
    assert r.status_code == 404
    r = api.act("community", cid, "verify")  # in scope (its own community), but not a verifying role
    assert r.status_code == 403
    assert api.ok("grid-worker", cid, "verify")["status"] == "closed"


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
