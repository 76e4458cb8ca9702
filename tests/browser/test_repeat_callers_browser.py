"""重复来电 in a real browser (issue 17): as soon as the operator types a caller's phone in the hotline console, the
caller's earlier cases appear with 多次来电, and the one this call repeats is marked 疑似重复件; the number is never
shown in full."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from conftest import Api, World

PHONE = "13800138009"


def test_the_operator_sees_the_callers_earlier_cases_and_the_many_calls_flag(browsing: Any, clean: World) -> None:
    w = clean
    api = Api(browsing.base, w.tokens)
    try:
        for title in ("小区垃圾清运不及时, 垃圾桶满了没人收", "咨询公积金提取需要什么材料"):
            body = {"title": title, "grid_code": w.grid, "source": "hotline", "reporter_phone": PHONE}
            assert api.post("operator", "/api/v1/cases", body).status_code == 201
    finally:
        api.close()
    op = browsing.page("operator")
    op.goto("/hotline")
    op.get_by_label("诉求概要 (必填)").fill("垃圾桶满了还是没人收")
    op.get_by_label("来电号码").type("+86 138 0013 8009")
    box = op.locator("#caller-box")
    expect(box.locator("#caller-frequent")).to_have_text("多次来电")
    expect(box).to_contain_text("近 30 天来电 3 次")
    expect(box.locator("#caller-earlier li")).to_have_count(2)
    expect(box.locator(".repeat-candidate")).to_have_count(1)
    expect(box.locator("li", has=op.locator(".repeat-candidate"))).to_contain_text("垃圾桶满了没人收")
    expect(box).to_contain_text("138****8009")
    assert PHONE not in box.inner_text()
    browsing.shot(op, "hotline-repeat-caller")
    op.get_by_role("button", name="新来电 (清空)").click()  # a new caller: nothing of the last one stays
    expect(box.locator("#caller-earlier")).to_have_count(0)
