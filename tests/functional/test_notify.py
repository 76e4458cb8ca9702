"""Notifications through the case loop: written in the event's transaction, delivered to a loopback gateway."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from gridgov.notify.channels.sms_http import HttpSmsGateway
from gridgov.notify.domain import Channel, Policy
from gridgov.notify.models import Message
from gridgov.notify.repository import SqlNotifyUnitOfWork
from gridgov.notify.services import deliver_due, set_contact
from notify_servers import SmsGateway

from conftest import Api, World

PHONE = "13812341234"


def report(api: Api, world: World, **extra: object) -> int:
    body = {
        "title": "楼道里堆满杂物",
        "description": "三楼楼道堆放大量纸箱",
        "source": "web",
        "category_code": "H1802",
        "grid_code": world.grid,
        "reporter_name": "张伟",
        "reporter_phone": PHONE,
        **extra,
    }
    r = api.post("resident", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def messages(world: World, case_id: int) -> list[dict[str, Any]]:
    with world.container.sessions() as s:
        rows = s.scalars(select(Message).where(Message.case_id == case_id).order_by(Message.id))
        return [{c.key: getattr(m, c.key) for c in Message.__table__.columns} for m in rows]


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    with SmsGateway() as gw:
        yield gw


def deliver(world: World, gw: SmsGateway) -> Any:
    sender = HttpSmsGateway(f"{gw.url}/sms", auth=SmsGateway.TOKEN, status_url=f"{gw.url}/sms/status")
    try:
        uow = SqlNotifyUnitOfWork(world.container.uow())
        return deliver_due(uow, {Channel.SMS: sender}, world.clock.now, Policy())
    finally:
        sender.close()


def test_the_resident_is_told_at_each_step_and_the_unit_of_its_task(
    api: Api, clean: World, gateway: SmsGateway
) -> None:
    w = clean
    case_id = report(api, w)
    assert messages(w, case_id) == []  # 上报 tells nobody yet
    api.ok("operator", case_id, "register")
    (registered,) = messages(w, case_id)
    assert registered["event_type"] == "case_registered" and registered["status"] == "queued"
    assert registered["address"] == "case:reporter_phone"  # no copy of the number: read from the case when sent
    assert "/track?code=" in registered["body"]
    assert "张伟" not in registered["body"] and PHONE not in registered["body"]  # nobody's personal data
    api.ok("dispatcher", case_id, "dispatch")
    rows = messages(w, case_id)
    dispatched = [m for m in rows if m["event_type"] == "case_dispatched"]
    resident = [m for m in dispatched if m["channel"] == "sms"]
    staff = [m for m in dispatched if m["channel"] == "inapp"]
    assert len(resident) == 1 and w.street_code not in resident[0]["body"]
    with w.container.engine.connect() as conn:  # the unit's people: other tests may have added some to it
        people = set(
            conn.execute(
                text("SELECT u.id FROM users u JOIN units n ON n.id = u.unit_id WHERE n.code = :c AND u.active"),
                {"c": w.street_code},
            ).scalars()
        )
    assert w.users["street"] in people
    assert staff and {m["user_id"] for m in staff} == people
    assert all(m["status"] == "delivered" for m in staff)  # the inbox is the delivery

    report_ = deliver(w, gateway)
    assert report_.sent == 2
    assert sorted(gateway.accepted) == sorted(m["idempotency_key"] for m in resident + [registered])
    sent = {m["idempotency_key"]: m for m in messages(w, case_id)}
    assert sent[registered["idempotency_key"]]["status"] == "sent"
    assert sent[registered["idempotency_key"]]["gateway_id"].startswith("m")
    assert (
        gateway.sends[0]["mobile"] == PHONE and gateway.sends[0]["idempotency_header"] == registered["idempotency_key"]
    )

    api.ok("street", case_id, "accept")
    api.ok("street", case_id, "handle", note="已清理", evidence=["photo://a.jpg"])
    api.ok("street", case_id, "verify", note="核查通过")
    closed = [m for m in messages(w, case_id) if m["event_type"] == "case_verified"]
    assert len(closed) == 1 and "/notify/rate/" in closed[0]["body"]
    assert deliver(w, gateway).sent == 2  # 处置, 结案
    assert deliver(w, gateway).claimed == 0  # nothing twice


def test_anonymous_reports_tell_nobody(api: Api, clean: World) -> None:
    case_id = report(api, clean, reporter_phone="", reporter_name="")
    api.ok("operator", case_id, "register")
    assert [m for m in messages(clean, case_id) if m["channel"] == "sms"] == []


def test_a_night_sms_waits_for_08_00_and_a_whistle_goes_at_once(api: Api, clean: World, gateway: SmsGateway) -> None:
    w = clean
    case_id = report(api, w)
    night = w.clock.now().replace(hour=23, minute=0)
    w.clock.set(night)
    api.ok("operator", case_id, "register")
    (registered,) = messages(w, case_id)
    morning = (night + timedelta(days=1)).replace(hour=8)
    assert registered["not_before"] == morning
    assert deliver(w, gateway).claimed == 0  # 23:00: it waits

    # the summoned department's people have phones on file: a whistle at night goes at once (报到 in 30 minutes)
    dept = w.users["dept-cg"]
    set_contact(SqlNotifyUnitOfWork(w.container.uow()), f"user:{dept}", Channel.SMS, "13900001111", night)
    api.ok("dispatcher", case_id, "dispatch")
    api.ok("street", case_id, "accept")
    api.ok("street", case_id, "whistle", department_codes=[f"{w.district}-cg"], note="需城管联合处置")
    summoned = [m for m in messages(w, case_id) if m["event_type"] == "whistle_blown"]
    assert {(m["channel"], m["user_id"]) for m in summoned} == {("inapp", dept), ("sms", None)}
    assert all(m["urgent"] and m["not_before"] == w.clock.now() for m in summoned)
    deliver(w, gateway)
    assert [s["mobile"] for s in gateway.sends] == ["13900001111"]  # the resident's 派遣 SMS still waits

    w.clock.set(morning)
    deliver(w, gateway)
    assert [s["mobile"] for s in gateway.sends] == ["13900001111", PHONE, PHONE]


def test_a_gateway_outage_is_retried_with_backoff(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    with SmsGateway(fail_first=2) as gw:
        assert deliver(w, gw).retried == 1
        (m,) = messages(w, case_id)
        assert m["status"] == "queued" and m["attempts"] == 1 and "503" in m["answer"]
        assert deliver(w, gw).claimed == 0  # not before its retry time
        w.clock.advance(timedelta(seconds=35))
        assert deliver(w, gw).retried == 1
        w.clock.advance(timedelta(seconds=70))
        assert deliver(w, gw).sent == 1
        (m,) = messages(w, case_id)
        assert (m["status"], m["attempts"]) == ("sent", 3)
        assert set(gw.keys) == {m["idempotency_key"]}


def test_an_unsubscribed_number_is_told_nothing_more(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    (m,) = messages(w, case_id)
    link = m["body"].split("退订：", 1)[1].strip()
    path = link.split("//", 1)[1].split("/", 1)[1]
    r = api.client.get("/" + path)
    assert r.status_code == 200 and "已退订" in r.text
    api.ok("dispatcher", case_id, "dispatch")
    later = [x for x in messages(w, case_id) if x["event_type"] == "case_dispatched" and x["channel"] == "sms"]
    assert [(x["status"], x["reason"]) for x in later] == [("skipped", "no_consent")]
    bad = api.client.get("/" + path[:-3] + "xyz")
    assert bad.status_code == 400 and "退订链接无效" in bad.text


def test_staff_see_the_unread_badge_on_every_page_and_read_the_inbox(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    for path in ("/inbox", f"/cases/{case_id}", "/track"):
        page = api.get("street", path)
        assert page.status_code == 200 and '<b class="badge">1</b>' in page.text, path
    inbox = api.get("street", "/notify/inbox").text
    assert "新任务：楼道里堆满杂物" in inbox and "未读" in inbox
    after = api.get("street", "/inbox").text  # opened: read
    assert 'id="notify-badge"' in after and 'class="badge"' not in after
    assert 'id="notify-badge"' not in api.get("resident", f"/cases/{case_id}").text  # residents have no inbox


def test_the_case_page_lists_its_messages_masked_for_staff_with_rights(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    assert f'hx-get="/notify/cases/{case_id}/messages"' in api.get("dispatcher", f"/cases/{case_id}").text
    partial = api.get("dispatcher", f"/notify/cases/{case_id}/messages").text
    assert "138****1234" in partial and PHONE not in partial and "待发送" in partial and "短信" in partial
    assert "通知记录" not in api.get("dept-cg", f"/notify/cases/{case_id}/messages").text


def test_the_closure_sms_link_rates_the_case_once_without_an_account(api: Api, clean: World) -> None:
    w = clean
    case_id = report(api, w)
    for who, action, extra in (
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已清理", "evidence": ["photo://a.jpg"]}),
        ("street", "verify", {"note": "核查通过"}),
    ):
        api.ok(who, case_id, action, **extra)
    (closed,) = [m for m in messages(w, case_id) if m["event_type"] == "case_verified"]
    path = "/" + closed["body"].split("请评价：", 1)[1].split()[0].split("//", 1)[1].split("/", 1)[1]
    anonymous = api.client
    anonymous.cookies.clear()
    form = anonymous.get(path)
    assert form.status_code == 200 and "问题解决了吗" in form.text
    r = anonymous.post(path, data={"resolved": "yes", "satisfaction": "satisfied", "comment": "很快"})
    assert r.status_code == 200 and "感谢您的评价" in r.text
    case = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert case["status"] == "evaluated" and case["satisfaction"] == "satisfied"
    again = anonymous.post(path, data={"resolved": "no", "satisfaction": "unsatisfied"})
    assert "只能使用一次" in again.text
    assert api.get("dispatcher", f"/api/v1/cases/{case_id}").json()["satisfaction"] == "satisfied"
    forged = anonymous.get(path[:-4] + "abcd")
    assert forged.status_code == 404 and "评价链接无效" in forged.text


def test_a_gateways_receipt_marks_the_message_delivered(api: Api, clean: World, gateway: SmsGateway) -> None:
    w = clean
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    deliver(w, gateway)
    (m,) = messages(w, case_id)
    settings = w.container.settings
    old = settings.notify_receipt_token
    body = {"requestId": m["idempotency_key"], "status": "delivered", "text": "DELIVRD"}
    try:
        assert api.post(None, "/api/v1/notify/receipts", body).status_code == 401  # no token configured: refused
        settings.notify_receipt_token = "receipt-secret"
        wrong = api.client.post("/api/v1/notify/receipts", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        good = {"Authorization": "Bearer receipt-secret"}
        r = api.client.post("/api/v1/notify/receipts", json=body, headers=good)
        assert r.status_code == 200 and r.json() == {"requestId": m["idempotency_key"], "status": "delivered"}
        (m,) = messages(w, case_id)
        assert (m["status"], m["answer"]) == ("delivered", "DELIVRD") and m["delivered_at"] is not None
        again = api.client.post("/api/v1/notify/receipts", json=body, headers=good)
        assert again.status_code == 409  # delivered is final
        unknown = api.client.post("/api/v1/notify/receipts", json={**body, "requestId": "x" * 32}, headers=good)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "notify_message_not_found"
    finally:
        settings.notify_receipt_token = old


def test_an_erased_reporter_is_not_texted_and_the_outbox_keeps_no_number(
    api: Api, clean: World, gateway: SmsGateway, database_url: str
) -> None:
    from click.testing import CliRunner

    from gridgov.cli import main

    w = clean
    case_id = report(api, w)
    api.ok("operator", case_id, "register")
    assert all(PHONE not in str(v) for m in messages(w, case_id) for v in m.values())
    r = CliRunner().invoke(main, ["pii", "erase", "--phone", PHONE, "--database-url", database_url])
    assert r.exit_code == 0, r.output
    deliver(w, gateway)
    (m,) = messages(w, case_id)
    assert (m["status"], m["recipient_key"]) == ("failed", "phone:erased") and "已删除" in m["answer"]
    assert gateway.sends == []


def test_new_cases_cost_the_outbox_no_query_and_a_registration_still_writes_its_message(api: Api, clean: World) -> None:
    from sqlalchemy import event

    w = clean
    seen: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(w.container.engine, "before_cursor_execute", watch)
    try:
        case_id = report(api, w)  # no rule names case_reported: the outbox reads nothing back
        reported = [s for s in seen if "FROM case_events" in s]
        seen.clear()
        api.ok("operator", case_id, "register")  # case_registered is named: read and written as before
        registered = [s for s in seen if "FROM case_events" in s]
    finally:
        event.remove(w.container.engine, "before_cursor_execute", watch)
    assert reported == []
    assert registered and [m["event_type"] for m in messages(w, case_id)] == ["case_registered"]
