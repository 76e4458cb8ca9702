"""What the unit metrics count: a summoned department that never reports is late (and can be withdrawn), and a
reopened case keeps its first verdict with its first task."""

from __future__ import annotations

from datetime import timedelta

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


def test_summoned_department_that_never_reports_is_late_and_can_be_withdrawn(api: Api, clean: World) -> None:
    w = clean
    cid = dispatched(api, w)
    api.ok("street", cid, "accept")
    api.ok("street", cid, "whistle", department_codes=[f"{w.district}-cg", f"{w.district}-zj"])
    api.ok("dept-cg", cid, "check_in")
    api.ok("dept-cg", cid, "task_feedback", note="完成")
    api.ok("street", cid, "handle", note="完成")
    assert api.act("street", cid, "verify").json()["error"]["code"] == "tasks_open"
    w.clock.advance(timedelta(hours=2))  # 住建 never came
    r = api.act("other-street", cid, "cancel_task", unit_code=f"{w.district}-zj", reason="未报到")
    assert r.status_code == 404  # outside that street's scope
    api.ok("street", cid, "cancel_task", unit_code=f"{w.district}-zj", reason="未报到，已上报区里")
    assert api.ok("street", cid, "verify")["status"] == "closed"
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
        ("street", "verify", {}),
    ]:
        api.ok(who, cid, action, **params)
    api.ok("resident", cid, "evaluate", resolved=False, satisfaction="unsatisfied")
    for who, action, params in [
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "y"}),
        ("street", "verify", {}),
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
