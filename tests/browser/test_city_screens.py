"""Issue 14 in the browser, at 360 px and 1920 px where layout matters: the whistle walk ends in 核查结案, a case is
found by search and by the public lookup, names and pickers instead of codes, photos from phones, Chinese error
pages and counted text, and the wall screen that fits 1920×1080."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.cases.search import receipt_secret
from gridgov.web.pinyin import initials

from conftest import Api, World, png_bytes


def open_case(page: Any, list_selector: str, case_id: int) -> None:
    page.locator(f"{list_selector} [data-case-id='{case_id}'] button.link").first.click()
    expect(page.locator(".panel[data-case-id]")).to_have_attribute("data-case-id", str(case_id))


def submit(page: Any, action: str) -> None:
    page.locator(f"form[data-action='{action}'] button[type=submit]").click()


def one(w: World, sql: str, **params: Any) -> Any:
    with w.container.engine.connect() as conn:
        return conn.execute(text(sql), params).one()


def test_the_whistle_walk_ends_in_verification_with_both_departments_rated(
    browsing: Any, api: Api, clean: World
) -> None:
    cid = api.post(
        "resident", "/api/v1/cases", {"title": "小区外墙脱落", "grid_code": clean.grid, "category_code": "H1802"}
    ).json()["id"]
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch", unit_code=clean.street_code)
    api.ok("street", cid, "accept")
    zj, sthj = f"{clean.district}-zj", f"{clean.district}-sthj"

    street = browsing.page("street")
    street.goto("/inbox")
    open_case(street, "#inbox", cid)
    whistle = street.locator("form[data-action='whistle']")
    whistle.get_by_label("召集部门 (可多选)").fill(initials("住房和城乡建设局")[:4])  # the filter box: by initials
    expect(whistle.locator(f"label[data-code='{zj}']")).to_be_visible()
    expect(whistle.locator(f"label[data-code='{sthj}']")).to_be_hidden()
    whistle.locator(f"input[value='{zj}']").check()
    whistle.get_by_label("召集部门 (可多选)").fill("")
    whistle.locator(f"input[value='{sthj}']").check()
    expect(whistle.locator(".chosen")).to_have_text("已选 2 个")
    browsing.shot(street, "whistle-picker")
    whistle.get_by_label("吹哨事由").fill("外墙脱落涉及住建和环保, 需联合处置")
    submit(street, "whistle")
    expect(street.locator("table.tasks tbody tr")).to_have_count(3)

    # one department reports and feeds back
    dept = browsing.page("dept-zj", "phone")
    dept.goto("/inbox")
    open_case(dept, "#inbox", cid)
    expect(dept.locator("[data-case-map]")).to_be_visible()  # the department's panel has a map
    dept.locator("form[data-action='check_in']").get_by_label("报到说明").fill("已到场")
    submit(dept, "check_in")
    dept.locator("form[data-action='task_feedback']").get_by_label("反馈说明").fill("已派员维修")
    submit(dept, "task_feedback")
    expect(dept.locator("form[data-action='task_feedback']")).to_have_count(0)

    # the street gives its own 处置反馈 while the other has not reported: no deadlock
    street.reload()
    open_case(street, "#inbox", cid)
    street.locator("form[data-action='handle']").get_by_label("处置说明").fill("街道已组织处置")
    submit(street, "handle")
    expect(street.locator("form[data-action='handle']")).to_have_count(0)
    expect(street.locator(".panel")).to_contain_text("尚有召集或协办单位未反馈")

    late = browsing.page("dept-sthj", "phone")
    late.goto("/inbox")
    late.locator("#inbox-status").select_option(label="已反馈待核查")
    open_case(late, "#inbox", cid)
    expect(late.locator("form[data-action='check_in']")).to_be_visible()  # not 当前没有可执行的操作
    submit(late, "check_in")
    late.locator("form[data-action='task_feedback']").get_by_label("反馈说明").fill("已清理脱落物")
    submit(late, "task_feedback")
    expect(late.locator("form[data-action='task_feedback']")).to_have_count(0)
    browsing.shot(late, "whistle-late-department")

    street.reload()
    street.locator("#inbox-status").select_option(label="已反馈待核查")
    open_case(street, "#inbox", cid)
    for code, stars in ((zj, "5"), (sthj, "3")):
        rate = street.locator("form[data-action='rate_department']")
        rate.get_by_label("部门").select_option(code)
        rate.get_by_label("评分 (1–5)").select_option(stars)
        submit(street, "rate_department")
        expect(street.locator(f"table.tasks tr[data-unit='{code}']")).to_contain_text(f"{stars} 分")
    verify = street.locator("form[data-action='verify']")
    expect(street.locator("ul.feedback")).to_contain_text("已清理脱落物")  # what the departments said, to verify
    verify.get_by_label("核查说明").fill("现场核查, 已修复")
    submit(street, "verify")
    expect(street.locator("form[data-action='verify']")).to_have_count(0)
    browsing.shot(street, "whistle-verified")
    status, rated = one(
        clean,
        "SELECT c.status, (SELECT count(*) FROM case_tasks t WHERE t.case_id = c.id AND t.role = 'whistle' "
        "AND t.rating IS NOT NULL AND t.responded_at IS NOT NULL) FROM cases c WHERE c.id = :c",
        c=cid,
    )
    assert (status, rated) == ("closed", 2)


def test_find_a_case_in_the_queue_and_follow_an_anonymous_report_on_track(browsing: Any, clean: World) -> None:
    resident = browsing.page("resident", "phone")
    resident.goto("/report")
    resident.get_by_label("问题概述 (必填)").fill("经八路路灯整夜不亮")
    resident.get_by_label("地址").fill("经八路 12 号")
    resident.locator("#anonymous").check()
    resident.get_by_role("button", name="提交").click()
    expect(resident.locator("#lookup-secret")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    code = resident.locator("#tracking-code").inner_text()
    secret = resident.locator("#lookup-secret").inner_text()
    expect(resident.locator("#receipt-note")).to_contain_text("查询办理进度")
    browsing.shot(resident, "report-receipt-secret")
    cid = one(clean, "SELECT id FROM cases WHERE tracking_code = :t", t=code)[0]
    assert secret == receipt_secret(clean.container.settings.secret_key, cid, code)

    operator = browsing.page("operator")
    operator.goto("/queue")
    operator.get_by_label("查找案件").fill("路灯")
    operator.get_by_label("查找案件").press("Enter")
    expect(operator.locator("#queue-total")).to_contain_text("搜索「路灯」: 1 件")
    expect(operator.locator(f"#queue tr[data-case-id='{cid}']")).to_be_visible()
    browsing.shot(operator, "queue-search")

    public = browsing.page(None, "phone")
    public.goto("/track")
    public.get_by_label("查询编号").fill(code)
    public.get_by_label("查询码 (回执上的 6 位字母数字)").fill(secret.lower())
    public.get_by_role("button", name="查询").click()
    expect(public.locator("#public-timeline li")).to_have_count(1)
    expect(public.locator("#track-result")).to_contain_text("已上报")
    assert public.evaluate("document.documentElement.scrollWidth") <= 360
    browsing.shot(public, "track")


def test_names_and_pickers_instead_of_codes_and_the_panel_in_view_on_a_phone(
    browsing: Any, api: Api, clean: World
) -> None:
    cid = api.post(
        "resident", "/api/v1/cases", {"title": "路面坑洼", "grid_code": clean.grid, "category_code": "H1802"}
    ).json()["id"]
    for i in range(12):  # a long list: the panel is far below on a phone
        api.post("resident", "/api/v1/cases", {"title": f"其他问题 {i}", "grid_code": clean.grid})
    api.ok("operator", cid, "register")
    dispatcher = browsing.page("dispatcher")
    dispatcher.goto("/queue")
    row = dispatcher.locator(f"#queue tr[data-case-id='{cid}']")
    expect(row.locator(".name").first).not_to_have_text("H1802")  # 类别: its name first …
    expect(row.locator("small.code").first).to_have_text("H1802")  # … the code second
    open_case(dispatcher, "#queue", cid)
    form = dispatcher.locator("form[data-action='dispatch']")
    other = api.get("dispatcher", "/api/v1/pickers/units", q=clean.other_grid[:9]).json()[0]
    box = form.get_by_label("承办单位", exact=True)
    box.fill(initials(other["name"])[:6])  # pinyin initials, as people type them
    form.locator(f"[role=option][data-code='{other['code']}']").click()
    expect(form.locator(".warn")).to_contain_text("辖区不含本案所在网格")  # another street's area
    own = api.get("dispatcher", "/api/v1/pickers/units", q=clean.street_code).json()[0]
    box.fill(own["name"][:4])
    form.locator(f"[role=option][data-code='{own['code']}']").click()
    expect(form.locator(".warn")).to_be_hidden()
    browsing.shot(dispatcher, "queue-dispatch-picker")
    submit(dispatcher, "dispatch")
    expect(form).to_have_count(0)
    assert one(clean, "SELECT status FROM cases WHERE id = :c", c=cid)[0] == "dispatched"

    phone = browsing.page("dispatcher", "phone")
    phone.goto("/queue")
    phone.locator("#f-status").select_option("open")
    phone.locator(f"#queue tr[data-case-id='{cid}'] button.link").click()
    expect(phone.locator("#queue-panel .panel-title")).to_be_visible()
    top = phone.evaluate("document.getElementById('queue-panel').getBoundingClientRect().top")
    assert 0 <= top < 780, f"the panel opened {top}px away, out of view"
    browsing.shot(phone, "queue-panel-in-view")


def test_a_large_phone_photo_is_made_fit_before_upload_and_more_can_follow(browsing: Any, clean: World) -> None:
    resident = browsing.page("resident", "phone")
    resident.goto("/report")
    resident.get_by_label("问题概述 (必填)").fill("井盖缺失")
    resident.get_by_label("地址").fill("文化路 3 号")
    big = {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": png_bytes("blue", (4000, 3000))}
    resident.get_by_label("照片 (可多张, JPEG/PNG/WebP)").set_input_files([big])
    resident.get_by_role("button", name="提交").click()
    expect(resident.locator("#photo-result")).to_have_text("已上传照片 1 张")
    resident.get_by_label("补传照片 (提交后 30 分钟内)").set_input_files([big])
    resident.get_by_role("button", name="上传照片").click()
    expect(resident.locator("#photo-result")).to_have_text("已补传照片 1 张")
    code = resident.locator("#tracking-code").inner_text()
    with clean.container.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT p.width, p.height, p.content_type FROM case_photos p JOIN cases c ON c.id = p.case_id "
                 "WHERE c.tracking_code = :t"),
            {"t": code},
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [(2560, 1920, "image/jpeg")] * 2


def test_chinese_error_pages_and_counted_text(browsing: Any, api: Api, clean: World) -> None:
    page = browsing.page("resident2", "phone")
    for path, words in (("/cases/abc", "应为整数"), ("/cases/999999", "案件不存在")):
        response = page.goto(path)
        assert response is not None and response.status in (404, 422)
        expect(page.locator("#error-message")).to_be_visible()
        expect(page.locator("#error-page")).to_contain_text(words)
        assert "Input should" not in page.content() and '{"error"' not in page.content()
    browsing.shot(page, "error-page")
    resident = browsing.page("resident", "phone")
    resident.goto("/report")
    title = resident.get_by_label("问题概述 (必填)")
    title.fill("长" * 300)  # a paste over the limit is kept, counted and refused, never cut
    expect(resident.locator("#report-form .count").first).to_contain_text("超出 100 字")
    resident.get_by_label("地址").fill("文化路")
    resident.get_by_role("button", name="提交").click()
    expect(resident.locator("#report-form .error")).to_contain_text("最多 200 个字")
    assert len(title.input_value()) == 300
    assert one(clean, "SELECT count(*) FROM cases")[0] == 0
    browsing.shot(resident, "report-over-long")


def test_the_wall_screen_fits_1920_by_1080_and_the_full_ranking_is_paged(browsing: Any, api: Api, clean: World) -> None:
    for i in range(12):  # five tasks or more for two streets: ranked; one task for a department: 样本不足
        grid = clean.grid if i % 2 else clean.other_grid
        cid = api.post("resident", "/api/v1/cases", {"title": f"问题 {i}", "grid_code": grid, "category_code": "H1802"})
        api.ok("operator", cid.json()["id"], "register")
        api.ok("dispatcher", cid.json()["id"], "dispatch", unit_code=grid[:9] if i else f"{clean.district}-cg")
    api.post("resident", "/api/v1/cases", {"title": "只有地址", "address": "文化路 9 号"})
    wall = browsing.page("leader")
    wall.goto("/dashboard?wall=1")
    expect(wall.locator("#kpi-open")).not_to_have_text("—")
    expect(wall.locator("#st-top-table tbody tr")).to_have_count(2)  # two streets ranked
    expect(wall.locator("#dp-top-table")).to_contain_text("本月暂无可排名单位")
    expect(wall.locator(".a-dp-top .rank-note")).to_contain_text("1 个单位任务过少, 未排名")
    expect(wall.locator("#dp-bottom-table")).to_be_visible()
    expect(wall.locator("#streets-table")).to_be_hidden()
    expect(wall.locator("#map-count")).to_contain_text("在办")
    expect(wall.locator("#map-note")).to_contain_text("件没有坐标 (只有地址或网格), 不在图上")
    size = wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080, f"the wall screen scrolls: {size}"
    for card in ("a-map", "a-trend", "a-overdue", "a-st-top", "a-dp-bottom"):
        box = wall.locator(f".{card}").bounding_box()
        assert box and box["y"] + box["height"] <= 1080 and box["height"] > 100, (card, box)
    wall.screenshot(path=str(browsing.shot(wall, "dashboard-wall")))  # the viewport itself, as the wall shows it
    phone = browsing.page("leader", "phone")
    phone.goto("/dashboard/rankings?group=streets")
    expect(phone.locator("#rank-rule")).to_contain_text("样本不足")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    browsing.shot(phone, "rankings")
