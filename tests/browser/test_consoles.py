"""The hotline console and the dispatcher queue in a real browser; every screen at phone and desktop size;
and the guard that fails a test when a page asks for anything outside 127.0.0.1."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import text

from conftest import Api, World, inner_point


def row(w: World, case_id: int) -> dict[str, Any]:
    with w.container.engine.connect() as conn:
        r = conn.execute(
            text(
                "SELECT c.status, c.source, c.reporter_phone, c.parent_case_id, u.code AS owner FROM cases c "
                "LEFT JOIN units u ON u.id = c.owner_unit_id WHERE c.id = :c"
            ),
            {"c": case_id},
        ).one()
    return dict(r._mapping)


def grid_name(w: World, code: str) -> str:
    with w.container.engine.connect() as conn:
        return str(
            conn.execute(  # the active version's: another test may have imported a second one
                text(
                    "SELECT g.name FROM grids g JOIN grid_versions v ON v.id = g.version_id"
                    " WHERE v.active AND g.code = :c"
                ),
                {"c": code},
            ).scalar_one()
        )


def latest_case(w: World) -> int:
    with w.container.engine.connect() as conn:
        return int(conn.execute(text("SELECT max(id) FROM cases")).scalar_one())


def test_hotline_closes_a_consultation_and_dispatches_a_problem(browsing: Any, clean: World) -> None:
    op = browsing.page("operator")
    op.goto("/hotline")
    op.get_by_label("来电号码").fill("13800138000")
    op.get_by_label("来电人").fill("王先生")
    op.get_by_label("诉求概要 (必填)").fill("咨询社保卡补办需要哪些材料")
    op.get_by_label("诉求内容").fill("社保卡丢失, 想问补办社保卡要带什么材料, 在哪里办理")
    expect(op.locator("#suggest button.pick").first).to_be_visible()  # the classifier's top 3
    street = grid_name(clean, clean.street_code.ljust(15, "0"))
    op.get_by_label("地址").fill(street + "某小区")
    expect(op.locator("#address-match")).to_contain_text("匹配")
    op.get_by_label("办理意见 / 答复 (直接办结时必填)").fill("已告知: 携带身份证到社保经办窗口补办")
    browsing.shot(op, "hotline")
    op.get_by_role("button", name="直接办结 (咨询)").click()
    expect(op.locator("#call-result a")).to_be_visible()
    first = row(clean, latest_case(clean))
    assert first["status"] == "closed" and first["source"] == "hotline" and first["reporter_phone"] == "13800138000"

    # a problem: pin on the map → grid; category → the responsible unit; register and dispatch in one go
    op.get_by_label("诉求概要 (必填)").fill("楼道堆放杂物堵塞消防通道")
    browsing.pick(op, "类别", "H1802", "H1802")
    op.locator("#map").click()  # the map shows the street matched above: a pin in its middle
    expect(op.locator("#where")).not_to_have_text("点击地图标出位置 (可选)")
    op.get_by_label("地址").fill(street)
    expect(op.locator("#unit-suggest")).to_contain_text("权属单位")
    op.get_by_role("button", name="立案并派遣").click()
    expect(op.locator("#call-result")).to_contain_text("已派遣")
    second = row(clean, latest_case(clean))
    assert second["status"] == "dispatched" and second["owner"]
    expect(op.locator(".leaflet-marker-icon")).to_have_count(0)  # the next caller starts from a clean map

    # the next caller reports the same spot: the console shows the case just filed as a likely duplicate
    op.get_by_label("诉求概要 (必填)").fill("楼道杂物又堆满了")
    op.locator("#map").click()
    expect(op.locator("#dups .hint")).to_contain_text("附近 7 天内已有 1 件")
    expect(op.locator("#dups a.dup")).to_have_attribute("href", f"/cases/{latest_case(clean)}")


def test_hotline_retry_after_a_failed_step_files_one_case(browsing: Any, clean: World) -> None:
    op = browsing.page("operator")
    op.goto("/hotline")
    op.get_by_label("诉求概要 (必填)").fill("反映路口红绿灯故障")
    op.get_by_label("地址").fill("某某路口")  # an address no grid matches
    expect(op.locator("#address-match")).to_have_text("未匹配到网格")
    op.get_by_role("button", name="立案并派遣").click()  # the case is filed; registering it needs a grid
    expect(op.locator("#call-form .error")).not_to_be_empty()
    expect(op.locator("#call-form .error")).to_contain_text("网格")
    first = latest_case(clean)
    assert row(clean, first)["status"] == "reported"
    street = grid_name(clean, clean.street_code.ljust(15, "0"))
    op.get_by_label("地址").fill(street)
    expect(op.locator("#address-match")).to_contain_text("匹配")
    browsing.pick(op, "类别", "H1802", "H1802")
    expect(op.locator("#unit-suggest")).to_contain_text("权属单位")
    op.get_by_role("button", name="立案并派遣").click()  # the retry continues with the same case
    expect(op.locator("#call-result")).to_contain_text("已派遣")
    assert latest_case(clean) == first and row(clean, first)["status"] == "dispatched"


def test_queue_filters_colours_bulk_dispatch_review_and_merge(browsing: Any, api: Api, clean: World) -> None:
    lat, lon = inner_point(clean, clean.grid)

    def report(title: str, **extra: Any) -> int:
        body = {"title": title, "grid_code": clean.grid, "category_code": "H1802", **extra}
        r = api.post("resident", "/api/v1/cases", body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    a, b = report("路灯不亮 A"), report("路灯不亮 B")
    c, d = report("垃圾满溢", lat=lat, lon=lon), report("垃圾满溢 重复", lat=lat, lon=lon)
    late = report("井盖破损 (超期)")
    api.ok("operator", late, "register")
    api.ok("dispatcher", late, "dispatch", unit_code=f"{clean.district}-cg")
    odd = report("意义不明的反映")
    red = report("护栏损坏 (红牌)")
    api.ok("operator", red, "register")
    api.ok("dispatcher", red, "dispatch", unit_code=f"{clean.district}-cg")
    with clean.container.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET alarm_level = 'yellow' WHERE id = :c"), {"c": late})
        conn.execute(text("UPDATE cases SET alarm_level = 'red' WHERE id = :c"), {"c": red})
        conn.execute(text("UPDATE cases SET needs_review = :t WHERE id = :c"), {"c": odd, "t": True})

    q = browsing.page("dispatcher")
    q.goto("/queue")
    expect(q.locator("#queue tbody tr")).to_have_count(5)  # the default: waiting to be registered or dispatched
    q.get_by_label("状态").select_option("open")
    expect(q.locator(f"#queue tr[data-case-id='{late}']")).to_have_class("yellow")
    expect(q.locator(f"#queue tr[data-case-id='{red}']")).to_have_class("red")
    expect(q.locator(f"#queue tr[data-case-id='{red}'] .tag.red")).to_have_text("红牌")
    q.get_by_role("tab", name="待人工确认分类").click()
    expect(q.locator("#queue tbody tr")).to_have_count(1)
    expect(q.locator(f"#queue tr[data-case-id='{odd}']")).to_be_visible()
    q.get_by_role("tab", name="全部待办").click()
    q.get_by_label("状态").select_option("reported,registered,returned,reopened")
    expect(q.locator("#queue tbody tr")).to_have_count(5)
    browsing.shot(q, "queue-filled")

    for cid in (a, b):
        q.get_by_label(f"选择 {api.get('dispatcher', f'/api/v1/cases/{cid}').json()['tracking_code']}").check()
    q.get_by_role("button", name="按权属批量派遣").click()
    expect(q.locator("#queue tbody tr")).to_have_count(3)
    assert row(clean, a)["status"] == row(clean, b)["status"] == "dispatched"

    for cid in (c, d):
        q.locator(f"#queue tr[data-case-id='{cid}'] input[type=checkbox]").check()
    q.get_by_role("button", name="并案 (并入最早一件)").click()
    expect(q.locator("#queue tbody tr")).to_have_count(2)
    assert row(clean, d)["status"] == "merged" and row(clean, d)["parent_case_id"] == c

    q.get_by_label("状态").select_option("open")
    q.get_by_label("只看超期").check()
    expect(q.locator("#queue tbody tr")).to_have_count(0)


SCREENS = [
    (None, "/login", "login"),
    ("resident", "/report", "report"),
    ("resident", "/my", "my"),
    ("operator", "/hotline", "hotline"),
    ("dispatcher", "/queue", "queue"),
    ("dept-cg", "/inbox", "inbox"),
    ("grid-worker", "/worker", "worker"),
    ("leader", "/dashboard", "dashboard"),
]


def test_every_screen_at_phone_and_desktop_size_asks_nothing_outside(browsing: Any, api: Api, clean: World) -> None:
    cid = api.post("resident", "/api/v1/cases", {"title": "小区路面塌陷", "grid_code": clean.grid}).json()["id"]
    api.ok("operator", cid, "register", category_code="H1802")
    api.ok("dispatcher", cid, "dispatch", unit_code=f"{clean.district}-cg")
    for viewport in ("phone", "desktop"):
        for who, path, name in SCREENS:
            page = browsing.page(who, viewport)
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            csp = response.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "connect-src 'self'" in csp
            page.wait_for_load_state("networkidle")
            assert page.locator("h1").first.is_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= page.viewport_size["width"] + 1, f"{path} scrolls sideways at {viewport}: {width}px"
            browsing.shot(page, f"screen-{name}")
            page.context.close()
            browsing.contexts.remove(page.context)
    assert browsing.outside == []

    # the guards themselves: the page's CSP refuses an outside fetch, and the test's network guard sees and
    # blocks anything that gets past it (here a navigation, which CSP does not cover)
    page = browsing.page("resident", "phone")
    page.goto("/report")
    page.evaluate("() => fetch('http://example.com/tracker.js').catch(() => null)")
    page.wait_for_timeout(300)
    assert any("example.com" in p for p in browsing.problems), browsing.problems
    browsing.problems.clear()
    with pytest.raises(PlaywrightError):
        page.goto("http://example.com/")
    assert browsing.outside == ["http://example.com/"]
    browsing.outside.clear()


def test_wrong_role_and_anonymous_visitors(browsing: Any, server: str) -> None:
    page = browsing.page("resident")
    response = page.goto("/queue")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("无权访问")
    anonymous = httpx.get(f"{server}/hotline")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/hotline"
    login = browsing.page()
    for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        login.goto("/login?next=" + target)
        assert login.locator("#login-form").get_attribute("data-next") == ""  # no open redirect
    login.get_by_label("用户名").fill("resident")
    login.get_by_label("密码").fill("wrong-password-1")
    login.get_by_role("button", name="登录").click()
    expect(login.locator("#login-error")).not_to_be_empty()
