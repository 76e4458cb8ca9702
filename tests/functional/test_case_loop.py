"""The case loop through HTTP alone: report → evaluated with a return, a rework and a whistle."""

from __future__ import annotations

import threading
from datetime import timedelta

from conftest import Api, World


def report(api: Api, world: World, who: str = "resident", **extra: object) -> int:
    body = {
        "title": "楼道里堆满杂物",
        "description": "三楼楼道堆放大量纸箱，堵塞消防通道",
        "source": "web",
        "category_code": "H1802",
        "grid_code": world.grid,
        "reporter_name": "张伟",
        "reporter_phone": "13812341234",
        **extra,
    }
    r = api.post(who, "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_case_goes_from_report_to_evaluated_with_return_rework_and_whistle(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    w.clock.advance(timedelta(minutes=5))
    case = api.ok("operator", case_id, "register")
    assert case["status"] == "registered"

    # dispatch by the responsibility matrix: 楼道堆物 belongs to the grid's street office
    case = api.ok("dispatcher", case_id, "dispatch")
    assert case["status"] == "dispatched" and case["owner_unit"]["code"] == w.street_code
    # the department has no part in the case: outside its scope the case does not exist
    assert api.act("dept-cg", case_id, "accept").status_code == 404

    # the street returns it (wrong unit) and the dispatcher re-dispatches to the 城管 bureau…
    w.clock.advance(timedelta(minutes=20))
    case = api.ok("street", case_id, "return", reason="应由城管处理")
    assert case["status"] == "returned" and case["return_count"] == 1
    case = api.ok("dispatcher", case_id, "dispatch", unit_code=w.street_code)
    assert case["owner_unit"]["code"] == w.street_code  # …but decides the street must lead

    w.clock.advance(timedelta(minutes=30))
    case = api.ok("street", case_id, "accept")
    assert case["status"] == "accepted"

    # the street whistles for two departments; they report (one late) and feed back
    case = api.ok(
        "street",
        case_id,
        "whistle",
        department_codes=[f"{w.district}-cg", f"{w.district}-zj"],
        note="需城管、住建联合处置",
    )
    whistle_tasks = [t for t in case["tasks"] if t["role"] == "whistle"]
    assert len(whistle_tasks) == 2
    w.clock.advance(timedelta(minutes=10))
    api.ok("dept-cg", case_id, "check_in")
    w.clock.advance(timedelta(minutes=40))  # 50 minutes after the whistle: late
    api.ok("dept-zj", case_id, "check_in")
    api.ok("dept-cg", case_id, "task_feedback", note="已清理违规堆放")

    # the street handles; verification cannot close while 住建 has not fed back
    w.clock.advance(timedelta(hours=3))
    case = api.ok("street", case_id, "handle", note="已清理", evidence=["photo://after-1.jpg"])
    assert case["status"] == "handled"
    r = api.act("street", case_id, "verify", note="核查")
    assert r.status_code == 409 and r.json()["error"]["code"] == "tasks_open"

    # the grid worker finds it not done: rework
    case = api.ok("street", case_id, "rework", reason="楼道仍有杂物")
    assert case["status"] == "accepted" and case["rework_count"] == 1
    api.ok("dept-zj", case_id, "task_feedback", note="已拆除违建隔断")
    case = api.ok("street", case_id, "handle", note="全部清理完毕", evidence=["photo://after-2.jpg"])
    case = api.ok("street", case_id, "rate_department", unit_code=f"{w.district}-cg", rating=5)
    case = api.ok("street", case_id, "rate_department", unit_code=f"{w.district}-zj", rating=3, note="报到迟到")
    w.clock.advance(timedelta(hours=1))
    case = api.ok("street", case_id, "verify", note="现场核查通过")
    assert case["status"] == "closed"

    # the resident rates the outcome
    w.clock.advance(timedelta(days=1))
    case = api.ok("resident", case_id, "evaluate", resolved=True, satisfaction="satisfied", comment="很快")
    assert case["status"] == "evaluated" and case["resolved"] is True

    zj = next(t for t in case["tasks"] if t["unit"]["code"] == f"{w.district}-zj")
    cg = next(t for t in case["tasks"] if t["unit"]["code"] == f"{w.district}-cg")
    assert zj["response_late"] is True and cg["response_late"] is False
    assert (zj["rating"], cg["rating"]) == (3, 5)

    events = api.get("dispatcher", f"/api/v1/cases/{case_id}/events").json()
    assert [e["action"] for e in events] == [
        "report_case",
        "register",
        "dispatch",
        "return",
        "dispatch",
        "accept",
        "whistle",
        "check_in",
        "check_in",
        "task_feedback",
        "handle",
        "rework",
        "task_feedback",
        "handle",
        "rate_department",
        "rate_department",
        "verify",
        "evaluate",
    ]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(events, events[1:], strict=False))
    assert events[3]["payload"]["reason"] == "应由城管处理" and events[3]["actor_name"]


