"""The admin screen in a real browser: a user created, signed in as, and stopped; the responsibility tester."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.geo.services import activate_version, export_grid_file

from conftest import World

BOWTIE = [[113.60, 34.70], [113.61, 34.71], [113.61, 34.70], [113.60, 34.71], [113.60, 34.70]]

NEW_PASSWORD = "new-user-pass-2026"


def sign_in(browsing: Any, username: str, password: str) -> Any:
    page = browsing.page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    return page


def test_an_admin_creates_a_user_who_signs_in_and_is_then_stopped(browsing: Any, clean: World) -> None:
    admin = browsing.page("admin")
    admin.goto("/admin")
    expect(admin.get_by_role("heading", name="用户管理")).to_be_visible()
    form = admin.locator("#create-form")
    form.get_by_label("用户名 (字母、数字、._-)").fill("zhang.wei")
    form.get_by_label("姓名").fill("张伟")
    form.get_by_label("角色").select_option("resident")
    form.get_by_label("初始密码 (至少 10 位; 不填则生成)").fill(NEW_PASSWORD)
    form.get_by_role("button", name="创建").click()
    expect(admin.locator("#create-result")).to_contain_text("已创建 zhang.wei")

    user = sign_in(browsing, "zhang.wei", NEW_PASSWORD)
    user.wait_for_url("**/report")
    expect(user.locator(".who")).to_contain_text("张伟")

    admin.goto("/admin?q=zhang.wei")  # the list shows one page of users: found by name, as an admin would
    admin.locator("[data-open='zhang.wei']").click()
    expect(admin.locator("#user-title")).to_contain_text("zhang.wei")
    expect(admin.locator("#u-tokens li")).to_have_count(1)  # the session just opened
    admin.once("dialog", lambda d: d.accept())
    admin.get_by_role("button", name="停用").click()
    expect(admin.locator("tr[data-user='zhang.wei']")).to_contain_text("已停用")
    admin.wait_for_load_state()  # the page reloaded itself: its controller is bound once it has loaded
    admin.locator("[data-open='zhang.wei']").click()
    expect(admin.locator("#u-record li")).to_have_count(2)
    expect(admin.locator("#u-record")).to_contain_text("停用")
    browsing.shot(admin, "admin-users")

    user.reload()  # the open session ended with the account
    user.wait_for_url("**/login**")
    again = sign_in(browsing, "zhang.wei", NEW_PASSWORD)
    expect(again.locator("#login-error")).to_contain_text("用户名或密码错误")


def test_the_rule_tester_answers_who_would_get_a_case(browsing: Any, clean: World) -> None:
    admin = browsing.page("admin")
    admin.goto("/admin")
    tester = admin.locator("#tester-form")
    browsing.pick(tester, "类别", "E0506", "E0506")
    browsing.pick(tester, "网格", clean.grid, clean.grid)
    tester.get_by_role("button", name="测试").click()
    expect(admin.locator("#tester-unit")).to_contain_text("将派给")
    expect(admin.locator("#tester-answer li").first).to_be_visible()
    secret = admin.locator("#settings tr", has_text="GRIDGOV_SECRET_KEY")
    expect(secret).to_contain_text("已设置 (隐藏)")
    assert clean.container.settings.secret_key not in admin.locator("#settings").inner_text()
    browsing.shot(admin, "admin-tester")


def test_a_code_typed_before_the_picker_script_arrives_is_still_answered(browsing: Any, clean: World) -> None:
    """On a slow line a dispatcher types before the page's scripts have run: the picker answers what is there."""
    admin = browsing.page("admin")
    held: list[Any] = []
    admin.route("**/static/js/picker.js", lambda route: held.append(route))  # held back until the code has been typed
    admin.goto("/admin", wait_until="commit")
    box = admin.locator("#tester-form").get_by_label("类别", exact=True)
    box.fill("E0506")
    while not held:
        admin.wait_for_timeout(50)
    held[0].continue_()
    picker = box.locator("xpath=ancestor::div[@data-picker][1]")
    expect(picker.locator("[role=option][data-code='E0506']")).to_be_visible()


