"""安全生产 through HTTP (SQLite, and PostgreSQL with GRIDGOV_TEST_DATABASE_URL): a plan generates tasks; an
inspection fails two items, one fixed on the spot with a photo, one graded 重大 that gets its plan with the 五落实,
is put under 挂牌督办, fails its first review, then passes and is 销号 — every step on the record and `gridgov
audit verify` passing; the places list imported all or nothing with the bad lines named; a hazard referred to the
case loop and linked both ways; the same place and item found again linked to the open hazard; late hazards
escalated up the tree on working days."""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from gridgov.accounts.services import UserExists, add_user, issue_token
from gridgov.safety.audit import verify_safety

from conftest import START, Api, World, inner_point, png_bytes

PERIOD = "2025-10"  # the weeks whose Monday falls in October 2025: 6, 13, 20, 27 October


def photo(colour: str = "red") -> str:
    return base64.b64encode(png_bytes(colour)).decode()


@pytest.fixture
def sf(api: Api, clean: World) -> Iterator[Api]:
    """The API with a 应急管理局 (bureau) user of the test grid's district."""
    w = clean
    name = f"yjgl-{w.district}"
    if "bureau" not in api.tokens:
        with contextlib.suppress(UserExists):  # made by an earlier test of the session
            add_user(w.container.uow(), name, "department", f"{w.district}-yjgl", START)
        api.tokens["bureau"] = issue_token(w.container.uow(), name, START)
    yield api


