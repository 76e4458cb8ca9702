"""Units from the admin API: created, renamed, moved, merged (users and rules follow) and retired, each on the
admin record; a unit with work still open is neither merged nor retired."""

from __future__ import annotations

from typing import Any

from gridgov.admin.audit import verify_admin

from conftest import Api, World


def post(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.post("admin", path, body)


def test_units_are_created_renamed_moved_merged_and_retired_on_the_record(api: Api, clean: World) -> None:
    street, other = clean.street_code, clean.other_grid[:9]
    a = post(
        api,
        "/api/v1/admin/units",
        {
            "code": "t-comm-a",
            "name": "试点社区甲",
            "kind": "community",
            "parent_code": street,
            "grid_code": clean.grid[:12] + "000",
        },
    )
    assert a.status_code == 201, a.text
    b = post(
        api,
        "/api/v1/admin/units",
        {
            "code": "t-comm-b",
            "name": "试点社区乙",
            "kind": "community",
            "parent_code": street,
            "grid_code": clean.grid[:12] + "000",
        },
    )
    assert b.status_code == 201, b.text
    assert (
        post(api, "/api/v1/admin/units", {"code": "t-comm-a", "name": "重复", "kind": "community"}).status_code == 422
    )

    assert post(api, "/api/v1/admin/units/t-comm-a", {"name": "试点社区甲(新)"}).status_code == 200
    assert post(api, "/api/v1/admin/units/t-comm-a", {"parent_code": other}).status_code == 200
    loop = post(api, f"/api/v1/admin/units/{street}", {"parent_code": "t-comm-b"})
    assert loop.status_code == 422  # a street under its own community
    two = post(api, "/api/v1/admin/units/t-comm-a", {"name": "x", "deactivate": True})
    assert two.status_code == 422

    # b gets a user and a rule, then is merged into a: both follow
    user = post(api, "/api/v1/admin/users", {"username": "t-comm-user", "role": "community", "unit_code": "t-comm-b"})
    assert user.status_code == 201, user.text
    h = {"Authorization": f"Bearer {clean.tokens['admin']}"}
    rule = {"category": "E0506", "grid": clean.grid, "target": "unit", "unit_code": "t-comm-b"}
    assert api.client.put("/api/v1/admin/rules", json=rule, headers=h).status_code == 200
    refused = post(api, "/api/v1/admin/units/t-comm-b", {"deactivate": True})
    assert refused.status_code == 422 and "在用用户 1 个" in refused.json()["error"]["message"]
    merged = post(api, "/api/v1/admin/units/t-comm-b", {"into_code": "t-comm-a"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["moved"] == {"users": 1, "rules": 1, "children": 0}
    moved_user = api.get("admin", "/api/v1/admin/users", q="t-comm-user").json()[0]
    assert moved_user["unit"]["code"] == "t-comm-a"
    tester = api.get("admin", "/api/v1/admin/responsible", category="E0506", grid=clean.grid).json()
    assert tester["unit"]["code"] == "t-comm-a"
    picks = {u["code"] for u in api.get("admin", "/api/v1/units", q="试点社区").json()}
    assert picks == {"t-comm-a"}  # the merged unit takes no new work
    again = post(api, "/api/v1/admin/users", {"username": "t-late", "role": "community", "unit_code": "t-comm-b"})
    assert again.status_code == 422

    # a: the rule and the user go, then it can be retired
    api.client.delete("/api/v1/admin/rules", params={"category": "E0506", "grid": clean.grid}, headers=h)
    assert post(api, "/api/v1/admin/users/t-comm-user/deactivate", {}).status_code == 200
    assert post(api, "/api/v1/admin/units/t-comm-a", {"deactivate": True}).status_code == 200
    record = [e["action"] for e in api.get("admin", "/api/v1/admin/units/t-comm-a/record").json()]
    assert record == ["create_unit", "rename_unit", "move_unit", "merge_unit", "deactivate_unit"]
    with clean.container.sessions() as s:
        report = verify_admin(s)
    assert report.ok, report.problems


def test_a_unit_with_open_cases_is_not_merged(api: Api, clean: World) -> None:
    made = api.post("resident", "/api/v1/cases", {"title": "路灯不亮", "grid_code": clean.grid, "source": "web"})
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    api.ok("operator", cid, "register", category_code="E0506")
    api.ok("dispatcher", cid, "dispatch", unit_code=clean.street_code)
    r = post(api, f"/api/v1/admin/units/{clean.street_code}", {"into_code": clean.other_grid[:9]})
    assert r.status_code == 422 and "在办" in r.json()["error"]["message"]
