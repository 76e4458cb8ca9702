"""Notifications in a real browser: a street office's header shows the unread 站内信 badge on every screen and the
inbox lists the new task; the dispatcher's case page loads the case's messages with the phone masked; the
resident rates the closed case from the SMS's link, without signing in."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from gridgov.notify.models import Message

from conftest import World


def test_badge_inbox_case_messages_and_the_rating_link(browsing, clean: World, live_api) -> None:  # type: ignore[no-untyped-def]
    w, api = clean, live_api
    r = api.post("resident", "/api/v1/cases", {"title": "小区路灯不亮", "description": "3号楼前两盏路灯不亮",
                                              "source": "web", "category_code": "H1802", "grid_code": w.grid,
                                              "reporter_name": "张伟", "reporter_phone": "13812341234"})  # fmt: skip
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")

    street = browsing.page("street")
    street.goto("/inbox")
    expect(street.locator("#notify-badge .badge")).to_have_text("1")
    browsing.shot(street, "notify-badge")
    street.locator("#notify-badge").click()
    expect(street.locator("#notify-inbox")).to_contain_text("新任务：小区路灯不亮")
    browsing.shot(street, "notify-inbox")
    street.goto("/inbox")
    expect(street.locator("#notify-badge .badge")).to_have_count(0)

    dispatcher = browsing.page("dispatcher")
    dispatcher.goto(f"/cases/{case_id}")
    table = dispatcher.locator("#case-messages")
    expect(table).to_contain_text("138****1234")
    expect(table).to_contain_text("待发送")
    assert "13812341234" not in table.inner_text()
    browsing.shot(dispatcher, "notify-case-messages")

    api.ok("street", case_id, "accept")
    api.ok("street", case_id, "handle", note="已更换灯泡", evidence=["photo://a.jpg"])
    api.ok("street", case_id, "verify", note="核查通过")
    with w.container.sessions() as s:
        body = s.scalars(select(Message.body).where(Message.case_id == case_id,
                                                    Message.event_type == "case_verified")).one()  # fmt: skip
    path = "/" + body.split("请评价：", 1)[1].split()[0].split("//", 1)[1].split("/", 1)[1]
    resident = browsing.page(None)
    resident.goto(path)
    resident.get_by_label("已解决").check()
    resident.get_by_label("满意", exact=True).check()
    browsing.shot(resident, "notify-rate")
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator("#rate-thanks")).to_be_visible()
    assert api.get("dispatcher", f"/api/v1/cases/{case_id}").json()["status"] == "evaluated"


def test_a_department_sets_its_number_on_the_inbox_page(browsing, clean: World) -> None:  # type: ignore[no-untyped-def]
    dept = browsing.page("dept-cg", "phone")
    dept.goto("/notify/inbox")
    form = dept.locator("form[data-contact='sms']")
    form.get_by_label("短信号码").fill("139 0000 2222")
    form.get_by_role("button", name="保存").click()
    expect(dept.locator("#my-contacts form[data-contact='sms'] input[name=address]")).to_have_value("13900002222")
    bad = dept.locator("form[data-contact='email']")
    bad.get_by_label("电子邮箱").fill("wang@zz")  # the browser takes it; the server asks for a domain
    bad.get_by_role("button", name="保存").click()
    expect(dept.locator("form[data-contact='email'] .error")).to_contain_text("电子邮箱格式不正确")
    browsing.shot(dept, "notify-contacts")
    dept.reload()
    expect(dept.locator("form[data-contact='sms'] input[name=address]")).to_have_value("13900002222")
    expect(dept.locator("form[data-contact='email'] input[name=address]")).to_have_value("")
