"""三标 through HTTP: an indicator computed from cases, one imported from a file and one entered by hand, each
with 标杆, 标准 and a milestone, read on a street's scorecard, in a ranking (JSON and Excel) and on the 三标
panel; every change on the indicator's hash chain; refusals with stable codes and Chinese messages."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from conftest import Api, World

TABLES = (
    "indicator_events",
    "indicator_values",
    "indicator_targets",
    "indicator_milestones",
    "ranking_schemes",
    "indicators",
)


def _clear(w: World) -> None:
    with w.container.engine.begin() as conn:
        for name in TABLES:
            conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def marks(api: Api, clean: World) -> Iterator[Api]:
    _clear(clean)
    yield api
    _clear(clean)


def _closed_case(api: Api, w: World) -> None:
    r = api.post("resident", "/api/v1/cases", {"title": "楼道堆放杂物", "grid_code": w.grid, "category_code": "H1802"})
    assert r.status_code == 201, r.text
    case_id = int(r.json()["id"])
    for who, action, extra in (
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已清理"}),
        ("street", "verify", {}),
        ("resident", "evaluate", {"resolved": True, "satisfaction": "satisfied"}),
    ):
        api.ok(who, case_id, action, **extra)


def _upload(api: Api, who: str, path: str, name: str, body: bytes) -> Any:
    return api.client.post(path, headers=api._h(who), files={"file": (name, body, "text/csv")})


def seed(api: Api, w: World) -> dict[str, str]:
    """Three indicators of the street level with their 三标, and a ranking scheme over them."""
    street, other = w.street_code, w.other_grid[:9]
    _closed_case(api, w)
    definitions = [
        {
            "code": "on_time",
            "name": "按期结案率",
            "level": "street",
            "period_kind": "month",
            "source_kind": "computed",
            "source_key": "metrics.on_time_close_rate",
        },
        {"code": "invest", "name": "固定资产投资增速", "level": "street", "period_kind": "month",
         "source_kind": "imported", "unit": "%"},
        {"code": "complaints", "name": "重复投诉件数", "level": "street", "period_kind": "month",
         "source_kind": "manual", "unit": "件", "direction": "lower"},
    ]  # fmt: skip
    for d in definitions:
        r = api.post("admin", "/api/v1/indicators", d)
        assert r.status_code == 201, r.text
    for code, bench, source, standard in (
        ("on_time", 99.5, "杭州 2025 按期结案率 99.5%", 98.0),
        ("invest", 8.0, "全省街道平均 8%", 6.0),
        ("complaints", 1, "金水区最好街道 1 件", 5),
    ):
        r = api.client.put(
            f"/api/v1/indicators/{code}/targets/{street}",
            headers=api._h("admin"),
            json={"benchmark": bench, "benchmark_source": source, "standard": standard},
        )
        assert r.status_code == 200, r.text
    for code, due, target in (
        ("on_time", "2025-12-31", 99.5),
        ("invest", "2025-09-30", 6.0),
        ("complaints", "2025-09-15", 2),
    ):
        r = api.post(
            "admin", f"/api/v1/indicators/{code}/milestones", {"unit_code": street, "due": due, "target": target}
        )
        assert r.status_code == 201, r.text
    csv = f"单位编码,期间,数值\n{street},2025-09,6.5\n{other},2025-09,5.2\n".encode()
    r = _upload(api, "admin", "/api/v1/indicators/invest/values/import", "invest.csv", csv)
    assert r.status_code == 200 and r.json()["added"] == 2, r.text
    r = api.post(
        "street", "/api/v1/indicators/complaints/values", {"unit_code": street, "period": "2025-09", "value": 3}
    )
    assert r.status_code == 200, r.text
    r = api.post("admin", "/api/v1/indicators/complaints/values", {"unit_code": other, "period": "2025-09", "value": 4})
    assert r.status_code == 200, r.text
    weights = {"on_time": 50, "invest": 30, "complaints": 20}
    r = api.client.put(
        "/api/v1/indicators/schemes/streets",
        headers=api._h("admin"),
        json={"name": "街道三标综合排名", "level": "street", "weights": weights},
    )
    assert r.status_code == 200, r.text
    return {"street": street, "other": other}


def test_three_sources_with_their_marks_on_the_streets_scorecard(marks: Api, clean: World) -> None:
    units = seed(marks, clean)
    r = marks.get("leader", f"/api/v1/indicators/scorecards/{units['street']}", as_of="2025-09")
    assert r.status_code == 200, r.text
    card = r.json()
    assert card["level"] == "street" and card["as_of"] == "2025-09"
    by_code = {c["code"]: c for c in card["indicators"]}
    on_time = by_code["on_time"]
    assert on_time["source_kind"] == "computed" and on_time["value"] == 100.0  # the one case closed on time
    assert on_time["meets_standard"] and on_time["vs_benchmark"] == pytest.approx(0.5)
    assert on_time["benchmark_source"] == "杭州 2025 按期结案率 99.5%"
    assert on_time["milestones"][0]["status"] == "met" and on_time["rank"]["rank"] == 1
    invest = by_code["invest"]
    assert invest["value"] == 6.5 and invest["source_label"] == "文件导入" and invest["entered_by"] == "admin"
    assert invest["milestones"][0]["status"] == "met"
    assert invest["rank"] == {"rank": 1, "from_bottom": 2, "total": 2}
    complaints = by_code["complaints"]
    assert complaints["value"] == 3 and complaints["entered_by"] == "street" and complaints["entered_at"]
    assert complaints["vs_standard"] == 2 and complaints["milestones"][0]["status"] == "late"  # due 15 Sep, 3 > 2
    assert complaints["rank"]["rank"] == 1
    assert len(on_time["trend"]) == 12 and on_time["trend"][-1] == {"period": "2025-09", "value": 100.0}
    assert card["composites"][0]["rank"]["rank"] == 1


def test_the_ranking_in_json_and_excel_and_the_panel(marks: Api, clean: World) -> None:
    units = seed(marks, clean)
    r = marks.get("leader", "/api/v1/indicators/rankings/streets", as_of="2025-09")
    assert r.status_code == 200, r.text
    ranking = r.json()
    assert ranking["rows"][0]["unit_code"] == units["street"] and ranking["rows"][0]["score"] == 100
    assert [c["weight"] for c in ranking["indicators"]] == [50, 30, 20]
    x = marks.get("leader", "/api/v1/indicators/rankings/streets/xlsx", as_of="2025-09")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(x.content)).active
    assert [c.value for c in ws[1]][:5] == ["排名", "倒数", "单位编码", "单位名称", "综合得分"]
    assert ws.cell(row=2, column=3).value == units["street"] and ws.cell(row=2, column=1).value == 1
    panel = marks.get("dispatcher", "/api/v1/indicators/panel", level="street", as_of="2025-09").json()
    invest = next(i for i in panel["indicators"] if i["code"] == "invest")
    assert (
        invest["meets_standard"] == 1
        and invest["milestones"]["met"] == 1
        and invest["best"]["unit_code"] == units["street"]
    )


def test_every_change_is_on_the_indicators_chain(marks: Api, clean: World) -> None:
    seed(marks, clean)
    r = marks.get("admin", "/api/v1/indicators/complaints/events")
    body = r.json()
    assert body["intact"] and [e["event_type"] for e in body["events"]] == [
        "indicator_defined",
        "targets_set",
        "milestone_added",
        "value_entered",
        "value_entered",
    ]
    assert body["events"][3]["actor_role"] == "street"
    with clean.container.engine.begin() as conn:
        conn.execute(
            text("UPDATE indicator_events SET actor_role = 'admin' WHERE subject = 'indicator:complaints' AND seq = 4")
        )
    tampered = marks.get("admin", "/api/v1/indicators/complaints/events").json()
    assert not tampered["intact"] and "哈希不符" in tampered["problem"]


def test_refusals_have_stable_codes_and_chinese_messages(marks: Api, clean: World) -> None:
    units = seed(marks, clean)
    r = marks.post(
        "street",
        "/api/v1/indicators",
        {"code": "x1", "name": "x", "level": "street", "period_kind": "month", "source_kind": "manual"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = marks.post(
        "admin",
        "/api/v1/indicators",
        {"code": "on_time", "name": "x", "level": "street", "period_kind": "month", "source_kind": "manual"},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "indicator_exists"
    bad = f"单位编码,期间,数值\n{units['street']},2025-10,7\n{units['street']},2025-10,8\n".encode()
    r = _upload(marks, "admin", "/api/v1/indicators/invest/values/import", "bad.csv", bad)
    assert r.status_code == 422 and r.json()["error"]["code"] == "indicator_file_rejected"
    assert "第 3 行" in r.json()["error"]["message"] and r.json()["error"]["details"]["line"] == 3
    assert (
        marks.get("leader", f"/api/v1/indicators/scorecards/{units['street']}", as_of="2025-10").json()["indicators"][
            1
        ]["value"]
        is None
    )
    r = marks.post(
        "street", "/api/v1/indicators/complaints/values", {"unit_code": units["other"], "period": "2025-09", "value": 1}
    )
    assert r.status_code == 403 and "本单位" in r.json()["error"]["message"]
    r = marks.post(
        "admin", "/api/v1/indicators/on_time/values", {"unit_code": units["street"], "period": "2025-09", "value": 1}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_source"
    assert marks.get("leader", "/api/v1/indicators/nope").json()["error"]["code"] == "indicator_not_found"
    assert marks.get("resident", "/api/v1/indicators").status_code == 403
    r = marks.client.put(
        f"/api/v1/indicators/invest/targets/{units['street']}", headers=marks._h("admin"), json={"benchmark": 9}
    )
    assert r.status_code == 422 and "标杆须注明来源" in r.json()["error"]["message"]


def test_the_sources_come_from_the_features(marks: Api) -> None:
    r = marks.get("leader", "/api/v1/indicators/sources")
    modules = {s["key"]: s["module"] for s in r.json()["sources"]}
    assert modules["metrics.on_time_close_rate"] == "gridgov.metrics.indicators"
    assert modules["air.composite_index"] == "gridgov.air.indicators"
