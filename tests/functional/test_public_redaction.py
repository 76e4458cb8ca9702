"""Public outputs carry no personal data (issue 12, finding 5): Open311 records in JSON and XML, the public
suggestion page, and the duplicate hints a resident sees. The stored text stays whole for staff."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from gridgov.redact import id_check_digit

from conftest import Api, World

ID_NUMBER = "41010519900307123" + id_check_digit("41010519900307123")
SECRETS = ("王小明", "13912345678", ID_NUMBER, "wxm@example.com", "0371-67123456")
TEXT = f"我叫王小明 电话 13912345678，身份证{ID_NUMBER}，邮箱 wxm@example.com，座机0371-67123456。楼道堆满纸箱"


def _report(api: Api, w: World, who: str, title: str, description: str) -> dict[str, Any]:
    r = api.post(who, "/api/v1/cases", {"title": title, "description": description, "grid_code": w.grid})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_open311_records_are_redacted_in_json_and_xml_and_staff_see_the_whole_text(api: Api, clean: World) -> None:
    case = _report(api, clean, "resident", "楼道堆物", TEXT)
    code = case["tracking_code"]
    for path in (f"/open311/v2/requests/{code}.json", "/open311/v2/requests.json"):
        r = api.get(None, path)  # no token: the public
        assert r.status_code == 200, r.text
        assert not _leaks(r.text), path
        record = next(x for x in r.json() if x["service_request_id"] == code)
        assert record["description"].startswith("我叫*** 电话 ***，身份证***，邮箱 ***，座机***。")
        assert record["description"].endswith("楼道堆满纸箱")
    for path in (f"/open311/v2/requests/{code}.xml", "/open311/v2/requests.xml"):
        r = api.get(None, path)
        assert r.status_code == 200 and not _leaks(r.text), path
        descriptions = [e.text or "" for e in ET.fromstring(r.content).iter("description")]
        assert any(d.endswith("楼道堆满纸箱") and "***" in d for d in descriptions)
    whole = api.get("operator", f"/api/v1/cases/{case['id']}").json()
    assert whole["description"] == TEXT


def test_open311_status_notes_are_redacted(api: Api, clean: World) -> None:
    case = _report(api, clean, "resident", "楼道堆物", "楼道堆满纸箱")
    api.ok("operator", case["id"], "reject", reason="已电话联系王先生13912345678，非本平台受理范围")
    record = api.get(None, f"/open311/v2/requests/{case['tracking_code']}.json").json()[0]
    assert "13912345678" not in record["status_notes"] and "***" in record["status_notes"]


def test_public_suggestion_page_redacts_title_and_reply(api: Api, clean: World) -> None:
    from datetime import datetime

    from gridgov.clock import SHANGHAI

    clean.clock.set(datetime(2024, 2, 10, 10, 0, tzinfo=SHANGHAI))
    body = {
        "slug": "redact-2024",
        "title": "便民建议征集",
        "organiser": "改革办",
        "opens_on": "2024-02-01",
        "closes_on": "2024-02-29",
    }
    assert api.post("admin", "/api/v1/campaigns", body).status_code == 201
    r = api.post(
        None,
        "/api/v1/campaigns/redact-2024/suggestions",
        {"title": "我叫王小明的建议", "content": "建议公交站台加装遮雨棚，电话13912345678", "phone": "13912345678"},
    )
    assert r.status_code == 201, r.text
    sid, ref = r.json()["id"], r.json()["ref"]
    reply = "王小明您好（电话13912345678，邮箱 wxm@example.com），联系人：李四，已列入改造计划。"
    assert api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/reply", {"reply": reply}).status_code == 200
    page = api.client.get(f"/campaigns/redact-2024/s/{ref}")
    assert page.status_code == 200
    assert "13912345678" not in page.text and "wxm@example.com" not in page.text and "李四" not in page.text
    assert "已列入改造计划" in page.text and "我叫***的建议" in page.text
    staff = api.get("operator", f"/api/v1/campaigns/suggestions/{sid}").json()
    assert staff["reply"] == reply and staff["content"].endswith("13912345678")


def test_a_duplicate_hint_never_shows_a_resident_another_residents_case(api: Api, clean: World) -> None:
    first = _report(api, clean, "resident", "小区门口井盖丢失", "幸福路小区东门井盖丢了，晚上很危险")
    second = _report(api, clean, "resident2", "东门井盖丢了", "幸福路小区东门的井盖丢失，有人差点掉下去")
    mine = api.get("resident2", f"/api/v1/cases/{second['id']}")
    assert mine.status_code == 200
    seen = mine.json()
    assert seen["duplicate_candidates"] is None and seen["duplicate_notice"] == "附近已有类似问题正在处理"
    assert first["tracking_code"] not in mine.text and f'"case_id":{first["id"]}' not in mine.text.replace(" ", "")
    events = api.get("resident2", f"/api/v1/cases/{second['id']}/events").text
    assert first["tracking_code"] not in events
    staff = api.get("dispatcher", f"/api/v1/cases/{second['id']}").json()
    hints = staff["duplicate_candidates"]
    assert hints and hints[0]["case_id"] == first["id"] and hints[0]["tracking_code"] == first["tracking_code"]
