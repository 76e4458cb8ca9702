"""Open311 intake as FixMyStreet sends it, through HTTP: unique service names, first-level categories as groups,
multipart reports and updates with photos (through gridgov.media's checks), the hidden external_id that makes
a resend the same case, attributes and e-mail kept, CR LF descriptions, and the grid's centroid for a case
without a point."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from gridgov.grids.models import Grid, GridVersion
from gridgov.open311.models import Open311Request

from conftest import Api, World

FORMATS = ("json", "xml")
H = "H1802"
BASE = "/open311/v2"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def created(r: httpx.Response, fmt: str) -> str:
    assert r.status_code == 201, r.text
    if fmt == "json":
        return str(r.json()[0]["service_request_id"])
    return str(ET.fromstring(r.content).findtext("request/service_request_id"))


def fields(w: World, **extra: str) -> dict[str, str]:
    return {"api_key": w.tokens["operator"], "service_code": H, "grid_code": w.grid, "description": "纸箱", **extra}


def case_of(api: Api, code: str) -> dict[str, Any]:
    items = api.get("operator", "/api/v1/cases", q=code, page_size=200).json()["items"]
    (found,) = [c for c in items if c["tracking_code"] == code]
    return dict(api.get("operator", f"/api/v1/cases/{found['id']}").json())


def services(client: httpx.Client, fmt: str) -> list[dict[str, Any]]:
    r = client.get(f"{BASE}/services.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        body: list[dict[str, Any]] = r.json()
        return body
    return [{c.tag: c.text for c in s} for s in ET.fromstring(r.content).findall("service")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_two_services_share_a_name_and_first_levels_are_groups_not_services(
    client: httpx.Client, clean: World, fmt: str
) -> None:
    listed = services(client, fmt)
    names = Counter(s["service_name"] for s in listed)
    assert [n for n, k in names.items() if k > 1] == []
    by_code = {s["service_code"]: s for s in listed}
    for top in ("C03", "E01", "E99", "H15", "H99"):  # first-level categories are the groups
        assert top not in by_code
    assert all(s["service_name"] != s["group"] for s in listed)
    assert by_code["C0301"]["service_name"] == "公共厕所（部件）" and by_code["C0301"]["group"] == "市容环境（部件）"
    assert by_code["H1506"]["service_name"] == "公共厕所（12345热线）"
    assert by_code["E0112"]["group"] == "市容环境（事件）" and by_code["E0112"]["service_name"] == "餐饮油烟（事件）"
    assert by_code["C0101"]["group"] == "公用设施" and by_code[H]["service_name"] == "楼道堆物"  # no clash, as is
    assert {s["group"] for s in listed if s["service_code"].startswith(("E99", "H99"))} == {
        "其他（事件）",
        "其他（12345热线）",
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_multipart_report_and_update_with_photos_go_through_the_photo_checks(
    client: httpx.Client, api: Api, clean: World, fmt: str
) -> None:
    w = clean
    r = client.post(f"{BASE}/requests.{fmt}", data=fields(w), files=[("photo1", ("a.png", png(), "image/png"))])
    code = created(r, fmt)
    case = case_of(api, code)
    photos = api.get("operator", f"/api/v1/cases/{case['id']}/photos").json()
    assert [(p["width"], p["height"], p["uploaded_by_role"]) for p in photos] == [(8, 6, "operator")]

    before = len(api.get("operator", "/api/v1/cases", page_size=200).json()["items"])
    bad = client.post(f"{BASE}/requests.{fmt}", data=fields(w), files=[("photo1", ("a.png", b"GIF89a", "image/png"))])
    assert bad.status_code == 400  # refused by gridgov.media's checks, before any case is filed
    assert len(api.get("operator", "/api/v1/cases", page_size=200).json()["items"]) == before

    update = {"api_key": w.tokens["operator"], "service_request_id": code, "update_id": "u1", "status": "OPEN"}
    r = client.post(
        f"{BASE}/servicerequestupdates.{fmt}",
        data={**update, "description": "又堆上了"},
        files=[("photo1", ("b.png", png(), "image/png"))],
    )
    assert r.status_code == 200, r.text
    assert len(api.get("operator", f"/api/v1/cases/{case['id']}/photos").json()) == 2
    r = client.post(
        f"{BASE}/servicerequestupdates.{fmt}",
        data={**update, "update_id": "u2"},
        files=[("photo1", ("b.png", png()[:40], "image/png"))],  # cut short: it does not decode
    )
    assert r.status_code == 400
    events = api.get("operator", f"/api/v1/cases/{case['id']}/events").json()
    assert [e["payload"].get("open311_update_id") for e in events if e["action"] == "comment"] == ["u1"]


def test_a_resend_with_the_same_external_id_is_the_same_case_and_attributes_and_email_are_kept(
    client: httpx.Client, api: Api, clean: World
) -> None:
    w = clean
    extra = {"attribute[external_id]": "fms-100", "attribute[colour]": "红", "email": "wei@example.com"}
    first = created(client.post(f"{BASE}/requests.json", data=fields(w, **extra)), "json")
    again = created(client.post(f"{BASE}/requests.json", data=fields(w, **extra)), "json")
    changed = created(client.post(f"{BASE}/requests.json", data=fields(w, **extra, description="纸箱更多了")), "json")
    fms = created(
        client.post(f"{BASE}/requests.json", data=fields(w, **{"attribute[fixmystreet_id]": "fms-100"})), "json"
    )
    other = created(
        client.post(f"{BASE}/requests.json", data=fields(w, **{"attribute[external_id]": "fms-101"})), "json"
    )
    assert first == again == changed == fms  # FixMyStreet's own name for the attribute is the same id
    assert other != first
    assert len(api.get("operator", "/api/v1/cases", page_size=200).json()["items"]) == 2
    with w.container.sessions() as s:
        row = s.scalars(select(Open311Request).where(Open311Request.external_id == "fms-100")).one()
        assert row.attributes == {"colour": "红"} and row.email == "wei@example.com"
        assert row.user_id == w.users["operator"]
    listed = client.get(f"{BASE}/requests/{first}.json").text
    assert "wei@example.com" not in listed  # a contact, never public


@pytest.mark.parametrize("fmt", FORMATS)
def test_descriptions_lose_their_cr_and_a_case_without_a_point_gets_its_grids_centroid(
    client: httpx.Client, api: Api, clean: World, fmt: str
) -> None:
    w = clean
    code = created(client.post(f"{BASE}/requests.{fmt}", data=fields(w, description="第一行\r\n第二行\r\n")), fmt)
    assert case_of(api, code)["description"] == "第一行\n第二行"
    (record,) = client.get(f"{BASE}/requests/{code}.json").json()
    lat, lon = float(record["lat"]), float(record["long"])
    assert record["location_approximate"] is True
    with w.container.sessions() as s:
        box = s.execute(
            select(Grid.min_lat, Grid.max_lat, Grid.min_lon, Grid.max_lon)
            .join(GridVersion, GridVersion.id == Grid.version_id)
            .where(Grid.code == w.grid, GridVersion.active.is_(True))
        ).one()
    assert box[0] <= lat <= box[1] and box[2] <= lon <= box[3]
    point = created(client.post(f"{BASE}/requests.{fmt}", data=fields(w, lat=str(lat), long=str(lon))), fmt)
    (exact,) = client.get(f"{BASE}/requests/{point}.json").json()
    assert exact["location_approximate"] is False and exact["lat"] == lat
    xml = ET.fromstring(client.get(f"{BASE}/requests/{code}.xml").content)
    assert xml.findtext("request/location_approximate") == "true" and float(xml.findtext("request/lat") or 0) == lat
