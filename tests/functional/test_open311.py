"""Open311 GeoReport v2 through HTTP on a live server: a PyPI client (georeport) for the calls it has,
httpx + ElementTree for the rest, in JSON and XML; the spec's errors, window, cap and paging; privacy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from georeport import GeoReport

from gridgov.open311 import services as open311_services

from conftest import START, Api, World

FORMATS = ("json", "xml")
H = "H1802"  # 12345 › 城市管理 › 楼道堆物 (any active leaf category would do)


@pytest.fixture
def http(server: str, clean: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server}/open311/v2", timeout=30) as client:
        yield client


@pytest.fixture
def rest(server: str, clean: World) -> Iterator[Api]:
    a = Api(server, clean.tokens)
    yield a
    a.client.close()


def post(http: httpx.Client, w: World, fmt: str = "json", who: str = "operator", **fields: Any) -> httpx.Response:
    form = {"api_key": w.tokens[who], "service_code": H, "grid_code": w.grid, "description": "楼道堆满纸箱", **fields}
    return http.post(f"/requests.{fmt}", data={k: v for k, v in form.items() if v is not None})


def created_id(r: httpx.Response, fmt: str) -> str:
    assert r.status_code == 201, r.text
    if fmt == "json":
        body = r.json()
        assert body[0]["account_id"] is None and body[0]["service_notice"]
        return str(body[0]["service_request_id"])
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/account_id") == "" or root.find("request/account_id") is not None
    return str(root.findtext("request/service_request_id"))


def records(r: httpx.Response, fmt: str) -> list[dict[str, Any]]:
    """GET requests as a list of dicts, whichever the format (XML values are strings, empty → None)."""
    assert r.status_code == 200, r.text
    if fmt == "json":
        assert r.headers["content-type"].startswith("application/json")
        body: list[dict[str, Any]] = r.json()
        return body
    assert r.headers["content-type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in request} for request in root.findall("request")]


def assert_error(r: httpx.Response, fmt: str, code: int) -> str:
    assert r.status_code == code, r.text
    if fmt == "json":
        body = r.json()
        assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
        assert body[0]["code"] == code and body[0]["description"]
        return str(body[0]["description"])
    assert r.headers["content-type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and len(root.findall("error")) == 1
    assert root.findtext("error/code") == str(code)
    description = root.findtext("error/description")
    assert description
    return description


@pytest.mark.parametrize("fmt", FORMATS)
def test_georeport_client_reads_what_the_server_files(http: httpx.Client, server: str, clean: World, fmt: str) -> None:
    w = clean
    client = GeoReport(f"{server}/open311/v2", jurisdiction="4101", output_format=fmt)

    # discovery, POST requests and tokens are not in georeport 0.3.1: httpx (+ ElementTree for XML)
    d = http.get(f"/discovery.{fmt}")
    assert d.status_code == 200
    if fmt == "json":
        endpoint = d.json()["endpoints"][0]
        assert endpoint["url"] == f"{server}/open311/v2" and "application/json" in endpoint["formats"]
    else:
        root = ET.fromstring(d.content)
        assert root.tag == "discovery"
        assert root.findtext("endpoints/endpoint/url") == f"{server}/open311/v2"
        assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]

    service_list = client.get_service_list()
    by_code = {s["service_code"]: s for s in service_list}
    assert len(by_code) > 100
    stairwell = by_code[H]
    assert stairwell["type"] == "realtime" and stairwell["metadata"] in (True, "true")  # the hidden external_id
    assert stairwell["group"] and stairwell["service_name"] in stairwell["description"]
    assert by_code["C0101"]["group"] == "公用设施"
    definition = client.get_service_definition(H)
    assert definition["service_code"] == H
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if isinstance(attributes, dict) else attributes  # xmltodict's nesting
    attributes = [attributes] if isinstance(attributes, dict) else attributes
    assert [(a["code"], a["variable"] in (False, "false"), a["datatype"]) for a in attributes] == [
        ("external_id", True, "string")
    ]

    r = post(http, w, fmt, lat="34.7466", long="113.6253", address_string="金水路1号", first_name="伟", last_name="张")
    sr_id = created_id(r, fmt)
    t = http.get(f"/tokens/{sr_id}.{fmt}")
    assert records(t, fmt) == [{"service_request_id": sr_id, "token": sr_id}]

    listed = client.get_service_requests(service_code=H)
    listed = [listed] if isinstance(listed, dict) else listed  # xmltodict: one element is a dict
    assert [x["service_request_id"] for x in listed] == [sr_id]
    one = client.get_service_request(sr_id)
    assert one["service_request_id"] == sr_id and one["status"] == "open"
    assert one["service_code"] == H and one["service_name"] == "楼道堆物"
    assert one["description"] == "楼道堆满纸箱" and one["address"] == "金水路1号" and one["address_id"] == w.grid
    assert float(one["lat"]) == 34.7466 and float(one["long"]) == 113.6253
    assert one["requested_datetime"] == START.isoformat() == "2025-09-26T09:00:00+08:00"
    assert one["status_notes"] == "已上报"
    assert client.get_service_requests(service_request_id=sr_id, status="closed")  # the id list overrides status


def test_a_request_becomes_a_case_of_the_api_key_user(http: httpx.Client, rest: Api, clean: World) -> None:
    w = clean
    r = http.post(
        "/requests.json",
        json={
            "api_key": w.tokens["resident"],
            "service_code": H,
            "address_string": "金水路1号",
            "description": "三楼楼道堆满纸箱\n堵塞消防通道",
            "first_name": "Wei",
            "last_name": "Zhang",
            "phone": "13812341234",
            "email": "wei@example.com",
            "media_url": "http://example.com/a.jpg",
            "jurisdiction_id": "410100",
        },
    )
    sr_id = created_id(r, "json")
    mine = rest.get("resident", "/api/v1/cases").json()["items"]
    assert [c["tracking_code"] for c in mine] == [sr_id]  # filed as the resident: their own case
    case = rest.get("operator", f"/api/v1/cases/{mine[0]['id']}").json()
    assert case["source"] == "open311" and case["status"] == "reported" and case["category_code"] == H
    assert case["title"] == "三楼楼道堆满纸箱" and case["reporter_name"] == "Wei Zhang"
    assert case["reporter_phone"] == "13812341234"
    assert "wei@example.com" not in rest.get("operator", f"/api/v1/cases/{case['id']}/events").text


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_come_in_the_spec_format_with_the_spec_status(http: httpx.Client, clean: World, fmt: str) -> None:
    w = clean
    assert "api_key" in assert_error(post(http, w, fmt, api_key=None), fmt, 403)
    assert_error(post(http, w, fmt, api_key="ggv_not-a-token"), fmt, 403)
    assert_error(post(http, w, fmt, who="leader"), fmt, 403)  # a read-only role may not file
    assert_error(post(http, w, fmt, service_code=None), fmt, 400)
    assert_error(post(http, w, fmt, service_code="NOPE"), fmt, 400)
    assert_error(post(http, w, fmt, grid_code=None), fmt, 400)  # no location at all
    assert_error(post(http, w, fmt, grid_code=None, lat="34.7"), fmt, 400)
    assert_error(post(http, w, fmt, grid_code="123"), fmt, 400)
    assert_error(post(http, w, fmt, grid_code="999999999999999"), fmt, 400)  # well-formed, no such grid
    assert created_id(post(http, w), "json")  # …and that refusal left the category usable
    assert_error(post(http, w, fmt, grid_code=None, lat="north", long="113.6"), fmt, 400)
    assert_error(post(http, w, fmt, phone="<b>1</b>"), fmt, 400)
    assert_error(post(http, w, fmt, jurisdiction_id="1100"), fmt, 404)
    bad_type = http.post(f"/requests.{fmt}", content=b"x", headers={"content-type": "text/plain"})
    assert_error(bad_type, fmt, 415)  # before any decoding

    assert_error(http.get(f"/services/NOPE.{fmt}"), fmt, 404)
    assert_error(http.get(f"/services/H%00.{fmt}"), fmt, 400)
    assert_error(post(http, w, fmt, service_code="H\x00"), fmt, 400)
    assert_error(http.get(f"/requests/20250926-NOPE00.{fmt}"), fmt, 404)
    assert_error(http.get(f"/tokens/20250926-NOPE00.{fmt}"), fmt, 404)
    for path in ("/services", "/requests", f"/services/{H}"):
        assert_error(http.get(f"{path}.{fmt}", params={"jurisdiction_id": "1100"}), fmt, 404)
        assert http.get(f"{path}.{fmt}", params={"jurisdiction_id": "410100"}).status_code == 200
    for params in (
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2025-06-01T00:00:00+08:00"},  # > 90 days
        {"start_date": "2025-09-02", "end_date": "2025-09-01"},
        {"page": "0"},
        {"page": "99999999999999999999"},
        {"page_size": "many"},
        {"end_date": "0001-01-01"},
        {"service_code": "H\x00"},  # PostgreSQL cannot compare NUL: refused before any query
    ):
        assert_error(http.get(f"/requests.{fmt}", params=params), fmt, 400)
    r = http.get("/services.html")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_window_is_the_last_90_days(http: httpx.Client, clean: World, fmt: str) -> None:
    w = clean
    old = created_id(post(http, w), "json")
    w.clock.advance(timedelta(days=91))
    new = created_id(post(http, w), "json")
    assert [x["service_request_id"] for x in records(http.get(f"/requests.{fmt}"), fmt)] == [new]
    then = records(http.get(f"/requests.{fmt}", params={"start_date": "2025-09-26", "end_date": "2025-09-27"}), fmt)
    assert [x["service_request_id"] for x in then] == [old]
    # only end_date: the 90 days before it; an unencoded "+08:00" (read as a space) still parses
    before = records(http.get(f"/requests.{fmt}?end_date=2025-10-01T00:00:00+08:00"), fmt)
    assert [x["service_request_id"] for x in before] == [old]


def test_the_cap_limits_a_list_and_pages_go_past_it(
    http: httpx.Client, clean: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = clean
    ids = []
    for i in range(5):
        ids.append(created_id(post(http, w), "json"))
        w.clock.advance(timedelta(minutes=1 + i))
    newest_first = ids[::-1]
    monkeypatch.setattr(open311_services, "MAX_REQUESTS", 3)

    def listed(**params: str) -> list[str]:
        return [x["service_request_id"] for x in records(http.get("/requests.json", params=params), "json")]

    assert listed() == newest_first[:3]
    assert listed(page_size="50") == newest_first[:3]  # clamped to the cap
    assert listed(page="2") == newest_first[3:]
    assert listed(page_size="2", page="3") == newest_first[4:]
    assert listed(page="9") == []
    assert listed(service_request_id=",".join(ids[:2])) == newest_first[3:]
    assert_error(http.get("/requests.json", params={"service_request_id": ",".join(ids[:4])}), "json", 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_notes_agency_and_expected_time_follow_the_case(
    http: httpx.Client, rest: Api, clean: World, fmt: str
) -> None:
    w = clean
    rejected, dispatched = created_id(post(http, w), "json"), created_id(post(http, w), "json")
    cases = {c["tracking_code"]: c["id"] for c in rest.get("operator", "/api/v1/cases").json()["items"]}
    rest.ok("operator", cases[rejected], "reject", reason="重复上报")
    rest.ok("operator", cases[dispatched], "register")
    case = rest.ok("dispatcher", cases[dispatched], "dispatch", unit_code=w.street_code)

    closed = records(http.get(f"/requests.{fmt}", params={"status": "closed"}), fmt)
    assert [(x["service_request_id"], x["status"], x["status_notes"]) for x in closed] == [
        (rejected, "closed", "不予立案：重复上报")
    ]
    assert closed[0]["expected_datetime"] is None and closed[0]["agency_responsible"] is None
    (open_,) = records(http.get(f"/requests.{fmt}", params={"status": "open"}), fmt)
    assert open_["service_request_id"] == dispatched and open_["status_notes"] == "已派遣"
    assert open_["agency_responsible"] == case["owner_unit"]["name"]
    due = datetime.fromisoformat(str(open_["expected_datetime"]))
    assert due == datetime.fromisoformat(case["handle_due_at"]) and str(open_["expected_datetime"]).endswith("+08:00")
    both = records(http.get(f"/requests.{fmt}", params={"status": "open,closed", "service_code": f"{H},C0101"}), fmt)
    assert len(both) == 2
    assert records(http.get(f"/requests.{fmt}", params={"service_code": "C0101"}), fmt) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_get_answer_carries_the_reporters_name_or_phone(http: httpx.Client, clean: World, fmt: str) -> None:
    w = clean
    personal = {"first_name": "卫东", "last_name": "欧阳", "phone": "139-8765-4321", "email": "oy@example.cn"}
    sr_id = created_id(post(http, w, **personal), "json")
    answers = [
        http.get(f"/requests.{fmt}"),
        http.get(f"/requests/{sr_id}.{fmt}"),
        http.get(f"/requests.{fmt}", params={"service_request_id": sr_id}),
        http.get(f"/tokens/{sr_id}.{fmt}"),
    ]
    for r in answers:
        assert r.status_code == 200
        for secret in ("欧阳", "卫东", "8765", "4321", "oy@example"):
            assert secret not in r.text
    assert len(records(answers[0], fmt)) == 1


def test_markup_in_a_description_comes_back_escaped_in_xml(http: httpx.Client, clean: World) -> None:
    w = clean
    payload = '<script>alert("x")</script> & <b onmouseover=alert(1)>hi</b>\x07'
    assert_error(post(http, w, "xml", description=payload), "xml", 400)  # a control character is refused
    sr_id = created_id(post(http, w, "xml", description=payload[:-1]), "xml")
    r = http.get(f"/requests/{sr_id}.xml")
    assert "<script>" not in r.text and "<b " not in r.text
    assert "&lt;script&gt;" in r.text and "&amp;" in r.text
    assert ET.fromstring(r.content).findtext("request/description") == payload[:-1]
    assert http.get(f"/requests/{sr_id}.json").json()[0]["description"] == payload[:-1]
