"""重复来电 (issue 17) through HTTP: the caller's phone matched on its keyed hash (a number written differently is
the same caller, the number is never given back in full), the earlier cases within the window, 多次来电 at the
configured count, the 重复件 proposal on the case page, its confirmation as a merge into the earlier case, and the
hotline figures counting the two calls once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from conftest import Api, World

PHONE = "13800001111"


def call(api: Api, w: World, title: str, phone: str = PHONE) -> int:
    body = {"title": title, "grid_code": w.grid, "source": "hotline", "reporter_phone": phone}
    r = api.post("operator", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_the_console_shows_the_callers_earlier_cases_and_flags_many_calls(api: Api, clean: World) -> None:
    w = clean
    first = call(api, w, "小区垃圾清运不及时, 垃圾桶满了没人收")
    with w.container.sessions() as s:
        key = s.execute(text("SELECT caller_key FROM cases WHERE id = :i"), {"i": first}).scalar_one()
    assert key and PHONE not in key and len(key) == 32  # only the keyed hash is matched on

    r = api.post("operator", "/api/v1/hotline/caller", {"phone": "+86 138-0000-1111", "text": "垃圾桶满了一直没人收"})
    assert r.status_code == 200, r.text
    found = r.json()
    assert PHONE not in r.text and found["phone_masked"] == "138****1111"
    assert (found["calls"], found["frequent"], found["proposed"]) == (2, False, first)
    assert [e["case_id"] for e in found["earlier"]] == [first] and found["earlier"][0]["repeat_candidate"]
    other = api.post("operator", "/api/v1/hotline/caller", {"phone": PHONE, "text": "咨询公积金提取"}).json()
    assert other["proposed"] is None  # the same caller, another matter: not a 重复件

    call(api, w, "咨询公积金提取需要什么材料")
    found = api.post("operator", "/api/v1/hotline/caller", {"phone": PHONE, "text": ""}).json()
    assert (found["calls"], found["frequent"]) == (3, True)  # 多次来电: 3 calls in 30 days, this one included
    masked = api.post("leader", "/api/v1/hotline/caller", {"phone": PHONE, "text": ""}).json()
    assert all(e["title"].endswith("…") for e in masked["earlier"])  # a leader sees that they exist, not what
    assert api.post("resident", "/api/v1/hotline/caller", {"phone": PHONE}).status_code == 403
    assert api.post("operator", "/api/v1/hotline/caller", {"phone": "abc"}).status_code == 422
    box = api.client.post(
        "/hotline/caller",
        data={"reporter_phone": PHONE, "title": "垃圾没人收"},
        headers={"Authorization": f"Bearer {w.tokens['operator']}", "HX-Request": "true"},
    )
    assert box.status_code == 200 and "多次来电" in box.text and "疑似重复件" in box.text and PHONE not in box.text

    w.clock.advance(timedelta(days=31))
    later = api.post("operator", "/api/v1/hotline/caller", {"phone": PHONE, "text": "垃圾桶满了"}).json()
    assert (later["calls"], later["earlier"], later["proposed"]) == (1, [], None)  # outside the window


def test_a_confirmed_repeat_is_merged_and_counted_once(api: Api, clean: World) -> None:
    w = clean
    first = call(api, w, "小区垃圾清运不及时, 垃圾桶满了没人收")
    repeat = call(api, w, "又打来: 垃圾桶满了还是没人收垃圾")
    call(api, w, "另一位来电人咨询社保卡", phone="13900002222")
    page = api.get("operator", f"/cases/{repeat}").text
    assert 'id="repeat-form"' in page and f'value="{first}"' in page and "疑似重复件" in page
    assert 'id="repeat-form"' not in api.get("leader", f"/cases/{repeat}").text

    window = {
        "start": (w.clock.now() - timedelta(days=1)).isoformat(),
        "end": (w.clock.now() + timedelta(days=1)).isoformat(),
    }
    assert api.get("operator", "/api/v1/knowledge/figures", **window).json()["received"] == 3
    r = api.client.post(
        f"/cases/{repeat}/repeat",
        data={"into_case_id": str(first)},
        headers={"Authorization": f"Bearer {w.tokens['operator']}", "HX-Request": "true"},
    )
    assert r.status_code == 200, r.text
    case = api.get("operator", f"/api/v1/cases/{repeat}").json()
    assert case["status"] == "merged"
    events = [e["event_type"] for e in api.get("operator", f"/api/v1/cases/{repeat}/events").json()]
    assert events[-1] == "case_merged"
    # the two calls of one matter count once among the hotline's cases received
    assert api.get("operator", "/api/v1/knowledge/figures", **window).json()["received"] == 2