def place(sf: Api, w: World, name: str, type_code: str, risk: str, grid: str | None = None) -> dict[str, Any]:
    lat, lon = inner_point(w, grid or w.grid)
    body = {
        "name": name,
        "type_code": type_code,
        "address": "测试路1号",
        "lat": lat,
        "lon": lon,
        "risk": risk,
        "responsible_name": "张三丰",
        "responsible_phone": "13812345678",
    }
    r = sf.post("dispatcher", "/api/v1/safety/places", body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def all_pass(sf: Api, place_id: int) -> dict[str, Any]:
    items = sf.get("grid-worker", f"/api/v1/safety/places/{place_id}/checklist").json()["items"]
    return {i["code"]: {"result": "pass"} for i in items}


def act(sf: Api, who: str, hazard_id: int, action: str, **body: Any) -> dict[str, Any]:
    r = sf.post(who, f"/api/v1/safety/hazards/{hazard_id}/actions", {"action": action, **body})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_a_plan_an_inspection_and_a_major_hazard_to_closed_out_on_the_record(sf: Api, clean: World) -> None:
    w = clean
    restaurant = place(sf, w, "老王烩面馆", "small_restaurant", "red")
    shop = place(sf, w, "便民小超市", "small_shop", "yellow")
    assert restaurant["grid_code"] == w.grid and restaurant["responsible_phone"] == "138****5678"
    assert restaurant["responsible_name"] == "张**"

    # the plan generates tasks: each 九小场所 monthly, the red one weekly; again, nothing more (idempotent)
    made = sf.post("dispatcher", "/api/v1/safety/plans/generate", {"period": PERIOD}).json()
    assert {m["plan"]: m["made"] for m in made} == {"nine_small_monthly": 2, "red_weekly": 4}
    assert [m["rounds"] for m in made if m["plan"] == "red_weekly"] == [
        ["2025-W41", "2025-W42", "2025-W43", "2025-W44"]
    ]
    again = sf.post("dispatcher", "/api/v1/safety/plans/generate", {"period": PERIOD}).json()
    assert [m["made"] for m in again] == [0, 0] and [m["total"] for m in again] == [2, 4]
    tasks = sf.get("grid-worker", "/api/v1/safety/tasks").json()
    assert {t["place"]["id"] for t in tasks} == {restaurant["id"], shop["id"]} and len(tasks) == 6
    assert sf.get("other-worker", "/api/v1/safety/tasks").json() == []
    cover = sf.get("leader", "/api/v1/safety/coverage", period=PERIOD, level="street").json()
    assert cover == [{"code": w.street_code, "name": cover[0]["name"], "due": 6, "done": 0, "coverage": 0.0}]

    # the inspection fails two items: F02 (一般, fixed on the spot with a photo) and G03 (重大)
    task = next(t for t in tasks if t["place"]["id"] == restaurant["id"] and t["plan"] == "nine_small_monthly")
    results = all_pass(sf, restaurant["id"])
    results["F02"] = {"result": "fail", "fixed_on_spot": True, "photos": [photo()], "fixed_photos": [photo("green")]}
    results["G03"] = {
        "result": "fail",
        "grade": "major",
        "photos": [photo("blue")],
        "note": "地下室存放液化气钢瓶 6 瓶",
    }
    body = {"place_id": restaurant["id"], "task_id": task["id"], "client_key": "phone-key-0001", "results": results}
    refused = sf.post("other-worker", "/api/v1/safety/inspections", body)
    assert refused.status_code == 403, refused.text  # not their grid
    done = sf.post("grid-worker", "/api/v1/safety/inspections", body)
    assert done.status_code == 201, done.text
    found = {h["item_code"]: h for h in done.json()["hazards"]}
    assert done.json()["failed"] == 2
    assert found["F02"]["status"] == "closed" and found["F02"]["grade"] == "general"
    assert found["G03"]["status"] == "awaiting_plan" and found["G03"]["grade"] == "major"
    resent = sf.post("grid-worker", "/api/v1/safety/inspections", body)  # the offline outbox sends it again
    assert resent.status_code == 201 and resent.json()["id"] == done.json()["id"] and not resent.json()["created"]
    cover = sf.get("leader", "/api/v1/safety/coverage", period=PERIOD, level="grid").json()
    assert [(c["code"], c["due"], c["done"]) for c in cover] == [(w.grid, 6, 1)]

    spot = sf.get("street", f"/api/v1/safety/hazards/{found['F02']['id']}").json()
    assert spot["fixed_on_spot"] and spot["on_time"] and [p["purpose"] for p in spot["photos"]] == ["found", "fixed"]
    assert sf.get("street", f"/api/v1/safety/hazards/photos/{spot['photos'][1]['id']}").status_code == 200

    # the major one: plan with the 五落实, 挂牌督办, a failed review, a passed one, 销号
    hid = found["G03"]["id"]
    w.clock.advance(timedelta(hours=2))
    bad_plan = {
        "responsible": "王老板",
        "measures": "清走钢瓶",
        "funds": 0,
        "time_limit": "2025-10-20",
        "contingency": "禁止明火",
    }
    missing = sf.post("street", f"/api/v1/safety/hazards/{hid}/actions", {"action": "submit_plan", **bad_plan})
    assert missing.status_code == 422 and "资金" in missing.json()["error"]["message"], missing.text
    plan = {"responsible": "王老板 (经营者)", "measures": "清走地下室钢瓶, 改用管道燃气", "funds": 8000,
            "time_limit": "2025-10-20", "contingency": "整改期间停用燃气灶具, 配备灭火器"}  # fmt: skip
    after = act(sf, "street", hid, "submit_plan", **plan)
    assert after["status"] == "rectifying" and after["plan"]["funds"] == 8000
    assert sf.post("street", f"/api/v1/safety/hazards/{hid}/actions", {"action": "supervise"}).status_code == 403
    after = act(sf, "bureau", hid, "supervise", note="区应急管理局挂牌督办")
    assert after["supervised"] and after["supervisor_unit"] == f"{w.district}-yjgl"
    listed = sf.get("leader", "/api/v1/safety/hazards", supervised="true").json()
    assert [h["id"] for h in listed["items"]] == [hid]
    w.clock.advance(timedelta(days=3))
    act(sf, "grid-worker", hid, "report_rectified", photos=[photo("white")], note="钢瓶已清走")
    street_review = sf.post("street", f"/api/v1/safety/hazards/{hid}/actions", {"action": "pass_review"})
    assert street_review.status_code == 403, street_review.text  # under 挂牌督办: the bureau reviews
    after = act(sf, "bureau", hid, "fail_review", note="仍有一瓶未清走")
    assert after["status"] == "rectifying" and after["reviews"] == 1
    w.clock.advance(timedelta(days=1))
    act(sf, "grid-worker", hid, "report_rectified", photos=[photo("gray")])
    after = act(sf, "bureau", hid, "pass_review", note="验收合格")
    assert after["status"] == "accepted" and after["reviews"] == 2 and after["on_time"] is True
    after = act(sf, "bureau", hid, "close_out")
    assert after["status"] == "closed" and after["closed_at"]
    assert sf.post("bureau", f"/api/v1/safety/hazards/{hid}/actions", {"action": "close_out"}).status_code == 409

    # every step on the record, and the city's log verifies
    events = sf.get("leader", f"/api/v1/safety/hazards/{hid}/events").json()
    assert [e["action"] for e in events] == [
        "find",
        "submit_plan",
        "supervise",
        "report_rectified",
        "fail_review",
        "report_rectified",
        "pass_review",
        "close_out",
    ]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(events, events[1:], strict=False))
    assert events[1]["payload"]["funds"] == 8000 and events[4]["payload"]["note"] == "仍有一瓶未清走"
    place_events = sf.get("leader", f"/api/v1/safety/places/{restaurant['id']}/events").json()
    assert [e["action"] for e in place_events] == ["register", "inspect"]
    with w.container.sessions() as s:
        report = verify_safety(s)
        leaves = s.execute(text("SELECT count(*) FROM audit_log WHERE stream LIKE 'safety_%'")).scalar_one()
    assert report.ok, report.problems
    assert leaves == report.events >= len(events) + len(place_events)
    from gridgov.cli import main

    url = w.container.settings.database_url
    verified = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    assert verified.exit_code == 0 and "未知的流" not in verified.output, verified.output
    verified = CliRunner().invoke(main, ["safety", "verify", "--database-url", url])
    assert verified.exit_code == 0 and f"{report.events} 个事件" in verified.output, verified.output

    # tampering with one event is caught by `gridgov audit verify`
    with w.container.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE safety_events SET payload = :p WHERE stream = 'safety_hazard' AND subject_id = :h AND seq = 2"
            ),
            {"p": '{"funds": 1}', "h": hid},
        )
    broken = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    assert broken.exit_code == 1 and "安全生产: 隐患" in broken.output, broken.output


