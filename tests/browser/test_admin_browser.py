"""The admin screen in a real browser: a user created, signed in as, and stopped; the responsibility tester."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from conftest import World

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

    admin.reload()
    admin.locator("[data-open='zhang.wei']").click()
    expect(admin.locator("#user-title")).to_contain_text("zhang.wei")
    expect(admin.locator("#u-tokens li")).to_have_count(1)  # the session just opened
    admin.once("dialog", lambda d: d.accept())
    admin.get_by_role("button", name="停用").click()
    expect(admin.locator("tr[data-user='zhang.wei']")).to_contain_text("已停用")
    admin.locator("[data-open='zhang.wei']").click()
    expect(admin.locator("#u-record li")).to_have_count(2)
    expect(admin.locator("#u-record")).to_contain_text("停用")
    browsing.shot(admin, "admin-users")

    user.reload()  # the open session ended with the account
    user.wait_for_url("**/login**")
    again = sign_in(browsing, "zhang.wei", NEW_PASSWORD)
    expect(again.locator("form .error")).to_contain_text("用户名或密码错误")


def test_the_rule_tester_answers_who_would_get_a_case(browsing: Any, clean: World) -> None:
    admin = browsing.page("admin")
    admin.goto("/admin")
    tester = admin.locator("#tester-form")
    browsing.pick(tester, "类别", "E0506", "E0506")
    browsing.pick(tester, "网格", clean.grid, clean.grid)
    tester.get_by_role("button", name="测试").click()
    expect(admin.locator("#tester-unit")).to_contain_text("将派给")
    expect(admin.locator("#tester-answer li").first).to_be_visible()
    browsing.shot(admin, "admin-tester")
