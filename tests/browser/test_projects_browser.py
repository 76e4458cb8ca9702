"""三个一批 in a real browser: the project page shows its stages, its on-site photos and its open blocker with the
case's status, and the dispatcher records 达效 through the page's own form; the phase dashboard draws its rates,
investment and trend from the rows, at wall-screen and phone size; the list's map draws the projects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.projects.demo import DistrictArea, seed_projects
from gridgov.projects.queries import district_areas
from gridgov.projects.repository import SqlProjectsUnitOfWork

from conftest import Api, World, inner_point, png_bytes

TABLES = (
    "project_blockers",
    "project_evidence",
    "project_events",
    "project_investments",
    "project_adjustments",
    "projects",
    "project_phases",
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _wipe(w: World) -> None:
    with w.container.engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def seeded(api: Api, clean: World) -> Iterator[dict[str, Any]]:
    """120 generated projects over 11 phases, and one real project signed in phase 9, started in phase 10 and in
    production in phase 11 (with its photos), with one blocker sent to its department."""
    w = clean
    _wipe(w)
    with w.container.sessions() as s:
        areas = [DistrictArea(c, n, b) for c, n, b in district_areas(s)]
    seed_projects(lambda: SqlProjectsUnitOfWork(w.container.uow()), areas, w.clock.now(), projects=120)
    phases = {p["number"]: p["held_on"] for p in api.get("leader", "/api/v1/projects/phases").json()}
    lat, lon = inner_point(w, w.grid)
    body = {
        "name": "中原新能源电池产业园项目",
        "investor": "豫能科技有限公司",
        "district": w.district,
        "sector": "emerging",
        "total_investment": 180_000,
        "annual_investment": 40_000,
        "funding": "out_of_province",
        "attracted": True,
        "leader": "李某 (副区长)",
        "responsible_unit": "区发展和改革委员会",
        "signed_phase": 9,
        "signed_on": phases[9],
        "lat": lat,
        "lon": lon,
    }
    r = api.post("dispatcher", "/api/v1/projects", body)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]

    def evidence(stage: str, kind: str) -> int:
        data = png_bytes("green", (320, 240)) if kind == "photo" else PDF
        form = {"stage": stage, "kind": kind}
        if kind == "photo":
            taken = w.clock.now() - timedelta(hours=2)
            form |= {"lat": str(lat + 0.0006), "lon": str(lon), "taken_at": taken.isoformat()}
        name = "现场.png" if kind == "photo" else "注册登记.pdf"
        up = api.client.post(
            f"/api/v1/projects/{pid}/evidence", headers=api._h("dispatcher"), files={"file": (name, data)}, data=form
        )
        assert up.status_code == 201, up.text
        return int(up.json()["id"])

    for action, phase, kind in (("honour", None, "document"), ("start", 10, "photo"), ("produce", 11, "photo")):
        on = phases[phase] if phase else phases[9]
        step = {"action": action, "on": on, "evidence": [evidence(action, kind)]} | ({"phase": phase} if phase else {})
        r = api.post("dispatcher", f"/api/v1/projects/{pid}/actions", step)
        assert r.status_code == 200, r.text
    r = api.post(
        "dispatcher", f"/api/v1/projects/{pid}/blockers", {"kind": "demolition", "description": "西侧地块征迁未完成"}
    )
    assert r.status_code == 201, r.text
    yield {"id": pid, "case": r.json()["case_id"], "last": phases[11]}
    _wipe(w)  # before the next test's `clean` deletes the case this blocker points at


def test_the_project_page_shows_stages_photos_and_the_open_blocker_and_takes_the_next_stage(
    browsing: Any, seeded: dict[str, Any]
) -> None:
    pid = seeded["id"]
    leader = browsing.page("leader", "desktop")
    leader.goto(f"/projects/{pid}")
    expect(leader.locator("#pj-status")).to_have_text("已投产")
    expect(leader.locator("#pj-stages li.done")).to_have_count(4)
    expect(leader.locator("#pj-stages")).to_contain_text("第十一期投产一批")
    photos = leader.locator("#pj-photos img")
    expect(photos).to_have_count(2)
    leader.wait_for_function("() => [...document.querySelectorAll('#pj-photos img')].every(i => i.naturalWidth > 0)")
    expect(leader.locator("#pj-blockers tr[data-open='yes']")).to_contain_text("已派遣")
    expect(leader.locator("#pj-open-blockers")).to_have_text("在办 1")
    expect(leader.locator("#pj-actions")).to_have_count(0)  # leaders read; the server offers them nothing
    browsing.shot(leader, "project")

    dispatcher = browsing.page("dispatcher", "desktop")
    dispatcher.goto(f"/projects/{pid}")
    form = dispatcher.locator("form.pj-stage[data-action='reach']")
    expect(form).to_be_visible()
    expect(dispatcher.locator("form.pj-stage[data-action='start']")).to_have_count(0)
    form.locator("input[name='on']").fill(seeded["last"])
    form.locator("input[type='file']").set_input_files(
        files=[{"name": "达产验收.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_role("button", name="达效").click()
    expect(dispatcher.locator("#pj-status")).to_have_text("已达效", timeout=10_000)
    expect(dispatcher.locator("#pj-documents li")).to_have_count(2)
    browsing.shot(dispatcher, "project-effective")


def test_the_phase_dashboard_and_the_list_map_draw_from_the_rows(browsing: Any, seeded: dict[str, Any]) -> None:
    leader = browsing.page("leader", "desktop")
    leader.goto("/projects/phases")
    expect(leader).to_have_url(re.compile(r"/projects/phases/11$"))
    expect(leader.locator("[data-kpi='projects'] b")).to_have_text("121")
    for chart in ("chart-rates", "chart-investment", "chart-trend"):
        expect(leader.locator(f"#{chart}")).to_have_attribute("data-drawn", "yes")
        expect(leader.locator(f"#{chart} canvas")).to_have_count(1)
    expect(leader.locator("#rates-table tr[data-district='city']")).to_be_visible()
    expect(leader.locator("#ranking-table tbody tr").first).to_contain_text("1")
    expect(leader.locator("section[data-list='producing']")).to_contain_text("中原新能源电池产业园项目")
    browsing.shot(leader, "projects-phase")

    leader.select_option("#phase-select", "9")
    expect(leader).to_have_url(re.compile(r"/projects/phases/9$"))
    assert int(leader.locator("[data-kpi='projects'] b").inner_text()) < 121

    phone = browsing.page("leader", "phone")
    phone.goto("/projects/phases/11")
    expect(phone.locator("#chart-trend")).to_have_attribute("data-drawn", "yes")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    browsing.shot(phone, "projects-phase")

    listing = browsing.page("leader", "desktop")
    listing.goto("/projects?sector=emerging")
    listing.wait_for_function("() => Number(document.getElementById('pj-map').dataset.points || 0) > 0")
    expect(listing.locator("#pj-map path.leaflet-interactive").first).to_be_visible()
    expect(listing.locator("#pj-table")).to_contain_text("中原新能源电池产业园项目")
    browsing.shot(listing, "projects-list")
