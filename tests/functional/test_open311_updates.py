"""servicerequestupdates (mySociety's extension) through HTTP, in JSON and XML: the feed built from the case events
in windows that exclude and include each update, the statuses of rejections and merges, and POSTed updates —
a comment sent twice is one note, REOPEN reopens a closed case, FIXED is a resolved verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from click.testing import CliRunner

from gridgov.cli import main

from conftest import START, Api, World

FORMATS = ("json", "xml")
H = "H1802"
BASE = "/open311/v2"


def file_request(client: httpx.Client, w: World, who: str = "operator", **fields: Any) -> str:
    form = {"api_key": w.tokens[who], "service_code": H, "grid_code": w.grid, "description": "楼道堆满纸箱", **fields}
    r = client.post(f"{BASE}/requests.json", data=form)
    assert r.status_code == 201, r.text
    return str(r.json()[0]["service_request_id"])


def case_id(api: Api, code: str) -> int:
    items = api.get("operator", "/api/v1/cases", q=code, page_size=200).json()["items"]
    (found,) = [c for c in items if c["tracking_code"] == code]
    return int(found["id"])


def feed(client: httpx.Client, fmt: str, **params: str) -> list[dict[str, Any]]:
    r = client.get(f"{BASE}/servicerequestupdates.{fmt}", params=params)
    assert r.status_code == 200, r.text
    if fmt == "json":
        body: list[dict[str, Any]] = r.json()
        return body
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests_updates"
    return [{c.tag: c.text for c in u} for u in root.findall("request_update")]


def utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"start_date": utc(start), "end_date": utc(end)}


def post_update(client: httpx.Client, w: World, fmt: str, code: str, update_id: str, **fields: Any) -> httpx.Response:
    form = {
        "api_key": w.tokens["operator"],
        "jurisdiction_id": "410100",
        "service_request_id": code,
        "update_id": update_id,
        "updated_datetime": utc(w.clock.now()),
        "status": "OPEN",
        "description": "还没有清理",
        "first_name": "Wei",
        "last_name": "Zhang",
        "email": "wei@example.com",
        **fields,
    }
    return client.post(f"{BASE}/servicerequestupdates.{fmt}", data={k: v for k, v in form.items() if v is not None})


def posted_id(r: httpx.Response, fmt: str) -> str:
    assert r.status_code == 200, r.text
    if fmt == "json":
        return str(r.json()[0]["update_id"])
    root = ET.fromstring(r.content)
    assert root.tag == "service_request_updates"
    return str(root.findtext("request_update/update_id"))


def error_code(r: httpx.Response, fmt: str) -> int:
    if fmt == "json":
        (body,) = r.json()
        assert set(body) == {"code", "description"} and body["description"]
        return int(body["code"])
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and root.findtext("error/description")
    return int(root.findtext("error/code") or 0)


def close_case(api: Api, w: World, cid: int, step: timedelta = timedelta(minutes=10)) -> None:
    for who, action, params in (
        ("operator", "register", {"note": "属实"}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已清理，联系 13812345678"}),
        ("street", "verify", {}),
    ):
        w.clock.advance(step)
        api.ok(who, cid, action, **params)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_feed_follows_the_case_loop_in_windows_that_exclude_and_include_each_update(
    client: httpx.Client, api: Api, clean: World, fmt: str
) -> None:
    w = clean
    code = file_request(client, w)
    cid = case_id(api, code)
    close_case(api, w, cid)  # at START + 10, 20, 30, 40, 50 minutes
    everything = feed(client, fmt, **window(START - timedelta(hours=1), START + timedelta(hours=2)))
    assert [(u["service_request_id"], u["status"], u["external_status_code"]) for u in everything] == [
        (code, "investigating", "registered"),
        (code, "action_scheduled", "dispatched"),
        (code, "in_progress", "accepted"),
        (code, "in_progress", "handled"),
        (code, "fixed", "closed"),
    ]
    ids = [u["update_id"] for u in everything]
    assert len(set(ids)) == 5
    assert everything[0]["description"] == "已立案：属实"
    assert everything[3]["description"] == "已处置：已清理，联系 ***"  # public text, redacted
    for u in everything:
        at = datetime.fromisoformat(str(u["updated_datetime"]))
        assert START < at <= START + timedelta(minutes=50)

    assert feed(client, fmt, **window(START - timedelta(hours=1), START + timedelta(minutes=5))) == []
    for n, update in enumerate(everything, start=1):  # each update alone in a window around its own time
        at = START + timedelta(minutes=10 * n)
        (only,) = feed(client, fmt, **window(at - timedelta(minutes=1), at + timedelta(minutes=1)))
        assert only == update
        assert feed(client, fmt, **window(at + timedelta(seconds=1), at + timedelta(minutes=9))) == []
    # the ids are stable: asked again, in a wider window, the same updates with the same ids
    again = feed(client, fmt, **window(START - timedelta(days=1), START + timedelta(days=1)))
    assert again == everything
    # no dates: the last two hours
    w.clock.set(START + timedelta(hours=2, minutes=25))
    assert [u["update_id"] for u in feed(client, fmt)] == ids[2:]
    # UTC W3CDTF, as FixMyStreet sends it: 01:00Z–01:15Z is 09:00–09:15 in 郑州, the registration alone
    assert feed(client, fmt, start_date="2025-09-26T01:00:00Z", end_date="2025-09-26T01:15:00Z") == everything[:1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_start_and_end_dates_come_together_and_errors_are_in_the_spec_format(
    client: httpx.Client, clean: World, fmt: str
) -> None:
    url = f"{BASE}/servicerequestupdates.{fmt}"
    for params in (
        {"start_date": "2025-09-26T01:00:00Z"},
        {"end_date": "2025-09-26T01:00:00Z"},
        {"start_date": "soon", "end_date": "later"},
        {"start_date": "2025-09-26T02:00:00Z", "end_date": "2025-09-26T01:00:00Z"},
    ):
        r = client.get(url, params=params)
        assert r.status_code == 400 and error_code(r, fmt) == 400
    r = client.get(url, params={"jurisdiction_id": "1100"})
    assert r.status_code == 404 and error_code(r, fmt) == 404
    for path in (f"nothing.{fmt}", f"requests/a/b.{fmt}", f"servicerequestupdate.{fmt}"):
        r = client.get(f"{BASE}/{path}")
        assert r.status_code == 404 and error_code(r, fmt) == 404
        assert r.headers["content-type"].startswith("application/xml" if fmt == "xml" else "application/json")
    r = client.delete(f"{BASE}/requests.{fmt}")
    assert r.status_code == 404 and error_code(r, fmt) == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejections_and_merges_get_their_own_statuses_and_a_rejection_never_reads_as_fixed(
    client: httpx.Client, api: Api, clean: World, fmt: str
) -> None:
    w = clean
    not_ours, repeated, parent, child = (file_request(client, w) for _ in range(4))
    w.clock.advance(timedelta(minutes=1))
    api.ok("operator", case_id(api, not_ours), "reject", reason="不属于本市管辖")
    api.ok("operator", case_id(api, repeated), "reject", reason="信息不全，无法核实")
    api.ok("dispatcher", case_id(api, child), "merge", into_case_id=case_id(api, parent))
    updates = {u["service_request_id"]: u for u in feed(client, fmt, **window(START, START + timedelta(hours=1)))}
    assert updates[not_ours]["status"] == "not_councils_responsibility"
    assert updates[not_ours]["description"] == "不予立案：不属于本市管辖"
    assert updates[repeated]["status"] == "no_further_action"
    assert updates[child]["status"] == "duplicate"
    assert parent not in updates
    # GeoReport's own status stays open/closed, as the spec defines it
    r = client.get(f"{BASE}/requests/{not_ours}.json")
    assert r.json()[0]["status"] == "closed" and r.json()[0]["status_notes"].startswith("不予立案")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_comment_posted_twice_with_the_same_update_id_is_one_note(
    client: httpx.Client, api: Api, clean: World, fmt: str
) -> None:
    w = clean
    code = file_request(client, w)
    cid = case_id(api, code)
    w.clock.advance(timedelta(minutes=5))
    first = posted_id(post_update(client, w, fmt, code, "fms-77", description="又堆上了\r\n电话 13812345678"), fmt)
    w.clock.advance(timedelta(minutes=30))  # the client retries later: the same update, never a second one
    second = posted_id(post_update(client, w, fmt, code, "fms-77", description="又堆上了\r\n电话 13812345678"), fmt)
    assert first == second
    events = api.get("operator", f"/api/v1/cases/{cid}/events").json()
    notes = [e for e in events if e["action"] == "comment"]
    assert len(notes) == 1 and notes[0]["payload"]["comment"] == "又堆上了\n电话 13812345678"
    assert "wei@example.com" not in str(events) and "Zhang" not in str(events)
    (listed,) = feed(client, fmt, **window(START, START + timedelta(hours=1)))
    assert listed["update_id"] == first  # the client sees its own id and does not echo the comment back
    assert listed["status"] == "open" and listed["description"] == "补充说明：又堆上了\n电话 ***"
    assert api.get("operator", f"/api/v1/cases/{cid}").json()["status"] == "reported"  # a comment moves nothing
    other = posted_id(post_update(client, w, fmt, code, "fms-78", status="CLOSED", description="谢谢"), fmt)
    assert other != first


@pytest.mark.parametrize("fmt", FORMATS)
def test_reopen_of_a_closed_case_is_an_unsatisfied_visit_through_the_case_loop(
    client: httpx.Client, api: Api, clean: World, fmt: str, database_url: str
) -> None:
    w = clean
    code = file_request(client, w)
    cid = case_id(api, code)
    close_case(api, w, cid)
    w.clock.advance(timedelta(hours=1))
    reopened_at = w.clock.now()
    update_id = posted_id(post_update(client, w, fmt, code, "fms-1", status="REOPEN", description="没有清理干净"), fmt)
    case = api.get("operator", f"/api/v1/cases/{cid}").json()
    assert case["status"] == "reopened" and case["satisfaction"] == "unsatisfied" and case["resolved"] is False
    around = window(reopened_at - timedelta(minutes=1), reopened_at + timedelta(minutes=1))
    listed = feed(client, fmt, **around)
    assert [(u["update_id"] == update_id, u["status"]) for u in listed] == [(True, "fixed"), (False, "open")]
    assert listed[1]["description"] == "已重启：居民不满意，案件重启"
    assert posted_id(post_update(client, w, fmt, code, "fms-1", status="REOPEN"), fmt) == update_id
    assert len(feed(client, fmt, **around)) == 2  # the resend did not evaluate again
    posted_id(post_update(client, w, fmt, code, "fms-2", status="OPEN", description="补充一张照片的说明"), fmt)
    # every step, the client's note included, is on the case's chain and in the city's log
    result = CliRunner().invoke(main, ["audit", "verify", "--database-url", database_url])
    assert result.exit_code == 0 and "1 个案件, 9 个事件" in result.output, result.output


def test_fixed_from_the_reporter_is_a_resolved_verdict_and_open_cases_only_take_notes(
    client: httpx.Client, api: Api, clean: World
) -> None:
    w = clean
    code = file_request(client, w, email="Wei@Example.com")
    cid = case_id(api, code)
    posted_id(post_update(client, w, "json", code, "a", status="FIXED", description="好了"), "json")
    assert api.get("operator", f"/api/v1/cases/{cid}").json()["status"] == "reported"  # the city still verifies
    close_case(api, w, cid)
    w.clock.advance(timedelta(hours=1))
    someone = post_update(client, w, "json", code, "b", status="FIXED", description="看着好了", email="x@example.com")
    posted_id(someone, "json")  # another FixMyStreet user's word is a note, not the reporter's verdict
    assert api.get("operator", f"/api/v1/cases/{cid}").json()["status"] == "closed"
    posted_id(post_update(client, w, "json", code, "c", status="FIXED", description="已经清理干净了"), "json")
    case = api.get("operator", f"/api/v1/cases/{cid}").json()
    assert case["status"] == "evaluated" and case["resolved"] is True and case["satisfaction"] == "satisfied"


@pytest.mark.parametrize("fmt", FORMATS)
def test_posted_updates_are_refused_in_the_spec_format(client: httpx.Client, api: Api, clean: World, fmt: str) -> None:
    w = clean
    code = file_request(client, w)
    url = f"{BASE}/servicerequestupdates.{fmt}"
    for r, status in (
        (post_update(client, w, fmt, code, "x", api_key=None), 403),
        (post_update(client, w, fmt, code, "x", api_key=w.tokens["leader"]), 403),
        (post_update(client, w, fmt, "20250926-NOPE00", "x"), 404),
        (post_update(client, w, fmt, code, "x", api_key=w.tokens["resident"]), 404),  # not the resident's case
        (post_update(client, w, fmt, code, "x", status="DONE"), 400),
        (post_update(client, w, fmt, code, None), 400),
        (post_update(client, w, fmt, code, "x", description="", status="OPEN"), 400),
        (client.post(url, content=b"<x/>", headers={"content-type": "text/xml"}), 415),
        (client.post(url, content=b"\xff\xfe", headers={"content-type": "application/octet-stream"}), 415),
    ):
        assert r.status_code == status and error_code(r, fmt) == status, r.text
    assert feed(client, fmt, **window(START, START + timedelta(hours=1))) == []