def test_invalid_transition_is_409_and_changes_nothing(api: Api, clean: World) -> None:
    case_id = report(api, clean)
    before = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    r = api.act("street", case_id, "verify")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_transition"
    assert "已上报" in r.json()["error"]["message"]
    after = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert after == before
    assert len(api.get("dispatcher", f"/api/v1/cases/{case_id}/events").json()) == 1


def test_wrong_role_is_403_and_unknown_action_is_422(api: Api, clean: World) -> None:
    case_id = report(api, clean)
    r = api.act("resident", case_id, "register")
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = api.act("operator", case_id, "teleport")
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = api.act("operator", case_id, "reject")
    assert r.status_code == 422 and "理由" in r.json()["error"]["message"]
    assert api.get("dispatcher", f"/api/v1/cases/{case_id}").json()["status"] == "reported"


def test_concurrent_actions_exactly_one_wins_the_other_gets_conflict(live_api: Api, clean: World) -> None:
    api = live_api  # a race needs two requests in flight at once: a real socket
    case_id = report(api, clean)
    version = api.get("operator", f"/api/v1/cases/{case_id}").json()["version"]
    results: list[int] = []
    codes: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(action: str, extra: dict[str, object]) -> None:
        barrier.wait()
        r = api.post("operator", f"/api/v1/cases/{case_id}/actions", {"action": action, "version": version, **extra})
        results.append(r.status_code)
        if r.status_code != 200:
            codes.append(r.json()["error"]["code"])

    threads = [
        threading.Thread(target=attempt, args=("register", {})),
        threading.Thread(target=attempt, args=("reject", {"reason": "重复"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert codes == ["conflict"]
    events = api.get("operator", f"/api/v1/cases/{case_id}/events").json()
    assert len(events) == 2


def test_same_idempotency_key_twice_gives_one_case(api: Api, clean: World) -> None:
    body = {"title": "路灯不亮", "grid_code": clean.grid, "category_code": "C0106"}
    first = api.post("resident", "/api/v1/cases", body, headers={"Idempotency-Key": "abc-123"})
    second = api.post("resident", "/api/v1/cases", body, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    other = api.post("resident", "/api/v1/cases", {**body, "title": "别的事"}, headers={"Idempotency-Key": "abc-123"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert api.get("dispatcher", "/api/v1/cases").json()["total"] == 1


def test_concurrent_same_idempotency_key_gives_one_case(live_api: Api, clean: World) -> None:
    api = live_api  # a race needs two requests in flight at once: a real socket
    body = {"title": "井盖缺失", "grid_code": clean.grid, "category_code": "C0102"}
    ids: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        r = api.post("operator", "/api/v1/cases", body, headers={"Idempotency-Key": "race-1"})
        assert r.status_code in (200, 201), r.text
        ids.append(r.json()["id"])

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1
    assert api.get("dispatcher", "/api/v1/cases").json()["total"] == 1


def test_bad_input_gets_a_clear_error_and_creates_nothing(api: Api, clean: World) -> None:
    r = api.post("resident", "/api/v1/cases", {"title": "", "grid_code": clean.grid})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = api.post("resident", "/api/v1/cases", {"title": "x", "grid_code": "999999999999999"})
    assert r.status_code == 422 and "网格不存在" in r.json()["error"]["message"]
    r = api.post("resident", "/api/v1/cases", {"title": "x", "grid_code": clean.grid, "category_code": "ZZZ"})
    assert r.status_code == 422 and "类别不存在" in r.json()["error"]["message"]
    r = api.post("resident", "/api/v1/cases", {"title": "x"})
    assert r.status_code == 422
    r = api.post(None, "/api/v1/cases", {"title": "x", "grid_code": clean.grid})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = api.client.post("/api/v1/cases", json={"title": "x"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert api.get("dispatcher", "/api/v1/cases").json()["total"] == 0


def test_merge_children_follow_the_parent_to_close(api: Api, clean: World) -> None:
    parent = report(api, clean)
    child = report(api, clean, who="resident2")
    case = api.ok("dispatcher", child, "merge", into_case_id=parent)
    assert case["status"] == "merged" and case["parent_case_id"] == parent
    api.ok("operator", parent, "register")
    api.ok("dispatcher", parent, "dispatch")
    api.ok("street", parent, "accept")
    api.ok("street", parent, "handle", note="处理完毕")
    api.ok("dispatcher", parent, "verify")
    child_case = api.get("dispatcher", f"/api/v1/cases/{child}").json()
    assert child_case["status"] == "closed"
    events = api.get("dispatcher", f"/api/v1/cases/{child}/events").json()
    assert events[-1]["action"] == "follow_parent" and events[-1]["actor_role"] == "system"


def test_unsatisfied_within_window_reopens(api: Api, clean: World) -> None:
    case_id = report(api, clean)
    for who, action, params in [
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已处理"}),
        ("street", "verify", {}),
    ]:
        api.ok(who, case_id, action, **params)
    r = api.act("resident2", case_id, "evaluate", resolved=False, satisfaction="unsatisfied")
    assert r.status_code == 404  # another resident cannot even see it
    case = api.ok("resident", case_id, "evaluate", resolved=False, satisfaction="unsatisfied")
    assert case["status"] == "reopened"
    assert case["allowed_actions"] == []  # nothing left for the resident to do; the dispatcher sends it again
    assert "dispatch" in api.get("dispatcher", f"/api/v1/cases/{case_id}").json()["allowed_actions"]
    case = api.ok("dispatcher", case_id, "dispatch", unit_code=f"{clean.district}-cg")
    assert case["status"] == "dispatched"


def test_direct_close_and_postponement_and_suspension(api: Api, clean: World) -> None:
    w = clean
    consult = report(api, w, who="operator", title="咨询养老金领取", category_code="H0501")
    case = api.ok("operator", consult, "direct_close", note="已电话解答")
    assert case["status"] == "closed"

    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    case = api.ok("dispatcher", case_id, "dispatch")
    due = case["handle_due_at"]
    api.ok("street", case_id, "accept")
    api.ok("street", case_id, "request_postpone", amount=2, unit="working_days", reason="需协调物业")
    r = api.act("street", case_id, "request_postpone", amount=2, unit="working_days", reason="再次")
    assert r.status_code == 409
    case = api.ok("dispatcher", case_id, "approve_postpone", note="同意")
    assert case["postponed"] is True and case["handle_due_at"] > due
    case = api.ok("dispatcher", case_id, "suspend", reason="等待法院裁定")
    assert case["status"] == "suspended"
    assert api.act("street", case_id, "handle", note="x").status_code == 409
    w.clock.advance(timedelta(hours=5))
    case = api.ok("dispatcher", case_id, "resume")
    assert case["status"] == "accepted"
