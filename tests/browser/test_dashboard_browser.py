"""The leaders' dashboard in a real browser: it fills in at wall-screen and phone size, a case created in
another page shows up in the counts without a reload, and the ranking downloads as an Excel file."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import expect

from gridgov.clock import SHANGHAI
from gridgov.dashboard.excel import HEADERS

from conftest import Api, World, inner_point

MONDAY = datetime(2025, 9, 29, 10, 0, tzinfo=SHANGHAI)


def _seed(api: Api, w: World) -> None:
    """Friday: a case worked through to the resident's verdict (so the street is ranked), one dispatched and
    left alone (overdue by Monday), one reported; Monday: one more reported."""
    lat, lon = inner_point(w, w.grid)

    def report(who: str, title: str) -> int:
        r = api.post(
            who,
            "/api/v1/cases",
            {"title": title, "grid_code": w.grid, "category_code": "H1802", "lat": lat, "lon": lon},
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    done = report("resident", "楼道堆放杂物")
    for who, action, extra in (
        ("operator", "register", {}),
        ("dispatcher", "dispatch", {}),
        ("street", "accept", {}),
        ("street", "handle", {"note": "已清理"}),
        ("street", "verify", {}),
        ("resident", "evaluate", {"resolved": True, "satisfaction": "satisfied"}),
    ):
        api.ok(who, done, action, **extra)
    late = report("operator", "人行道井盖缺失")
    api.ok("operator", late, "register")
    api.ok("dispatcher", late, "dispatch")
    report("resident", "路灯不亮")
    w.clock.set(MONDAY)
    report("operator", "占道经营")


def _kpi(page: Any, key: str) -> int:
    return int(page.locator(f"[data-kpi='{key}'] b").inner_text().replace(",", ""))


def _filled(page: Any) -> None:
    expect(page.locator("[data-kpi='open'] b")).not_to_have_text("—")
    expect(page.locator("#live")).to_contain_text("实时")
    expect(page.locator("#overdue-table tbody tr a")).to_have_count(1)
    expect(page.locator("#streets-table tbody tr[data-unit]").first).to_be_visible()
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    expect(page.locator("#rates-chart canvas")).to_have_count(1)
    expect(page.locator("#map path.leaflet-interactive").first).to_be_visible()


def test_dashboard_counts_change_live_and_the_ranking_downloads(browsing: Any, api: Api, clean: World) -> None:
    w = clean
    _seed(api, w)

    leader = browsing.page("leader", "desktop")
    leader.goto("/dashboard")
    _filled(leader)
    assert (_kpi(leader, "open"), _kpi(leader, "new_today"), _kpi(leader, "overdue")) == (3, 1, 1)
    expect(leader.locator("#overdue-table tbody")).to_contain_text("人行道井盖缺失")
    expect(leader.locator("#map")).to_have_attribute("data-cases", "3")  # the open cases, drawn over the districts
    browsing.shot(leader, "dashboard")

    # a resident reports from their own phone; the leader's page updates without reloading
    leader.evaluate("window.__stillTheSamePage = true")
    resident = browsing.page("resident", "phone")
    resident.goto("/my")
    created = resident.evaluate(
        "(grid) => GG.api('POST', '/api/v1/cases', {title: '小区门口积水', grid_code: grid})", w.grid
    )
    assert created["status"] == "reported"
    leader.wait_for_function(
        "() => document.querySelector(\"[data-kpi='new_today'] b\").textContent === '2'"
        " && document.querySelector(\"[data-kpi='open'] b\").textContent === '4'",
        timeout=15_000,
    )
    assert leader.evaluate("window.__stillTheSamePage") is True

    # the ranking's Excel export, opened from the keyboard
    leader.locator("#export").focus()
    with leader.expect_download() as info:
        leader.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.endswith("2025-09.xlsx")
    book = load_workbook(BytesIO(Path(download.path()).read_bytes()))  # the saved file has no extension
    rows = list(book["街道排名"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    ranked = next(r for r in rows[1:] if r[1] == w.street_code)
    assert ranked[0] == "样本不足" and ranked[HEADERS.index("满意率")] == 1.0  # one task: too few to rank

    # phone size: one column, nothing wider than the screen
    phone = browsing.page("leader", "phone")
    phone.goto("/dashboard")
    _filled(phone)
    assert _kpi(phone, "new_today") == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    browsing.shot(phone, "dashboard")


def test_dashboard_needs_a_signed_in_command_role(browsing: Any, clean: World) -> None:
    anonymous = browsing.page()
    anonymous.goto("/dashboard")
    assert "/login" in anonymous.url
    resident = browsing.page("resident", "phone")
    response = resident.goto("/dashboard")
    assert response is not None and response.status == 403
    expect(resident.locator("h1")).to_contain_text("无权访问")
