"""The queue's bulk endpoint (POST /api/v1/cases/bulk): each case is done on its own and answered on its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from conftest import Api, World


def report(api: Api, clean: World, title: str, **extra: Any) -> int:
    r = api.post("resident", "/api/v1/cases", {"title": title, "grid_code": clean.grid, **extra})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def state(clean: World, case_id: int) -> tuple[str, str | None, int | None]:
    with clean.container.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.status, u.code, c.parent_case_id FROM cases c LEFT JOIN units u ON u.id = c.owner_unit_id "
                "WHERE c.id = :c"
            ),
            {"c": case_id},
        ).one()
    return row[0], row[1], row[2]


def test_register_and_dispatch_case_by_case(api: Api, clean: World) -> None:
    fresh = report(api, clean, "路灯不亮", category_code="H1802")
    registered = report(api, clean, "井盖破损", category_code="H1802")
    api.ok("operator", registered, "register")
    done = report(api, clean, "护栏损坏", category_code="H1802")
    api.ok("operator", done, "register")
    api.ok("dispatcher", done, "dispatch", unit_code=f"{clean.district}-cg")
    r = api.post(
        "dispatcher",
        "/api/v1/cases/bulk",
        {"case_ids": [fresh, registered, done, 999_999], "action": "register_dispatch"},
    )
    assert r.status_code == 200, r.text
    results = {x["case_id"]: x for x in r.json()}
    assert results[fresh]["ok"] and results[registered]["ok"]
    assert results[done]["ok"] is False and results[done]["error_code"] == "invalid_transition"
    assert results[done]["message"]  # the server's Chinese reason, for the toast
    assert results[999_999] == {
        "case_id": 999_999,
        "ok": False,
        "error_code": "not_found",
        "message": results[999_999]["message"],
    }
    assert state(clean, fresh)[0] == state(clean, registered)[0] == "dispatched"  # the matrix chose the unit
    assert state(clean, done)[:2] == ("dispatched", f"{clean.district}-cg")  # untouched

    to_unit = report(api, clean, "垃圾满溢", category_code="H1802")
    r = api.post(
        "dispatcher",
        "/api/v1/cases/bulk",
        {"case_ids": [to_unit], "action": "register_dispatch", "unit_code": clean.street_code},
    )
    assert r.json() == [{"case_id": to_unit, "ok": True, "error_code": None, "message": None}]
    assert state(clean, to_unit)[:2] == ("dispatched", clean.street_code)


def test_bulk_register_merge_and_refusals(api: Api, clean: World) -> None:
    a, b, c = (report(api, clean, f"同一处积水 {n}", category_code="H1802") for n in "abc")
    r = api.post("dispatcher", "/api/v1/cases/bulk", {"case_ids": [a, b], "action": "register"})
    assert [x["ok"] for x in r.json()] == [True, True] and state(clean, a)[0] == "registered"
    r = api.post("dispatcher", "/api/v1/cases/bulk", {"case_ids": [b, c], "action": "merge", "into_case_id": a})
    assert [x["ok"] for x in r.json()] == [True, True]
    assert state(clean, b) == ("merged", None, a) and state(clean, c)[2] == a

    refused = api.post("resident", "/api/v1/cases/bulk", {"case_ids": [a], "action": "register"}).json()
    assert refused[0]["ok"] is False and refused[0]["error_code"] == "permission_denied"
    for bad in (
        {"case_ids": [], "action": "register"},
        {"case_ids": [a], "action": "evaluate"},
        {"case_ids": [a], "action": "merge"},  # merged into what?
        {"case_ids": [a], "action": "register", "extra": 1},
        {"case_ids": list(range(1, 202)), "action": "register"},
    ):
        r = api.post("dispatcher", "/api/v1/cases/bulk", bad)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", bad
    assert api.post(None, "/api/v1/cases/bulk", {"case_ids": [a], "action": "register"}).status_code == 401
