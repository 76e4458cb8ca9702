"""安全生产 in a real browser at phone size (360 px): the grid worker opens a task, fails an item with a photo and
fixes it on the spot, submits while the phone is offline (the inspection waits in the phone's outbox), and it is
sent once the phone is back online; the street's hazard list draws its map of places coloured by risk."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import text

from conftest import Api, World, inner_point, png_bytes


def test_the_worker_inspects_on_the_phone_offline_and_it_is_sent_when_back_online(
    browsing: object, api: Api, clean: World, tmp_path: Path
) -> None:
    w = clean
    lat, lon = inner_point(w, w.grid)
    body = {"name": "老王烩面馆", "type_code": "small_restaurant", "address": "建设路1号", "lat": lat, "lon": lon,
            "risk": "red", "responsible_name": "王五", "responsible_phone": "13912345678"}  # fmt: skip
    r = api.post("dispatcher", "/api/v1/safety/places", body)
    assert r.status_code == 201, r.text
    place_id = r.json()["id"]
    assert api.post("dispatcher", "/api/v1/safety/plans/generate", {"period": "2025-09"}).status_code == 200
    found = tmp_path / "found.png"
    found.write_bytes(png_bytes("red", (320, 240)))
    fixed = tmp_path / "fixed.png"
    fixed.write_bytes(png_bytes("green", (320, 240)))

    phone = browsing.page("grid-worker", "phone")  # type: ignore[attr-defined]
    phone.clock.set_system_time(w.clock.now())  # the phone's clock at the server's fixed time
    phone.goto("/safety/inspect")
    task = phone.locator(".sf-task").first
    expect(task).to_contain_text("老王烩面馆")
    task.locator("summary").click()
    item = task.locator('.sf-item[data-item="F02"]')
    expect(item).to_contain_text("《中华人民共和国消防法》第十六条")
    item.get_by_label("不合格").check()
    item.locator("input[name=photos]").set_input_files(str(found))
    item.get_by_label("立即整改 (一般隐患, 附整改后照片)").check()
    item.locator("input[name=fixed_photos]").set_input_files(str(fixed))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.context.set_offline(True)
    expect(phone.locator("#sf-net")).to_contain_text("离线")
    task.get_by_role("button", name="提交检查").click()
    expect(task.locator(".sf-result")).to_contain_text("已离线保存")
    expect(phone.locator("#sf-outbox")).to_contain_text("1 条检查记录")
    browsing.shot(phone, "safety-inspect-offline")  # type: ignore[attr-defined]
    with w.container.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM safety_inspections")).scalar_one() == 0

    phone.context.set_offline(False)
    expect(task.locator(".sf-result")).to_contain_text("离线记录已上传: 发现隐患 1 项")
    expect(phone.locator("#sf-outbox")).to_be_hidden()
    with w.container.sessions() as s:
        rows = s.execute(text("SELECT failed, task_id FROM safety_inspections")).all()
        hazard = s.execute(text("SELECT status, fixed_on_spot FROM safety_hazards")).one()
        photos = s.execute(text("SELECT purpose FROM safety_photos ORDER BY id")).scalars().all()
    assert [r[0] for r in rows] == [1] and rows[0][1] is not None
    assert hazard[0] == "closed" and hazard[1] and photos == ["found", "fixed"]
    browsing.shot(phone, "safety-inspect-sent")  # type: ignore[attr-defined]

    street = browsing.page("street", "desktop")  # type: ignore[attr-defined]
    street.goto("/safety/hazards?status=closed")
    expect(street.locator("table")).to_contain_text("老王烩面馆")
    expect(street.locator("#sf-map")).to_have_attribute("data-points", "1")
    assert place_id
    browsing.shot(street, "safety-hazards")  # type: ignore[attr-defined]


def test_the_street_writes_the_five_measures_on_the_hazards_page(browsing: object, api: Api, clean: World) -> None:
    import base64

    w = clean
    lat, lon = inner_point(w, w.grid)
    body = {
        "name": "城南小旅馆",
        "type_code": "small_hotel",
        "address": "南路2号",
        "lat": lat,
        "lon": lon,
        "risk": "orange",
    }
    place_id = api.post("dispatcher", "/api/v1/safety/places", body).json()["id"]
    items = api.get("grid-worker", f"/api/v1/safety/places/{place_id}/checklist").json()["items"]
    results = {i["code"]: {"result": "pass"} for i in items}
    results["L02"] = {"result": "fail", "grade": "major", "photos": [base64.b64encode(png_bytes()).decode()]}
    done = api.post("grid-worker", "/api/v1/safety/inspections", {"place_id": place_id, "results": results}).json()
    hid = done["hazards"][0]["id"]

    street = browsing.page("street", "desktop")  # type: ignore[attr-defined]
    street.goto(f"/safety/hazards/{hid}")
    form = street.locator('form.sf-act[data-action="submit_plan"]')
    form.get_by_label("责任落实 (整改责任人)").fill("赵老板 (经营者)")
    form.get_by_label("措施落实 (整改措施)").fill("减少房间床位至核定数量")
    form.get_by_label("资金落实 (元)").fill("0")
    form.get_by_role("button", name="制定治理方案").click()
    expect(form.locator(".error")).to_contain_text("资金")
    form.get_by_label("资金落实 (元)").fill("12000")
    form.get_by_label("时限落实 (整改完成日期)").fill("2025-10-31")
    form.get_by_label("预案落实 (整改期间的应急预案)").fill("整改期间停止接待住宿")
    form.get_by_role("button", name="制定治理方案").click()
    expect(street.locator("dl.sf-plan")).to_contain_text("12,000 元")
    expect(street.locator("h1 + p + p")).to_contain_text("整改中")
    assert street.locator('form.sf-act[data-action="submit_plan"]').count() == 0
    browsing.shot(street, "safety-hazard")  # type: ignore[attr-defined]