def test_a_broken_grid_file_shows_its_errors_on_the_map_and_a_valid_one_is_activated(
    browsing: Any, clean: World, tmp_path: Path
) -> None:
    doc = json.loads(export_grid_file(clean.container.sessions))
    micro = [f for f in doc["features"] if f["properties"]["level"] == 4]
    # the good file: two sibling micro-grids swap their shapes, so that the comparison has something to draw
    one = micro[0]
    two = next(f for f in micro[1:] if f["properties"]["parent_code"] == one["properties"]["parent_code"])
    one["geometry"], two["geometry"] = two["geometry"], one["geometry"]
    good = tmp_path / "grids.geojson"
    good.write_text(json.dumps(doc), encoding="utf-8")
    one["geometry"], two["geometry"] = two["geometry"], one["geometry"]
    micro[0]["geometry"] = {"type": "Polygon", "coordinates": [BOWTIE]}
    micro[1]["properties"]["parent_code"] = micro[1]["properties"]["code"][:9] + "000000"
    bad = tmp_path / "broken.geojson"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with clean.container.engine.connect() as conn:
        original = conn.execute(text("SELECT id FROM grid_versions WHERE active")).scalar_one()

    admin = browsing.page("admin")
    admin.goto("/admin")
    grids = admin.locator("#grids")
    grids.get_by_label("网格文件 (GeoJSON, WGS-84)").set_input_files(str(bad))
    grids.get_by_role("button", name="预检").click()
    expect(admin.locator("#g-summary")).to_contain_text("预检未通过")
    expect(admin.locator("#g-map path.grid-bad")).to_have_count(2)  # the two wrong grids, drawn where they are
    expect(admin.locator("#g-map path.problem-point")).to_have_count(1)  # the self-intersection's point
    expect(admin.locator("#g-problems li").first).to_be_visible()
    expect(grids.get_by_role("button", name="导入")).to_be_disabled()
    admin.locator("#g-map").scroll_into_view_if_needed()
    browsing.shot(admin, "admin-grid-errors")

    grids.get_by_label("网格文件 (GeoJSON, WGS-84)").set_input_files(str(good))
    grids.get_by_role("button", name="预检").click()
    expect(admin.locator("#g-summary")).to_contain_text("预检通过")
    expect(admin.locator("#g-map path.grid-bad")).to_have_count(0)
    grids.get_by_label("版本名").fill("浏览器导入的版本")
    grids.get_by_label("导入后立即启用").check()
    grids.get_by_role("button", name="导入").click()
    expect(admin.locator("#g-summary")).to_contain_text("已启用")
    row = admin.locator("#g-versions tr", has_text="浏览器导入的版本")
    expect(row).to_contain_text("启用中")
    try:
        with clean.container.engine.connect() as conn:
            active, made = conn.execute(text("SELECT name, id FROM grid_versions WHERE active")).one()
        assert active == "浏览器导入的版本"
        # the two versions drawn one over the other: each swapped grid's old shape dashed, its new one blue
        admin.goto("/admin")
        grids = admin.locator("#grids")
        grids.get_by_label("旧版本").select_option(str(original))
        grids.get_by_label("新版本").select_option(str(made))
        grids.get_by_role("button", name="比较").click()
        expect(admin.locator("#compare-counts")).to_contain_text("改边界 2")
        expect(admin.locator("#compare-map path.cmp-before")).to_have_count(2)
        expect(admin.locator("#compare-map path.cmp-after")).to_have_count(2)
        admin.locator("#compare-map").scroll_into_view_if_needed()
        browsing.shot(admin, "admin-grid-compare")
    finally:
        activate_version(clean.container.sessions, original, clean.clock.now())  # the next tests' grids
