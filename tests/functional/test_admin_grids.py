"""Grid versions from the admin API: a file previewed with every problem placed, refused whole, imported,
activated (each on the admin record) and compared with another version."""

from __future__ import annotations

import json
from typing import Any

import shapely.geometry  # type: ignore[import-untyped]
from sqlalchemy import text

from gridgov.accounts.services import add_user, issue_token
from gridgov.admin.audit import verify_admin
from gridgov.geo.services import export_grid_file

from conftest import START, Api, World

BOWTIE = [[113.60, 34.70], [113.61, 34.71], [113.61, 34.70], [113.60, 34.71], [113.60, 34.70]]


def active_file(w: World) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(export_grid_file(w.container.sessions))
    return doc


def broken(w: World) -> tuple[bytes, str, str]:
    """The active version's file with one L3 grid self-intersecting and another naming a wrong parent."""
    doc = active_file(w)
    micro = [f for f in doc["features"] if f["properties"]["level"] == 4]
    micro[0]["geometry"] = {"type": "Polygon", "coordinates": [BOWTIE]}
    micro[1]["properties"]["parent_code"] = micro[1]["properties"]["code"][:9] + "000000"
    return json.dumps(doc).encode(), micro[0]["properties"]["code"], micro[1]["properties"]["code"]


def upload(api: Api, path: str, data: bytes, **form: str) -> Any:
    h = {"Authorization": f"Bearer {api.tokens['admin']}"}
    return api.client.post(path, headers=h, files={"file": ("grids.geojson", data, "application/geo+json")}, data=form)


def active_id(api: Api) -> int:
    return next(v["id"] for v in api.get("admin", "/api/v1/admin/grids/versions").json() if v["active"])


def test_a_broken_file_is_previewed_with_its_problems_placed_and_refused_whole(api: Api, clean: World) -> None:
    data, bowtie, orphan = broken(clean)
    preview = upload(api, "/api/v1/admin/grids/preview", data)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["ok"] is False
    wrong = {p["code"] for p in body["problems"]}
    assert {bowtie, orphan} <= wrong
    drawn = {f["properties"]["code"]: f["properties"]["problems"] for f in body["features"]["features"]}
    assert drawn[bowtie] and drawn[orphan] and len(drawn) == len(active_file(clean)["features"])
    assert any(abs(p["lon"] - 113.605) < 1e-6 and abs(p["lat"] - 34.705) < 1e-6 for p in body["points"])

    before = len(api.get("admin", "/api/v1/admin/grids/versions").json())
    refused = upload(api, "/api/v1/admin/grids", data, name="有问题的版本")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "grid_file_invalid"
    assert len(api.get("admin", "/api/v1/admin/grids/versions").json()) == before  # nothing written


def test_a_valid_file_is_imported_activated_and_compared(api: Api, clean: World) -> None:
    original = active_id(api)
    doc = active_file(clean)
    ok = upload(api, "/api/v1/admin/grids/preview", json.dumps(doc).encode())
    assert ok.json()["ok"] is True and ok.json()["problems"] == []
    made = upload(api, "/api/v1/admin/grids", json.dumps(doc).encode(), name=f"复制-{original}")
    assert made.status_code == 201, made.text
    copy = made.json()["id"]
    same = api.get("admin", "/api/v1/admin/grids/compare", old=original, new=copy).json()
    assert same["counts"] == {"added": 0, "removed": 0, "renamed": 0, "redrawn": 0}

    micro = next(f for f in doc["features"] if f["properties"]["level"] == 4)
    micro["properties"]["name"] = "改名后的网格"
    renamed = upload(api, "/api/v1/admin/grids", json.dumps(doc).encode(), name=f"改名-{original}").json()["id"]
    diff = api.get("admin", "/api/v1/admin/grids/compare", old=original, new=renamed).json()
    assert diff["counts"]["renamed"] == 1 and diff["renamed"][0]["to"] == "改名后的网格"
    assert "features" not in diff  # shapes only when asked

    # two sibling grids that swap their shapes are redrawn: both shapes of each come back for drawing one over
    # the other (shapes=true), and nothing else
    one = micro
    two = next(
        f
        for f in doc["features"]
        if f["properties"]["level"] == 4
        and f["properties"]["parent_code"] == one["properties"]["parent_code"]
        and f is not one
    )
    one["geometry"], two["geometry"] = two["geometry"], one["geometry"]
    swapped = upload(api, "/api/v1/admin/grids", json.dumps(doc).encode(), name=f"改边界-{original}")
    assert swapped.status_code == 201, swapped.text
    drawn = api.get("admin", "/api/v1/admin/grids/compare", old=original, new=swapped.json()["id"], shapes=True).json()
    assert drawn["counts"]["redrawn"] == 2
    shapes = {(f["properties"]["code"], f["properties"]["change"]): f["geometry"] for f in drawn["features"]}
    codes = {one["properties"]["code"], two["properties"]["code"]}
    assert set(shapes) == {(c, k) for c in codes for k in ("before", "after")}
    a, b = one["properties"]["code"], two["properties"]["code"]
    after_a, before_b = (shapely.geometry.shape(shapes[key]) for key in ((a, "after"), (b, "before")))
    assert after_a.equals_exact(before_b, 1e-6)

    try:
        on = api.post("admin", f"/api/v1/admin/grids/{copy}/activate", {})
        assert on.status_code == 200 and on.json()["replaced"] == original
        assert active_id(api) == copy
    finally:
        assert api.post("admin", f"/api/v1/admin/grids/{original}/activate", {}).status_code == 200
    assert active_id(api) == original
    with clean.container.sessions() as s:
        report = verify_admin(s)
    assert report.ok and report.subjects == 4 and report.events == 5, report  # 3 imports, 2 activations


def test_a_district_admin_may_not_change_the_citys_grids(api: Api, clean: World) -> None:
    with clean.container.engine.connect() as conn:
        sql = "SELECT code FROM units WHERE kind = 'district' AND grid_code LIKE :d"
        district_unit = conn.execute(text(sql), {"d": clean.district + "%"}).scalar_one()
    if "gadmin" not in api.tokens:
        add_user(clean.container.uow(), f"gadmin-{clean.district}", "admin", district_unit, START)
        api.tokens["gadmin"] = issue_token(clean.container.uow(), f"gadmin-{clean.district}", START)
    r = api.post("gadmin", f"/api/v1/admin/grids/{active_id(api)}/activate", {})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
