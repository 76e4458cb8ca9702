"""The grid worker's phone without a signal (Debian chromium, offline mode): reports and a verification wait
on the phone, the screen opens again from the service worker's cache, and everything is sent once when the
signal returns — exactly one case per report, a resend included."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text

from conftest import Api, World, inner_point, png_bytes


def count(w: World, sql: str, **params: Any) -> int:
    with w.container.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def ready_offline(page: Any) -> None:
    """The service worker is installed (its cache filled) and controls the page."""
    page.goto("/worker")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def file_report(page: Any, title: str, photo: str | None = None, here: bool = False) -> None:
    page.get_by_label("发现的问题 (必填)").fill(title)
    if here:  # the phone's own position (no signal needed); the grid is found when the report is sent
        page.get_by_role("button", name="使用我的位置").click()
        expect(page.locator("#where")).to_contain_text("无网络, 发送时定位网格")
    if photo:
        page.get_by_label("现场照片").set_input_files(
            [{"name": "scene.png", "mimeType": "image/png", "buffer": png_bytes(photo)}]
        )
    page.get_by_role("button", name="上报").click()


def test_two_reports_filed_offline_make_exactly_two_cases(browsing: Any, clean: World) -> None:
    lat, lon = inner_point(clean, clean.grid)
    worker = browsing.page(
        "grid-worker", "phone", geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"]
    )
    ready_offline(worker)
    worker.context.set_offline(True)
    file_report(worker, "楼道堆放杂物堵塞消防通道", photo="blue", here=True)
    expect(worker.locator("#outbox-count")).to_have_text("1")
    expect(worker.locator("#patrol-result")).to_contain_text("无网络")
    file_report(worker, "地下室积水")
    expect(worker.locator("#outbox-count")).to_have_text("2")
    expect(worker.locator("#outbox-items li")).to_have_count(2)
    expect(worker.locator("#outbox-items")).to_contain_text("等待网络")
    assert count(clean, "SELECT count(*) FROM cases") == 0  # nothing reached the server

    worker.reload()  # no signal: the screen comes from the service worker's cache, the outbox from IndexedDB
    expect(worker.get_by_role("heading", name="巡查上报")).to_be_visible()
    expect(worker.locator("#outbox-count")).to_have_text("2")
    expect(worker.locator("#outbox-items li").first).to_contain_text("照片 1 张待发")
    browsing.shot(worker, "worker-offline")
    waiting = worker.evaluate("GG.outbox.list()")
    assert count(clean, "SELECT count(*) FROM cases") == 0

    worker.context.set_offline(False)  # the signal returns: sent in order, each with its key
    expect(worker.locator("#outbox")).to_be_hidden()
    expect(worker.locator("#patrol-result a")).to_be_visible()
    titles = ["楼道堆放杂物堵塞消防通道", "地下室积水"]
    assert count(clean, "SELECT count(*) FROM cases") == 2
    with clean.container.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, title, source, grid_code FROM cases ORDER BY id")).all()
    assert [r.title for r in rows] == titles and {r.source for r in rows} == {"patrol"}
    assert rows[0].grid_code == clean.grid  # located on the server from the point taken offline
    assert count(clean, "SELECT count(*) FROM case_photos WHERE case_id = :c", c=rows[0].id) == 1
    expect(worker.locator(f"#open-cases [data-case-id='{rows[0].id}']")).to_be_visible()  # the lists redrawn

    # the answer to the first send was lost and the phone sends the same item again: still two cases
    first = waiting[0]
    again = "(i) => GG.outbox.add({kind: i.kind, key: i.key, label: i.label, body: i.body})"
    worker.evaluate(again + ".then(() => GG.outbox.flush())", first)
    expect(worker.locator("#outbox")).to_be_hidden()
    assert count(clean, "SELECT count(*) FROM cases") == 2
    assert count(clean, "SELECT count(*) FROM case_photos WHERE case_id = :c", c=rows[0].id) == 1


def test_a_verification_made_offline_is_sent_when_the_signal_returns(browsing: Any, api: Api, clean: World) -> None:
    made = api.post("grid-worker", "/api/v1/cases", {"title": "井盖缺失", "source": "patrol", "grid_code": clean.grid})
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    api.ok("operator", cid, "register", category_code="E0506")
    api.ok("dispatcher", cid, "dispatch", unit_code=clean.street_code)
    api.ok("street", cid, "accept")
    api.ok("street", cid, "handle", note="已补装井盖")

    worker = browsing.page("grid-worker", "phone")
    ready_offline(worker)
    worker.locator(f"#to-verify [data-case-id='{cid}'] button.link").first.click()  # the panel, while online
    form = worker.locator("form[data-action='verify']")
    expect(form).to_be_visible()
    worker.context.set_offline(True)
    form.get_by_label("核查说明").fill("现场已补装, 核查通过")
    form.get_by_label("核查照片").set_input_files(
        [{"name": "check.png", "mimeType": "image/png", "buffer": png_bytes("green")}]
    )
    form.locator("button[type=submit]").click()
    expect(worker.locator("#outbox-count")).to_have_text("1")
    expect(worker.locator("#outbox-items li")).to_contain_text("核查通过")
    assert count(clean, "SELECT count(*) FROM case_events WHERE case_id = :c AND action = 'verify'", c=cid) == 0

    worker.context.set_offline(False)
    expect(worker.locator("#outbox")).to_be_hidden()
    expect(worker.locator("#verify-count")).to_have_text("0")
    with clean.container.engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM cases WHERE id = :c"), {"c": cid}).scalar_one()
    assert status == "closed"
    events = api.get("street", f"/api/v1/cases/{cid}/events").json()
    assert events[-1]["action"] == "verify" and events[-1]["payload"]["note"] == "现场已补装, 核查通过"
    assert events[-1]["payload"]["evidence"][0].startswith("photo://")
