"""Following a case or an area: a 站内信 at each event of a followed case (written in the event's transaction),
nobody else's personal data, and the daily digest written once per follower per Beijing day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from gridgov.notify.domain import BEIJING
from gridgov.notify.follows import DIGEST_EVENT, send_digests
from gridgov.notify.models import Message
from gridgov.notify.setup import links
from gridgov.worker import digests

from conftest import Api, World


def report(api: Api, w: World) -> int:
    body = {
        "title": "小区门口井盖缺失",
        "source": "web",
        "category_code": "H1802",
        "grid_code": w.grid,
        "reporter_name": "李娜",
        "reporter_phone": "13812340099",
    }
    r = api.post("resident", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def inbox(w: World, who: str) -> list[Message]:
    with w.container.sessions() as s:
        rows = s.scalars(select(Message).where(Message.user_id == w.users[who]).order_by(Message.id))
        return list(rows)


def follow(api: Api, who: str, **body: Any) -> dict[str, Any]:
    r = api.post(who, "/api/v1/follows", body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_followers_of_a_case_or_its_grid_are_told_as_it_happens(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    follow(api, "resident2", case_id=case_id)
    follow(api, "leader", grid_code=w.grid[:9].ljust(15, "0"))  # the street's subtree
    follow(api, "other-street", grid_code=w.other_grid)  # another grid: not told
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    for who in ("resident2", "leader"):
        got = [m for m in inbox(w, who) if m.case_id == case_id]
        assert [m.event_type for m in got] == ["case_registered", "case_dispatched"]
        assert all(m.status == "delivered" and m.channel == "inapp" for m in got)
        for m in got:  # nobody else's personal data: no reporter name or phone, only the public progress link
            assert "李娜" not in m.body and "13812340099" not in m.body and "/track?code=" in m.body
    assert [m for m in inbox(w, "other-street") if m.case_id == case_id] == []
    page = api.get("leader", f"/cases/{case_id}").text
    assert "已关注" not in page and "关注此问题" in page  # the leader follows the grid, not the case
    page = api.get("resident", f"/cases/{case_id}").text
    assert 'data-follow-case="' in page
    my = api.get("resident2", "/my").text
    assert f"问题 #{case_id}" in my and "实时提醒" in my and "取消关注" in my
    listed = api.get("resident2", "/api/v1/follows").json()["items"]
    assert [f["target"] for f in listed] == [f"case:{case_id}"] and listed[0]["mode_label"] == "实时提醒"
    assert api.client.delete(f"/api/v1/follows/{listed[0]['id']}", headers=api._h("resident2")).status_code == 200
    assert api.get("resident2", "/api/v1/follows").json()["items"] == []


def test_the_daily_digest_is_written_once_per_day(api: Api, clean: World) -> None:
    w = clean
    start = w.clock.now()
    follow(api, "resident2", grid_code=w.grid, mode="digest")
    follow(api, "leader", lat=0.0, lon=0.0, radius_m=100, mode="digest")  # far away: nothing to tell
    w.clock.advance(timedelta(minutes=1))
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    assert [m for m in inbox(w, "resident2") if m.case_id == case_id] == []  # digest mode: nothing at once
    w.clock.advance(timedelta(hours=1))
    try:
        the_links = links(w.container.settings)
        early = w.clock.now().astimezone(BEIJING).replace(hour=7)
        assert send_digests(w.container.sessions, the_links, early) == 0  # not before 08:00 Beijing
        assert digests(w.container) == 1  # the worker's hourly job
        assert send_digests(w.container.sessions, the_links, w.clock.now()) == 0  # run twice: one digest
        w.clock.advance(timedelta(minutes=5))
        api.ok("dispatcher", case_id, "dispatch")  # more news the same day: still one digest today
        assert send_digests(w.container.sessions, the_links, w.clock.now()) == 0
        (digest,) = [m for m in inbox(w, "resident2") if m.event_type == DIGEST_EVENT]
        assert "1 件问题有新进展" in digest.subject and "已立案（2 条进展）" in digest.body  # 上报, 立案
        assert "李娜" not in digest.body and "/track?code=" in digest.body
        assert [m for m in inbox(w, "leader") if m.event_type == DIGEST_EVENT] == []
        w.clock.advance(timedelta(days=1))  # the next day: the news since the last digest
        assert send_digests(w.container.sessions, the_links, w.clock.now()) == 1
        days = [m for m in inbox(w, "resident2") if m.event_type == DIGEST_EVENT]
        assert len(days) == 2 and "（1 条进展）" in days[1].body
    finally:
        w.clock.set(start)


def test_a_follow_needs_one_target(api: Api, clean: World) -> None:
    r = api.post("resident2", "/api/v1/follows", {"lat": 34.7, "lon": 113.6})
    assert r.status_code == 422 and r.json()["error"]["code"] == "follow_bad_target"
    assert api.post("resident2", "/api/v1/follows", {"case_id": 999999}).status_code == 404
    assert api.post(None, "/api/v1/follows", {"case_id": 1}).status_code == 401
