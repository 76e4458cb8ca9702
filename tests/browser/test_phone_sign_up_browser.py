"""Issue 15's first browser test, one test and one browser: a resident signs up with an SMS code (read at the
loopback SMS gateway), reports, gets the 立案 SMS at the gateway, follows its link, and rates the case after the
staff close it through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.notify.channels.sms_http import HttpSmsGateway
from gridgov.notify.domain import Channel, Policy
from gridgov.notify.repository import SqlNotifyUnitOfWork
from gridgov.notify.services import deliver_due
from notify_servers import SmsGateway

from conftest import World, inner_point

PHONE = "13912345601"


@pytest.fixture
def gateway(clean: World) -> Iterator[tuple[SmsGateway, HttpSmsGateway]]:
    with SmsGateway() as gw:
        sender = HttpSmsGateway(f"{gw.url}/sms", auth=SmsGateway.TOKEN, status_url=f"{gw.url}/sms/status")
        senders = clean.container.notify_senders
        before = senders.get(Channel.SMS)
        senders[Channel.SMS] = sender
        try:
            yield gw, sender
        finally:
            senders.pop(Channel.SMS, None)
            if before is not None:
                senders[Channel.SMS] = before
            sender.close()


def texts(gw: SmsGateway) -> list[str]:
    return [str(s["content"]) for s in gw.sends if s["mobile"] == PHONE]


def path_of(sms: str, marker: str) -> str:
    url = sms.split(marker, 1)[1].split()[0]
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def test_a_resident_signs_up_by_sms_reports_is_told_and_rates(browsing, clean: World, live_api, gateway) -> None:  # type: ignore[no-untyped-def]
    w, api = clean, live_api
    gw, sender = gateway
    lat, lon = inner_point(w, w.grid)
    page = browsing.page(None, "phone", geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"])

    page.goto("/login")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#phone-sent")).to_contain_text("139****5601")
    (sms,) = texts(gw)
    code = re.search(r"验证码为 (\d{6})", sms)
    assert code is not None
    browsing.shot(page, "phone-sign-in")
    page.get_by_label("验证码", exact=True).fill(code.group(1))
    page.get_by_role("button", name="提交验证码").click()
    page.wait_for_url("**/my")
    expect(page.locator("#my-follows")).to_contain_text("还没有关注")

    page.goto("/report")
    page.get_by_label("问题概述 (必填)").fill("小区东门路灯不亮")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("#where")).to_contain_text("位置:")
    page.locator("#map").click()
    page.get_by_label("联系电话 (可选, 便于回访)").fill(PHONE)
    page.get_by_role("button", name="提交").click()
    tracking = page.locator("#tracking-code")
    expect(tracking).to_have_text(re.compile(r"^\S+$"))
    code_text = tracking.inner_text()
    with w.container.engine.connect() as conn:
        case_id, reporter, grid = conn.execute(
            text("SELECT id, reporter_user_id, grid_code FROM cases WHERE tracking_code = :t"), {"t": code_text}
        ).one()
    assert reporter is not None and grid is not None  # reported from the new account, located in a grid
    street = "street" if grid.startswith(w.street_code) else "other-street"  # the pin may fall over a border

    def deliver() -> None:
        deliver_due(SqlNotifyUnitOfWork(w.container.uow()), {Channel.SMS: sender}, w.clock.now, Policy())

    api.ok("operator", case_id, "register")
    deliver()
    registered = [t for t in texts(gw) if "/track?code=" in t]
    assert len(registered) == 1 and PHONE not in registered[0]
    page.goto(path_of(registered[0], "http"))
    expect(page.locator("#track-code")).to_have_value(code_text)  # the 查询 form, the code filled in
    browsing.shot(page, "phone-track-link")

    api.ok("dispatcher", case_id, "dispatch", unit_code=grid[:9])
    api.ok(street, case_id, "accept")
    api.ok(street, case_id, "handle", note="已更换灯泡", evidence=["photo://a.jpg"])
    api.ok(street, case_id, "verify", note="核查通过")
    deliver()
    (closed,) = [t for t in texts(gw) if "请评价：" in t]
    page.goto(path_of(closed, "请评价："))
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rate-thanks")).to_be_visible()
    browsing.shot(page, "phone-rated")
    assert api.get("dispatcher", f"/api/v1/cases/{case_id}").json()["status"] == "evaluated"
    assert not browsing.problems and not browsing.outside