def places_xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "场所名称", "场所类型", "地址", "经度", "纬度", "风险等级", "负责人", "联系电话"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_places_list_is_imported_all_or_nothing_with_the_bad_lines_named(
    sf: Api, clean: World, tmp_path: Any
) -> None:
    w = clean
    lat, lon = inner_point(w, w.grid)
    lat2, lon2 = inner_point(w, w.other_grid)
    good = [1, "好运来小旅馆", "小旅馆", "A路1号", lon, lat, "橙", "李四", "13900001111"]
    rows = [
        good,
        [2, "远方加工厂", "小生产加工企业", "城外", 120.0, 30.0, "黄", "", ""],  # far outside the city
        [3, "某某场所", "太空站", "B路", lon2, lat2, "蓝", "", ""],  # unknown type
    ]
    from gridgov.cli import main

    path = tmp_path / "places.xlsx"
    path.write_bytes(places_xlsx(rows))
    url = w.container.settings.database_url
    out = CliRunner().invoke(main, ["safety", "import-places", str(path), "--database-url", url])
    assert out.exit_code == 2, out.output
    assert "第 3 行" in out.output and "不在本市网格范围内" in out.output  # the header is line 1
    assert "第 4 行" in out.output and "未知的场所类型: 太空站" in out.output
    with w.container.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM safety_places")).scalar_one() == 0
    r = sf.client.post(
        "/api/v1/safety/places/import",
        headers={"Authorization": f"Bearer {sf.tokens['street']}"},
        files={"file": ("places.xlsx", places_xlsx(rows), "application/octet-stream")},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "place_import_refused"
    assert [e["line"] for e in r.json()["error"]["details"]["errors"]] == [3, 4]
    path.write_bytes(places_xlsx([good, [2, "城南出租屋", "出租房屋", "C路", lon2, lat2, "蓝色", "", ""]]))
    out = CliRunner().invoke(main, ["safety", "import-places", str(path), "--database-url", url])
    assert out.exit_code == 0 and "已导入 2 个场所" in out.output, out.output
    listed = sf.get("leader", "/api/v1/safety/places").json()
    assert sorted((p["type"], p["risk"], p["grid_code"]) for p in listed["items"]) == sorted(
        [("small_hotel", "orange", w.grid), ("rental_housing", "blue", w.other_grid)]
    )
    assert {p["responsible_phone"] for p in listed["items"]} == {"139****1111", ""}
    out = CliRunner().invoke(main, ["safety", "plan", "--period", "2026-12", "--database-url", url])
    assert out.exit_code == 0 and "nine_small_monthly 2026-12" in out.output and "新增 1 个任务" in out.output


def test_a_hazard_found_again_is_linked_and_a_referred_one_becomes_a_dispatched_case(sf: Api, clean: World) -> None:
    w = clean
    shop = place(sf, w, "夫妻小卖部", "small_shop", "yellow")
    results = all_pass(sf, shop["id"])
    results["F01"] = {"result": "fail", "photos": [photo()]}
    first = sf.post("grid-worker", "/api/v1/safety/inspections", {"place_id": shop["id"], "results": results}).json()
    hid = first["hazards"][0]["id"]
    assert first["hazards"][0]["status"] == "rectifying" and not first["hazards"][0]["linked"]
    w.clock.advance(timedelta(days=1))
    second = sf.post("grid-worker", "/api/v1/safety/inspections", {"place_id": shop["id"], "results": results}).json()
    assert second["hazards"][0]["id"] == hid and second["hazards"][0]["linked"]
    assert sf.get("street", f"/api/v1/safety/hazards/{hid}").json()["repeat_count"] == 1
    assert sf.get("street", "/api/v1/safety/hazards", place_id=shop["id"]).json()["total"] == 1

    # 转办: a case for the department the matrix names (消防 → 应急管理), linked both ways
    after = act(sf, "street", hid, "refer", kind="fire", note="消防通道堵塞, 请消防部门处理")
    case_id = after["case_id"]
    assert after["case"]["status"] == "dispatched"
    case = sf.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert f"/safety/hazards/{hid}" in case["description"]
    assert sf.get("street", f"/api/v1/safety/hazards/by-case/{case_id}").json()["id"] == hid
    assert (
        sf.post("street", f"/api/v1/safety/hazards/{hid}/actions", {"action": "refer", "kind": "fire"}).status_code
        == 409
    )

    # late: past the 一般隐患's 7 working days it goes up to the district, then the city
    from gridgov.safety.repository import SqlSafetyUnitOfWork
    from gridgov.safety.services import scan_overdue_hazards

    c = w.container
    assert scan_overdue_hazards(lambda: SqlSafetyUnitOfWork(c.uow()), w.clock.now(), c.calendar).escalated == 0
    w.clock.advance(timedelta(days=20))  # the National Day holiday (1–8 October) is not working days
    one = scan_overdue_hazards(lambda: SqlSafetyUnitOfWork(c.uow()), w.clock.now(), c.calendar)
    assert one.ids == (hid,)
    w.clock.advance(timedelta(days=10))
    from gridgov.worker import sweep

    sweep(c)  # the worker's periodic deadline sweep (and gridgov serve's on SQLite) escalates late hazards too
    w.clock.advance(timedelta(days=10))
    assert scan_overdue_hazards(lambda: SqlSafetyUnitOfWork(c.uow()), w.clock.now(), c.calendar).escalated == 0
    events = sf.get("leader", f"/api/v1/safety/hazards/{hid}/events").json()
    ups = [e["payload"]["to_unit"] for e in events if e["action"] == "escalate"]
    assert ups == [f"{w.district}-yjgl", "4101-yjgl"]


def test_the_ledger_exports_the_usual_columns_and_the_rates(sf: Api, clean: World) -> None:
    w = clean
    shop = place(sf, w, "台账小超市", "small_shop", "blue")
    sf.post("dispatcher", "/api/v1/safety/plans/generate", {"period": "2025-09"})
    results = all_pass(sf, shop["id"])
    results["E01"] = {"result": "fail", "photos": [photo()], "fixed_on_spot": True, "fixed_photos": [photo("green")]}
    results["F04"] = {"result": "fail", "grade": "major", "photos": [photo()]}
    sf.post("grid-worker", "/api/v1/safety/inspections", {"place_id": shop["id"], "results": results})
    stats = sf.get("leader", "/api/v1/safety/statistics", period="2025Q3", by="grade").json()
    by = {r["key"]: r for r in stats["rows"]}
    assert by["general"]["found"] == 1 and by["general"]["rectification"] == 1.0
    assert by["major"]["found"] == 1 and by["major"]["major_closed"] == 0.0
    assert stats["total"]["rectification"] == 0.5 and stats["total"]["recurrence"] == 0.0
    district = sf.get("leader", "/api/v1/safety/statistics", period="2025", by="district").json()["rows"]
    assert [(r["key"], r["due"], r["done"], r["coverage"]) for r in district] == [(w.district, 1, 1, 1.0)]
    r = sf.get("leader", "/api/v1/safety/ledger.xlsx", period="2025Q3")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ledger = wb.worksheets[0]
    header = [c.value for c in ledger[1]]
    for column in ("场所", "隐患内容 (检查项目)", "隐患等级", "发现日期", "发现人", "整改期限", "整改措施",
                   "整改资金(元)", "整改责任人", "验收日期", "验收人", "状态"):  # fmt: skip
        assert column in header
    assert ledger.max_row == 3
    assert [ws.title for ws in wb.worksheets][1:] == ["统计按县区", "统计按街道", "统计按场所类型", "统计按隐患等级"]


def test_the_screens_render_for_their_people(sf: Api, clean: World) -> None:
    w = clean
    p = place(sf, w, "页面小旅馆", "small_hotel", "red")
    sf.post("dispatcher", "/api/v1/safety/plans/generate", {"period": "2025-09"})
    results = all_pass(sf, p["id"])
    results["L02"] = {"result": "fail", "grade": "major", "photos": [photo()]}
    hid = sf.post("grid-worker", "/api/v1/safety/inspections", {"place_id": p["id"], "results": results}).json()[
        "hazards"
    ][0]["id"]
    act(sf, "bureau", hid, "supervise")
    for who, path, expected in (
        ("grid-worker", "/safety/inspect", "安全检查 · 我的任务"),
        ("street", "/safety/hazards", "隐患清单 · 本街道"),
        ("bureau", "/safety/supervised", "挂牌督办 · 重大隐患"),
        ("leader", "/safety/ledger?period=2025Q3", "安全生产台账 · 2025年第3季度"),
        ("street", f"/safety/hazards/{hid}", "责任链"),
    ):
        r = sf.get(who, path)
        assert r.status_code == 200 and expected in r.text, (path, r.status_code)
    assert "页面小旅馆" in sf.get("bureau", "/safety/supervised").text
    assert sf.get("resident", "/safety/hazards").status_code == 403


def test_the_demo_has_generated_places_and_hazards_in_every_state(sf: Api, clean: World) -> None:
    from gridgov.safety.demo import GridBox, seed_safety
    from gridgov.safety.queries import grid_boxes
    from gridgov.safety.repository import SqlSafetyUnitOfWork

    w = clean
    c = w.container
    with c.sessions() as s:
        grids = [GridBox(code, box) for code, box in grid_boxes(s)]
    done = seed_safety(
        lambda: SqlSafetyUnitOfWork(c.uow()), grids, w.clock.now(), c.calendar, places=400, inspections=30
    )
    assert done.places == 400 and done.tasks > 0 and done.inspections == 30
    assert seed_safety(lambda: SqlSafetyUnitOfWork(c.uow()), grids, w.clock.now(), c.calendar).skipped
    with c.sessions() as s:
        states = set(s.execute(text("SELECT DISTINCT status FROM safety_hazards")).scalars())
        generated = s.execute(text("SELECT count(*) FROM safety_places WHERE generated")).scalar_one()
        supervised = s.execute(text("SELECT count(*) FROM safety_hazards WHERE supervised")).scalar_one()
        report = verify_safety(s)
    assert states == {"awaiting_plan", "rectifying", "awaiting_review", "accepted", "closed"}
    assert generated == 400 and supervised > 0 and report.ok, report.problems
