"""Which action is refused and how: a wrong state is invalid_transition, bad values are 422 (never 500), direct
close is for consultations only, and a street or a grid worker acts only inside its scope."""

from __future__ import annotations

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


def test_handler_acting_in_the_wrong_state_gets_invalid_transition(api: Api, clean: World) -> None:
    cid = new_case(api, clean)
    r = api.act("street", cid, "accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    cid = dispatched(api, clean)
    api.ok("street", cid, "accept")
    r = api.act("street", cid, "accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"


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
    r = api.act(
        "community", cid, "verify"
    )  # in scope (its own community), but a 12345 matter is the street's to verify
    assert r.status_code == 403
    assert api.act("grid-worker", cid, "verify").status_code == 403  # likewise: grid workers verify 部件/事件
    assert api.ok("street", cid, "verify")["status"] == "closed"
