"""三标 in a real browser: a street's scorecard shows an indicator computed from cases, one imported and one
entered by hand, each against its 标杆 and 标准 with the gap, a trend chart and its milestone; the ranking page
ranks the streets and links back; the city's card reads its place among the key cities ("倒数第33")."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.air.sample import hourly_csv, station_codes, stations_csv

from conftest import Api, World

TABLES = (
    "indicator_events",
    "indicator_values",
    "indicator_targets",
    "indicator_milestones",
    "ranking_schemes",
    "indicators",
    "air_city_indices",
    "air_days",
    "air_hours",
    "air_imports",
    "air_stations",
)


def _clear(w: World) -> None:
    with w.container.engine.begin() as conn:
        for name in TABLES:
            conn.execute(text(f"DELETE FROM {name}"))


def _ok(r: Any, status: int = 200) -> None:
    assert r.status_code == status, r.text


def _upload(api: Api, path: str, name: str, body: bytes, **params: str) -> None:
    _ok(api.client.post(path, headers=api._h("admin"), params=params, files={"file": (name, body, "text/csv")}))


def _seed(api: Api, w: World) -> tuple[str, str]:
    street, other = w.street_code, w.other_grid[:9]
    r = api.post("resident", "/api/v1/cases", {"title": "楼道堆放杂物", "grid_code": w.grid, "category_code": "H1802"})
    _ok(r, 201)
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
    base = {"level": "street", "period_kind": "month"}
    for body in (
        {
            "code": "on_time",
            "name": "按期结案率",
            "source_kind": "computed",
            "source_key": "metrics.on_time_close_rate",
        },
        {"code": "invest", "name": "固定资产投资增速", "source_kind": "imported", "unit": "%"},
        {"code": "complaints", "name": "重复投诉件数", "source_kind": "manual", "unit": "件", "direction": "lower"},
    ):
        _ok(api.post("admin", "/api/v1/indicators", {**base, **body}), 201)
    for code, bench, source, standard, due, target in (
        ("on_time", 99.5, "杭州 2025 按期结案率 99.5%", 98.0, "2025-12-31", 99.5),
        ("invest", 8.0, "全省街道平均 8%", 6.0, "2025-09-30", 6.0),
        ("complaints", 1, "金水区最好街道 1 件", 5, "2025-09-15", 2),
    ):
        targets = {"benchmark": bench, "benchmark_source": source, "standard": standard}
        _ok(api.client.put(f"/api/v1/indicators/{code}/targets/{street}", headers=api._h("admin"), json=targets))
        milestone = {"unit_code": street, "due": due, "target": target, "title": "年度目标"}
        _ok(api.post("admin", f"/api/v1/indicators/{code}/milestones", milestone), 201)
    ahead = {"unit_code": street, "due": "2025-12-31", "target": 8.0, "title": "年底达标杆"}
    _ok(api.post("admin", "/api/v1/indicators/invest/milestones", ahead), 201)
    values = f"单位编码,期间,数值\n{street},2025-08,5.9\n{street},2025-09,6.5\n{other},2025-09,5.2\n"
    _upload(api, "/api/v1/indicators/invest/values/import", "invest.csv", values.encode())
    _ok(
        api.post(
            "street", "/api/v1/indicators/complaints/values", {"unit_code": street, "period": "2025-09", "value": 3}
        )
    )
    _ok(
        api.post("admin", "/api/v1/indicators/complaints/values", {"unit_code": other, "period": "2025-09", "value": 4})
    )
    weights = {"on_time": 50, "invest": 30, "complaints": 20}
    scheme = {"name": "街道三标综合排名", "level": "street", "weights": weights}
    _ok(api.client.put("/api/v1/indicators/schemes/streets", headers=api._h("admin"), json=scheme))
    # the city: its composite index from two stations, and the national list of 168 key cities
    city = {"code": "air_index", "name": "环境空气质量综合指数", "level": "city", "period_kind": "month"}
    _ok(
        api.post(
            "admin", "/api/v1/indicators", {**city, "source_kind": "computed", "source_key": "air.composite_index"}
        ),
        201,
    )
    codes = station_codes(2)
    _upload(api, "/api/v1/air/stations", "s.csv", stations_csv(codes, [w.district]))
    _upload(api, "/api/v1/air/hours", "h.csv", hourly_csv(codes, date(2025, 9, 1), 10))
    rows = ["城市,综合指数"] + [f"城市{i:03d},{3 + i / 100:.2f}" for i in range(168) if i != 135] + ["郑州市,4.35"]
    _upload(api, "/api/v1/air/cities", "168.csv", ("\n".join(rows) + "\n").encode(), period="2025-09")
    return street, other


def test_a_streets_scorecard_and_the_ranking_in_the_browser(browsing: Any, api: Api, clean: World) -> None:
    _clear(clean)
    street, other = _seed(api, clean)
    page = browsing.page("leader", "desktop")
    page.goto(f"/scorecards/{street}?as_of=2025-09")
    expect(page.locator("h1")).to_contain_text("三标计分卡")
    table = page.locator("#scorecard-table")
    on_time = table.locator("tr[data-indicator='on_time']")
    expect(on_time.locator("[data-field='value']")).to_have_text("100")
    expect(on_time.locator("[data-field='vs_standard']")).to_contain_text("+2 达标")
    expect(on_time.locator("[data-field='vs_benchmark']")).to_have_text("+0.5")
    expect(on_time).to_contain_text("杭州 2025 按期结案率 99.5%")
    expect(on_time.locator("[data-field='rank']")).to_contain_text("第1/")
    invest = table.locator("tr[data-indicator='invest']")
    expect(invest.locator("[data-field='value']")).to_have_text("6.5")
    expect(invest).to_contain_text("文件导入")
    expect(invest.locator("[data-field='rank']")).to_have_text("第1/2 · 倒数第2")
    complaints = table.locator("tr[data-indicator='complaints']")
    expect(complaints.locator("[data-field='value']")).to_have_text("3")
    expect(complaints).to_contain_text("手工填报 · street")
    expect(complaints.locator("[data-field='vs_benchmark']")).to_have_text("−2")
    expect(page.locator("section[data-indicator] canvas")).to_have_count(3)
    expect(page.locator("section[data-indicator='invest'] .chart")).to_have_attribute("data-points", "2")
    expect(page.locator("section[data-indicator='invest'] li[data-status='met']")).to_contain_text("已达成")
    expect(page.locator("section[data-indicator='complaints'] li[data-status='late']")).to_contain_text("已逾期")
    expect(page.locator("section[data-indicator='invest'] li[data-status='on_time']")).to_contain_text("按期推进")
    expect(page.locator("section[data-indicator='on_time'] li[data-status='met']")).to_contain_text("已达成")  # early
    expect(page.locator("[data-scheme='streets']")).to_contain_text("第1名")
    browsing.shot(page, "scorecard-street")

    page.locator("[data-scheme='streets'] a").click()
    expect(page).to_have_url(f"{browsing.base}/rankings/streets?as_of=2025-09")
    rows = page.locator("#ranking-table tbody tr")
    expect(rows.first).to_have_attribute("data-unit", street)
    expect(rows.first.locator("td").nth(3)).to_have_text("100")
    expect(page.locator(f"#ranking-table tr[data-unit='{other}']")).to_be_visible()
    expect(page.locator("#export")).to_have_attribute("href", "/api/v1/indicators/rankings/streets/xlsx?as_of=2025-09")
    browsing.shot(page, "ranking-streets")
    with page.expect_download() as download:
        page.locator("#export").click()
    assert download.value.suggested_filename.endswith("2025-09.xlsx")

    page.goto("/scorecards/4101?as_of=2025-09")
    expect(page.locator("#air-rank")).to_have_attribute("data-state", "ready")
    expect(page.locator("#air-rank b")).to_have_text("倒数第33")
    expect(page.locator("#air-rank")).to_contain_text("第136名 · 倒数第33名 (共168个城市)")
    expect(page.locator("tr[data-indicator='air_index'] [data-field='value']")).not_to_have_text("—")
    browsing.shot(page, "scorecard-city")

    phone = browsing.page("street", "phone")
    phone.goto(f"/scorecards/{street}?as_of=2025-09")
    expect(phone.locator("section[data-indicator] canvas")).to_have_count(3)
    browsing.shot(phone, "scorecard-street")
    _clear(clean)


def test_a_resident_cannot_open_a_scorecard(browsing: Any, clean: World) -> None:
    page = browsing.page("resident", "phone")
    response = page.goto(f"/scorecards/{clean.street_code}")
    assert response is not None and response.status == 403
