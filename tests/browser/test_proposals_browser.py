"""建议提案 in a real browser, the main path through the pages' own forms: the office assigns an item, the lead
unit finds it in its inbox, records the 办前面商 and answers it with class B and a promise, the deputy finds it in
"my items" and rates it, and it is followed up; the report page shows the batch's rates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.accounts.services import add_user, issue_token, set_password

from conftest import Api, World

PASSWORD = "browser-pass-2025"  # tests/browser/conftest.py's


@pytest.fixture
def item(api: Api, clean: World) -> Iterator[int]:
    w = clean
    for name, role in (("deputy", "deputy"), ("office", "proposal_office")):
        with w.container.sessions() as s:
            exists = s.execute(text("SELECT id FROM users WHERE username = :u"), {"u": name}).first()
        if exists is None:
            add_user(w.container.uow(), name, role, None, w.clock.now())
        set_password(w.container.uow(), name, PASSWORD)
        api.tokens[name] = issue_token(w.container.uow(), name, w.clock.now())
    for path, body in (
        ("/api/v1/proposals/batches", {"code": "S16-3", "name": "市政协十六届三次会议", "held_on": "2025-09-20"}),
        ("/api/v1/proposals/members", {"body": "cppcc", "name": "王委员", "username": "deputy"}),
    ):
        assert api.post("office", path, body).status_code == 201
    r = api.post(
        "office",
        "/api/v1/proposals",
        {"batch": "S16-3", "number": "0123", "kind": "proposal", "title": "关于加快老旧小区燃气管道改造的提案",
         "body": "部分老旧小区燃气管道老化。", "authors": ["王委员", "赵委员"], "focus": True,
         "focus_leader": "张副市长"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    yield int(r.json()["id"])


def test_assign_answer_and_rate_through_the_pages(browsing: Any, item: int, clean: World) -> None:
    w = clean
    office = browsing.page("office", "desktop")
    office.goto(f"/proposals/{item}")
    expect(office.locator("#pp-status")).to_have_text("待交办")
    form = office.locator("form[data-action='assign']")
    form.locator("input[name='lead_unit']").fill(f"{w.district}-cg")
    form.locator("input[name='co_units']").fill(f"{w.district}-sthj")
    form.get_by_role("button", name="交办").click()
    expect(office.locator("#pp-status")).to_have_text("办理中")
    expect(office.locator("#pp-contact-by")).to_have_text("2025-10-23")  # 15 working days across National Day
    expect(office.locator("form[data-action='assign']")).to_have_count(0)
    browsing.shot(office, "proposal-assigned")

    unit = browsing.page("dept-cg", "desktop")
    unit.goto("/proposals")
    expect(unit.locator("h1")).to_have_text("承办件 · 待办")
    unit.get_by_role("link", name="关于加快老旧小区燃气管道改造的提案").click()
    contact = unit.locator("form[data-action='record_contact']")
    contact.locator("select[name='method']").select_option("meeting")
    contact.locator("input[name='note']").fill("与王委员当面座谈")
    contact.get_by_role("button", name="记录").click()
    expect(unit.locator("#pp-contacts")).to_contain_text("当面座谈")
    answer = unit.locator("form[data-action='answer']")
    answer.locator("select[name='answer_class']").select_option("B")
    answer.locator("textarea[name='text']").fill("已将12个小区的燃气管道改造列入计划")
    answer.get_by_role("button", name="答复").click()
    expect(answer.locator(".error")).to_contain_text("B 类答复须列明承诺事项")  # the server's refusal, shown
    answer.locator("textarea[name='promises']").fill("2026-06-30 完成12个小区燃气管道改造")
    answer.get_by_role("button", name="答复").click()
    expect(unit.locator("#pp-status")).to_have_text("已答复待评价")
    expect(unit.locator("#pp-promises")).to_contain_text("2026-06-30")
    browsing.shot(unit, "proposal-answered")

    deputy = browsing.page("deputy", "phone")
    deputy.goto("/proposals")
    expect(deputy.locator("h1")).to_have_text("我的建议提案")
    expect(deputy.locator("form[data-form='opinion']")).to_be_visible()
    browsing.shot(deputy, "proposal-my")
    row = deputy.locator(f"#pp-list tr[data-id='{item}']")
    expect(row).to_contain_text("已答复待评价")
    row.get_by_role("link").click()
    rate = deputy.locator("form[data-action='rate']")
    rate.locator("select[name='work']").select_option("satisfied")
    rate.locator("select[name='result']").select_option("basically")
    rate.get_by_role("button", name="提交评价").click()
    expect(deputy.locator("#pp-status")).to_have_text("承诺事项跟踪")
    expect(deputy.locator("#pp-ratings")).to_contain_text("办理结果 基本满意")
    browsing.shot(deputy, "proposal-rated")

    leader = browsing.page("leader", "desktop")
    leader.goto("/proposals/report?batch=S16-3")
    expect(leader.locator("#pp-kpis")).to_contain_text("100.0%")
    expect(leader.locator("#pp-report")).to_contain_text("合计")
    expect(leader.locator("form[data-action]")).to_have_count(0)
    browsing.shot(leader, "proposal-report")
