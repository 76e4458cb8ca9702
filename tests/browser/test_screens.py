"""The people's screens in a real browser (Debian chromium): the whole case loop, the whistle, every screen at
phone and desktop size, and nothing requested from outside 127.0.0.1."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text

from conftest import Api, World, inner_point, png_bytes


def png(colour: str = "red") -> dict[str, Any]:
    return {"name": "scene.png", "mimeType": "image/png", "buffer": png_bytes(colour)}


def open_case(page: Any, list_selector: str, case_id: int) -> None:
    page.locator(f"{list_selector} [data-case-id='{case_id}'] button.link").first.click()
    expect(page.locator(".panel[data-case-id]")).to_have_attribute("data-case-id", str(case_id))


def submit_action(page: Any, action: str) -> None:
    page.locator(f"form[data-action='{action}'] button[type=submit]").click()


def status_of(w: World, case_id: int) -> str:
    with w.container.engine.connect() as conn:
        return str(conn.execute(text("SELECT status FROM cases WHERE id = :c"), {"c": case_id}).scalar_one())


def test_resident_to_rating_through_the_screens(browsing: Any, clean: World) -> None:
    lat, lon = inner_point(clean, clean.grid)
    # 1. a resident reports on a phone: "use my location", then a pin on the map, text and a photo
    resident = browsing.page(
        "resident", "phone", geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"]
    )
    resident.goto("/report")
    expect(resident.locator(".leaflet-interactive").first).to_be_visible()
    browsing.shot(resident, "report")
    resident.get_by_label("问题概述 (必填)").fill("人行道井盖缺失")
    resident.get_by_label("详细描述").fill("文化路口东侧人行道井盖缺失, 夜间有人踩空")
    resident.get_by_role("button", name="使用我的位置").click()
    expect(resident.locator("#where")).to_contain_text("位置:")
    resident.locator("#map").click()  # the map is centred on my location: a pin there
    expect(resident.locator(".leaflet-marker-icon")).to_have_count(1)
    resident.get_by_label("照片 (可多张, JPEG/PNG/WebP)").set_input_files([png()])
    resident.get_by_role("button", name="提交").click()
    code = resident.locator("#tracking-code")
    expect(code).to_have_text(re.compile(r"^\S+$"))
    expect(resident.locator("#photo-result")).to_have_text("已上传照片 1 张")  # the receipt shows before the photos
    browsing.shot(resident, "report-receipt")
    with clean.container.engine.connect() as conn:
        case_id, grid, source = conn.execute(
            text("SELECT id, grid_code, source FROM cases WHERE tracking_code = :t"), {"t": code.inner_text()}
        ).one()
        photos = conn.execute(text("SELECT count(*) FROM case_photos WHERE case_id = :c"), {"c": case_id}).scalar()
    assert grid == clean.grid and source == "web" and photos == 1

    # the resident sees the case but has nothing to do yet: no form the server would refuse
    resident.goto("/my")
    open_case(resident, "#my-cases", case_id)
    expect(resident.locator("#my-panel")).to_contain_text("当前没有可执行的操作")
    expect(resident.locator("#my-panel form[data-action]")).to_have_count(0)
    expect(resident.locator("#my-panel")).not_to_contain_text("分类需人工确认")  # the classifier is for staff
    expect(resident.locator("#my-panel #second-level")).to_have_count(0)
    # …but may add photos to the open case from /my, long after the report's one-off right has expired
    clean.clock.advance(timedelta(hours=2))
    more = resident.locator("#my-panel form[data-add-photos]")
    more.get_by_label("补充照片 (可多选, 自动压缩到 2560 像素以内)").set_input_files([png("blue"), png("green")])
    more.get_by_role("button", name="上传照片").click()
    expect(more.locator("[data-photo-result]")).to_have_text("已补传照片 2 张")
    browsing.shot(resident, "my-add-photos")
    with clean.container.engine.connect() as conn:
        photos = conn.execute(text("SELECT count(*) FROM case_photos WHERE case_id = :c"), {"c": case_id}).scalar()
    assert photos == 3

    # 2. the operator registers and dispatches from the queue
    operator = browsing.page("operator")
    operator.goto("/queue")
    browsing.shot(operator, "queue")
    open_case(operator, "#queue", case_id)
    submit_action(operator, "register")
    expect(operator.locator("form[data-action='dispatch']")).to_be_visible()
    browsing.pick(
        operator.locator("form[data-action='dispatch']"), "承办单位", f"{clean.district}-cg", f"{clean.district}-cg"
    )
    submit_action(operator, "dispatch")
    expect(operator.locator("form[data-action='dispatch']")).to_have_count(0)
    assert status_of(clean, case_id) == "dispatched"

    # 3. the department accepts and feeds back with a photo
    dept = browsing.page("dept-cg")
    dept.goto("/inbox")
    open_case(dept, "#inbox", case_id)
    browsing.shot(dept, "inbox")
    submit_action(dept, "accept")
    expect(dept.locator("form[data-action='suspend']")).to_have_count(0)  # only a dispatcher may suspend
    expect(dept.locator("form[data-action='request_postpone']")).to_have_count(1)
    form = dept.locator("form[data-action='handle']")
    form.get_by_label("处置说明").fill("已补装井盖并设置警示")
    form.get_by_label("现场照片").set_input_files([png("green")])
    submit_action(dept, "handle")
    expect(dept.locator("form[data-action='handle']")).to_have_count(0)
    assert status_of(clean, case_id) == "handled"

    # 4. a resident's 12345 matter is verified by the street (a grid worker verifies 数字城管 部件/事件, see the
    # patrol test below): on a phone, from the case page — pass → closed
    worker = browsing.page("grid-worker", "phone")
    worker.goto("/worker")
    browsing.shot(worker, "worker")
    street = browsing.page("street", "phone")
    street.goto(f"/cases/{case_id}")
    street.locator("form[data-action='verify']").get_by_label("核查说明").fill("现场核查, 井盖已补装")
    submit_action(street, "verify")
    expect(street.locator("form[data-action='verify']")).to_have_count(0)
    assert status_of(clean, case_id) == "closed"

    # 5. the resident rates it
    resident.goto("/my")
    open_case(resident, "#my-cases", case_id)
    rate = resident.locator("form[data-action='evaluate']")
    rate.get_by_label("已解决").check()
    rate.get_by_label("满意程度").select_option("satisfied")
    browsing.shot(resident, "my-cases")
    submit_action(resident, "evaluate")
    expect(resident.locator("#my-cases [data-status='evaluated']")).to_have_count(1)
    assert status_of(clean, case_id) == "evaluated"
    open_case(resident, "#my-cases", case_id)  # a finished case takes no more photos
    expect(resident.locator("#my-panel [data-panel-case]")).to_be_visible()
    expect(resident.locator("#my-panel form[data-add-photos]")).to_have_count(0)

    # 6. the case page shows the whole chain, intact, with the photos
    page = browsing.page("dispatcher")
    page.goto(f"/cases/{case_id}")
    expect(page.locator("#chain")).to_contain_text("哈希链完整")
    actions = page.locator("ol.timeline li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions[:1] == ["report_case"] and {"register", "dispatch", "accept", "handle", "verify", "evaluate"} <= set(
        actions
    )
    expect(page.locator("ol.timeline img")).to_have_count(1)  # the handling photo, on its event
    # and every photo of the case: the handling one, the report's and the two the resident added from /my
    expect(page.locator("#case-photos img")).to_have_count(4)
    browsing.shot(page, "case")


def test_whistle_two_departments_report_and_are_rated(browsing: Any, api: Api, clean: World) -> None:
    cid = api.post(
        "resident", "/api/v1/cases", {"title": "小区外墙脱落", "grid_code": clean.grid, "category_code": "H1802"}
    ).json()["id"]
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch", unit_code=clean.street_code)
    api.ok("street", cid, "accept")

    street = browsing.page("street")
    street.goto("/inbox")
    open_case(street, "#inbox", cid)
    whistle = street.locator("form[data-action='whistle']")
    for code in (f"{clean.district}-zj", f"{clean.district}-sthj"):  # the searchable multi-select: tick each
        whistle.locator(f"input[name=department_codes][value='{code}']").check()
    whistle.get_by_label("吹哨事由").fill("外墙脱落涉及住建和环保, 需联合处置")
    submit_action(street, "whistle")
    expect(street.locator("table.tasks tbody tr")).to_have_count(3)
    expect(street.locator("table.tasks")).to_contain_text("未报到")

    for who, note in (("dept-zj", "已派员现场勘查, 安排维修"), ("dept-sthj", "已清理脱落物")):
        dept = browsing.page(who, "phone")
        dept.goto("/inbox")
        open_case(dept, "#inbox", cid)
        submit_action(dept, "check_in")
        expect(dept.locator("form[data-action='handle']")).to_have_count(0)  # the street handles, not a summoned one
        expect(dept.locator("form[data-action='whistle']")).to_have_count(0)
        dept.locator("form[data-action='task_feedback']").get_by_label("反馈说明").fill(note)
        submit_action(dept, "task_feedback")
        expect(dept.locator("form[data-action='task_feedback']")).to_have_count(0)
        if who == "dept-zj":
            browsing.shot(dept, "inbox-whistle")
            width = dept.evaluate("document.documentElement.scrollWidth")
            assert width <= 361, f"the inbox with a case open scrolls sideways on a phone: {width}px"

    street.reload()
    open_case(street, "#inbox", cid)
    expect(street.locator("table.tasks")).not_to_contain_text("未报到")
    for dept_code, stars in ((f"{clean.district}-zj", "5"), (f"{clean.district}-sthj", "4")):
        rate = street.locator("form[data-action='rate_department']")
        rate.get_by_label("部门").select_option(dept_code)
        rate.get_by_label("评分 (1–5)").select_option(stars)
        rate.get_by_label("评语").fill(f"评语{stars}")
        submit_action(street, "rate_department")
        expect(street.locator(f"table.tasks tr[data-unit='{dept_code}']")).to_contain_text(f"{stars} 分")
    browsing.shot(street, "inbox-whistle-rated")
    with clean.container.engine.connect() as conn:
        ratings = conn.execute(
            text(
                "SELECT u.code, t.rating, t.responded_at IS NOT NULL, t.rating_note FROM case_tasks t "
                "JOIN units u ON u.id = t.unit_id WHERE t.case_id = :c AND t.role = 'whistle' ORDER BY u.code"
            ),
            {"c": cid},
        ).all()
    assert sorted(tuple(r) for r in ratings) == sorted(
        [(f"{clean.district}-sthj", 4, True, "评语4"), (f"{clean.district}-zj", 5, True, "评语5")]
    )


def test_grid_worker_patrol_report_and_failed_verification(browsing: Any, api: Api, clean: World) -> None:
    lat, lon = inner_point(clean, clean.grid)
    worker = browsing.page(
        "grid-worker", "phone", geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"]
    )
    worker.goto("/worker")
    worker.get_by_label("发现的问题 (必填)").fill("共享单车乱停放堵塞盲道")
    worker.get_by_label("现场照片").set_input_files([png("blue")])
    worker.get_by_role("button", name="使用我的位置").click()
    expect(worker.locator("#where")).to_contain_text("已标出")
    worker.get_by_role("button", name="上报").click()
    expect(worker.locator("#patrol-result a")).to_be_visible()
    expect(worker.locator(".leaflet-marker-icon")).to_have_count(0)  # the next report starts from a clean map
    with clean.container.engine.connect() as conn:
        cid, source, grid = conn.execute(text("SELECT id, source, grid_code FROM cases ORDER BY id DESC")).first()
        photos = conn.execute(text("SELECT count(*) FROM case_photos WHERE case_id = :c"), {"c": cid}).scalar()
    assert source == "patrol" and grid == clean.grid and photos == 1
    expect(worker.locator(f"#open-cases [data-case-id='{cid}']")).to_be_visible()

    # the handled case fails verification on site: back to the handler for rework
    api.ok("operator", cid, "register", category_code="E0506")  # 数字城管 事件: 共享单车乱停放
    api.ok("dispatcher", cid, "dispatch", unit_code=clean.street_code)
    api.ok("street", cid, "accept")
    api.ok("street", cid, "handle", note="已清理")
    worker.reload()
    open_case(worker, "#to-verify", cid)
    rework = worker.locator("form[data-action='rework']")
    rework.get_by_label("理由").fill("盲道上仍有车辆")
    rework.get_by_label("核查照片").set_input_files([png("yellow")])
    submit_action(worker, "rework")
    expect(worker.locator("#verify-count")).to_have_text("0")
    assert status_of(clean, cid) == "accepted"
    events = api.get("street", f"/api/v1/cases/{cid}/events").json()
    assert events[-1]["action"] == "rework" and events[-1]["payload"]["evidence"][0].startswith("photo://")


def test_sign_in_with_the_keyboard_alone(browsing: Any) -> None:
    page = browsing.page()
    page.goto("/login")
    for _ in range(6):  # skip link, brand, the header's 登录 link, then the form
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("dispatcher")
    page.keyboard.press("Tab")
    page.keyboard.type("browser-pass-2025")
    page.keyboard.press("Enter")
    page.wait_for_url("**/queue")
    expect(page.locator("h1")).to_have_text("派遣队列")


def test_anonymous_report_and_a_second_report_start_clean(browsing: Any, clean: World) -> None:
    lat, lon = inner_point(clean, clean.grid)
    page = browsing.page(
        "resident", "phone", geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"]
    )
    page.goto("/report")
    page.get_by_label("问题概述 (必填)").fill("夜间施工噪音扰民")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    page.get_by_label("匿名反映 (不保存姓名和电话)").check()
    expect(page.locator("#anonymous-note")).to_be_visible()
    page.get_by_label("照片 (可多张, JPEG/PNG/WebP)").set_input_files([png("purple")])
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#tracking-code")).not_to_be_empty()
    expect(page.locator("#photo-result")).to_have_text("已上传照片 1 张")  # with the report's one-off right
    with clean.container.engine.connect() as conn:
        reporter = conn.execute(text("SELECT reporter_user_id, reporter_phone FROM cases")).one()
        uploader = conn.execute(text("SELECT uploaded_by FROM case_photos")).scalar_one()
    assert tuple(reporter) == (None, "") and uploader is None  # neither the case nor its photo names anyone
    page.get_by_role("button", name="再反映一个问题").click()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("#where")).to_have_text("尚未标出位置")


def test_a_resident_reports_with_the_keyboard_alone(browsing: Any, clean: World) -> None:
    page = browsing.page("resident", "phone")
    page.goto("/report")
    expect(page.locator(".leaflet-interactive").first).to_be_visible()
    page.get_by_label("问题概述 (必填)").focus()
    page.keyboard.type("路口井盖松动")
    page.get_by_label("地址").focus()
    page.keyboard.press("Tab")  # the map is next: arrows pan, Enter drops the pin at the crosshair
    assert page.evaluate("document.activeElement.classList.contains('leaflet-container')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#where")).not_to_have_text("尚未标出位置")
    page.get_by_label("问题概述 (必填)").focus()
    page.keyboard.press("Enter")  # Enter in a field submits the form
    expect(page.locator("#tracking-code")).not_to_be_empty()
    with clean.container.engine.connect() as conn:
        lat, lon = conn.execute(text("SELECT lat, lon FROM cases")).one()
    assert lat is not None and lon is not None


def test_a_unit_typed_over_the_proposal_before_the_picker_is_bound_is_answered(
    browsing: Any, api: Api, clean: World
) -> None:
    """The dispatch box comes filled with the proposed unit; a dispatcher who types over it before the page's
    script has bound the picker (a slow line; a panel htmx swapped in binds once it settles) still gets the list,
    and the proposal's code is not sent in place of what was typed."""
    cid = api.post(
        "operator", "/api/v1/cases", {"title": "店外占道经营", "grid_code": clean.grid, "category_code": "H1802"}
    ).json()["id"]
    api.ok("operator", cid, "register")
    dispatcher = browsing.page("dispatcher")
    held: list[Any] = []
    dispatcher.route("**/static/js/picker.js", lambda route: held.append(route))
    dispatcher.goto(f"/cases/{cid}", wait_until="commit")
    form = dispatcher.locator("form[data-action='dispatch']")
    box = form.get_by_label("承办单位", exact=True)
    proposed = box.get_attribute("value")
    assert proposed, "the dispatch box should come filled with the proposed unit"
    wanted = f"{clean.district}-cg"
    box.fill(wanted)
    while not held:
        dispatcher.wait_for_timeout(50)
    held[0].continue_()
    picker = box.locator("xpath=ancestor::div[@data-picker][1]")
    expect(picker.locator(f"[role=option][data-code='{wanted}']")).to_be_visible()
    assert picker.locator("input[type=hidden]").input_value() in ("", wanted)  # never the proposal's code
    picker.locator(f"[role=option][data-code='{wanted}']").click()
    expect(picker.locator("input[type=hidden]")).to_have_value(wanted)
