"""Role × endpoint matrix: no role reads or writes a case outside its scope (issue 6 §1).

A user sees and acts on the cases in their unit's grid subtree or assigned to their unit; residents see
their own; the leader, admins and the city command centre see the whole city."""

from __future__ import annotations

from conftest import Api, World, inner_point


def test_every_role_sees_and_touches_only_its_scope(api: Api, clean: World) -> None:
    w = clean
    (lat_a, lon_a), (lat_b, lon_b) = inner_point(w, w.grid), inner_point(w, w.other_grid)
    a = api.post(
        "resident",
        "/api/v1/cases",
        {"title": "楼道堆物", "grid_code": w.grid, "category_code": "H1802", "lat": lat_a, "lon": lon_a},
    ).json()["id"]
    b = api.post(
        "operator",
        "/api/v1/cases",
        {"title": "楼道堆物", "grid_code": w.other_grid, "category_code": "H1802", "lat": lat_b, "lon": lon_b},
    ).json()["id"]
    c = api.post("resident2", "/api/v1/cases", {"title": "噪音", "grid_code": w.grid, "category_code": "H1802"}).json()[
        "id"
    ]
    for cid in (a, b):
        api.ok("operator", cid, "register")
        api.ok("dispatcher", cid, "dispatch")
    api.ok("street", a, "accept")
    api.ok("street", a, "whistle", department_codes=[f"{w.district}-cg"])  # gives 城管 a task on A

    everything = {a, b, c}
    expected = {
        "admin": everything,
        "leader": everything,
        "operator": everything,
        "dispatcher": everything,
        "street": {a, c},
        "other-street": {b},
        "community": {a, c},
        "grid-worker": {a, c},
        "other-worker": {b},
        "dept-cg": {a},
        "dept-zj": set(),
        "city-cg": set(),
        "resident": {a},
        "resident2": {c},
    }
    bbox = (
        f"{min(lon_a, lon_b) - 0.05},{min(lat_a, lat_b) - 0.05},{max(lon_a, lon_b) + 0.05},{max(lat_a, lat_b) + 0.05}"
    )
    for who, visible in expected.items():
        listed = {item["id"] for item in api.get(who, "/api/v1/cases", page_size=100).json()["items"]}
        assert listed == visible, (who, listed)
        layer = {f["properties"]["id"] for f in api.get(who, "/api/v1/cases.geojson", bbox=bbox).json()["features"]}
        assert layer == visible & {a, b}, (who, layer)
        near = {n["id"] for n in api.get(who, "/api/v1/cases/near", lat=lat_a, lon=lon_a, radius_m=5000).json()}
        assert near <= visible, (who, near)
        for cid in everything:
            inside = cid in visible
            assert (api.get(who, f"/api/v1/cases/{cid}").status_code == 200) is inside, (who, cid)
            assert (api.get(who, f"/api/v1/cases/{cid}/events").status_code == 200) is inside, (who, cid)
            # a write outside the scope is refused as if the case did not exist, and changes nothing
            r = api.act(who, cid, "register")
            if inside:
                assert r.status_code in (200, 403, 409), (who, cid, r.text)
            else:  # 404 as if it did not exist, or the role's own 403 that says nothing about the case
                assert r.status_code in (403, 404), (who, cid, r.text)
                assert r.status_code == 404 or "角色" in r.json()["error"]["message"], (who, cid, r.text)
        topics = api.get(who, "/api/v1/topics", days=30).json()["topics"]
        assert {c["id"] for t in topics for c in t["cases"]} <= visible, who
    events_a = api.get("admin", f"/api/v1/cases/{a}/events").json()
    assert [e["action"] for e in events_a][-1] == "whistle"  # no refused write left a trace
