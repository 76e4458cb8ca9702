"""The admin API (/api/v1/admin): users made, changed and stopped by an admin, each change on the admin record
(a hash chain per user and a leaf of the city's log), a district admin kept to the district, and the
responsibility tester."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from gridgov.accounts.services import issue_token
from gridgov.admin.audit import verify_admin

from conftest import START, Api, World

PASSWORD = "first-pass-2026"


def _one(w: World, sql: str, **params: Any) -> Any:
    with w.container.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def _login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    client.cookies.clear()
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    client.cookies.clear()
    return r


def test_an_admin_creates_a_user_who_signs_in_until_deactivated(api: Api, clean: World) -> None:
    made = api.post(
        "admin",
        "/api/v1/admin/users",
        {
            "username": "gw-new1",
            "display_name": "新网格员",
            "role": "grid_worker",
            "unit_code": clean.grid[:12],
            "password": PASSWORD,
            "grids": [clean.grid],
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["password"] is None  # the admin typed it: nothing to show
    assert _login(api.client, "gw-new1", PASSWORD).status_code == 200
    token = issue_token(clean.container.uow(), "gw-new1", START)
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["grids"] == [clean.grid]

    tokens = api.get("admin", "/api/v1/admin/users/gw-new1/tokens").json()
    assert {t["kind"] for t in tokens} == {"session", "api"} and all("token_hash" not in t for t in tokens)
    stopped = api.post("admin", "/api/v1/admin/users/gw-new1/deactivate", {})
    assert stopped.status_code == 200 and stopped.json()["tokens_revoked"] == 2
    assert api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(api.client, "gw-new1", PASSWORD).status_code == 401
    again = api.post("admin", "/api/v1/admin/users/gw-new1/deactivate", {})
    assert again.status_code == 422

    record = api.get("admin", "/api/v1/admin/users/gw-new1/record").json()
    assert [e["action"] for e in record] == ["create_user", "deactivate"]
    assert record[0]["payload"]["grids"] == [clean.grid] and record[1]["payload"]["tokens_revoked"] == 2
    with clean.container.sessions() as s:
        report = verify_admin(s)
    assert report.ok and report.events == 2 and report.leaves == 2, report.problems


def test_role_unit_grids_password_and_tokens_change_on_the_record(api: Api, clean: World) -> None:
    r = api.post("admin", "/api/v1/admin/users", {"username": "staff-a", "role": "resident"})
    assert r.status_code == 201, r.text
    first = r.json()["password"]
    assert first and len(first) >= 10 and _login(api.client, "staff-a", first).status_code == 200
    changed = api.client.patch(
        "/api/v1/admin/users/staff-a",
        json={"role": "street", "unit_code": clean.street_code},
        headers={"Authorization": f"Bearer {clean.tokens['admin']}"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "street" and changed.json()["unit"]["code"] == clean.street_code
    wrong = api.client.patch(
        "/api/v1/admin/users/staff-a",
        json={"role": "department"},  # a street office is no department's unit
        headers={"Authorization": f"Bearer {clean.tokens['admin']}"},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "validation_error"

    reset = api.post("admin", "/api/v1/admin/users/staff-a/password", {})
    new = reset.json()["password"]
    assert new != first and _login(api.client, "staff-a", first).status_code == 401
    assert _login(api.client, "staff-a", new).status_code == 200
    session = next(t for t in api.get("admin", "/api/v1/admin/users/staff-a/tokens").json() if not t["revoked_at"])
    revoked = api.post("admin", f"/api/v1/admin/users/staff-a/tokens/{session['id']}/revoke", {})
    assert revoked.status_code == 200
    assert api.post("admin", f"/api/v1/admin/users/staff-a/tokens/{session['id']}/revoke", {}).status_code == 422
    assert api.post("admin", "/api/v1/admin/users/staff-a/unlock", {}).status_code == 200

    record = api.get("admin", "/api/v1/admin/users/staff-a/record").json()
    assert [e["action"] for e in record] == ["create_user", "change_user", "reset_password", "revoke_token", "unlock"]
    assert record[1]["payload"]["changed"]["role"] == {"from": "resident", "to": "street"}
    assert record[2]["payload"]["sessions_ended"] == 1  # the session made with the first password
    assert new not in str(record) and first not in str(record)  # no password is ever written on the record


def test_a_district_admin_manages_only_the_district(api: Api, clean: World) -> None:
    district_unit = _one(
        clean, "SELECT code FROM units WHERE kind = 'district' AND grid_code LIKE :d", d=clean.district + "%"
    )
    r = api.post("admin", "/api/v1/admin/users", {"username": "dadmin", "role": "admin", "unit_code": district_unit})
    assert r.status_code == 201, r.text
    token = issue_token(clean.container.uow(), "dadmin", START)
    api.tokens["dadmin"] = token
    names = {u["username"] for u in api.get("dadmin", "/api/v1/admin/users", q="").json()}
    assert "street" in names and "community" in names
    assert "operator" not in names  # a city unit's user is the city's admin's
    refused = api.post("dadmin", "/api/v1/admin/users/operator/deactivate", {})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    no_leader = api.post("dadmin", "/api/v1/admin/users", {"username": "d-leader", "role": "leader"})
    assert no_leader.status_code == 403
    outside = api.post("dadmin", "/api/v1/admin/users", {"username": "d-out", "role": "city", "unit_code": "4101"})
    assert outside.status_code in (403, 422)
    inside = api.post(
        "dadmin", "/api/v1/admin/users", {"username": "d-street", "role": "street", "unit_code": clean.street_code}
    )
    assert inside.status_code == 201, inside.text
    assert api.get("street", "/api/v1/admin/users").status_code == 403  # not an admin at all


def test_the_tester_says_who_would_get_a_case(api: Api, clean: World) -> None:
    r = api.get("admin", "/api/v1/admin/responsible", category="E0506", grid=clean.grid)
    assert r.status_code == 200, r.text
    answer = r.json()
    direct = api.get("admin", "/api/v1/units/responsible", category="E0506", grid=clean.grid).json()
    assert answer["unit"]["code"] == direct["code"] and answer["message"].startswith("将派给")
    assert answer["rules"]  # the rules weighed, most specific first
    bad = api.get("admin", "/api/v1/admin/responsible", category="E0506", grid="12")
    assert bad.status_code == 422


def test_a_rewritten_admin_event_is_found(api: Api, clean: World) -> None:
    assert api.post("admin", "/api/v1/admin/users", {"username": "tamper-a", "role": "resident"}).status_code == 201
    with clean.container.engine.begin() as conn:
        conn.execute(text("UPDATE admin_events SET payload = :p"), {"p": '{"username": "someone-else"}'})
    with clean.container.sessions() as s:
        report = verify_admin(s)
    assert not report.ok and report.problems[0].seq == 1, report.problems
