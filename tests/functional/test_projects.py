"""三个一批 through HTTP (SQLite, and PostgreSQL with GRIDGOV_TEST_DATABASE_URL): a project signed in phase 9, started
in phase 10 and in production in phase 11 with its photo evidence; a blocker sent through the case loop and
closed; a project below its threshold refused; the list imported all or nothing with the bad line named; the
four rates of a seeded phase against numbers worked out by hand; the demo's seed figures computed from rows."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from gridgov.clock import SHANGHAI
from gridgov.projects.audit import verify_projects
from gridgov.projects.demo import DistrictArea, project_rows, seed_projects
from gridgov.projects.queries import district_areas
from gridgov.projects.repository import SqlProjectsUnitOfWork

from conftest import START, Api, World, inner_point, png_bytes

PROJECT_TABLES = (
    "project_blockers",
    "project_evidence",
    "project_events",
    "project_investments",
    "project_adjustments",
    "projects",
    "project_phases",
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# grids of the active version only (another test may have imported a second version of the tree)
ACTIVE = "AND version_id = (SELECT id FROM grid_versions WHERE active)"


def _wipe(w: World) -> None:
    with w.container.engine.begin() as conn:
        for table in PROJECT_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM audit_log WHERE stream = 'project'"))


@pytest.fixture
def pj(api: Api, clean: World) -> Iterator[Api]:
    _wipe(clean)
    yield api
    _wipe(clean)  # the next test's `clean` deletes cases: the blockers that point at them go first


def held_on(n: int) -> date:
    """Phase n of 11 quarterly phases, the 11th on the test's start day."""
    return START.date() - timedelta(days=91 * (11 - n))


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def make_phases(api: Api, upto: int = 11) -> None:
    for n in range(1, upto + 1):
        r = api.post("dispatcher", "/api/v1/projects/phases", {"number": n, "held_on": held_on(n).isoformat()})
        assert r.status_code == 201, r.text


def project_body(w: World, **over: Any) -> dict[str, Any]:
    lat, lon = inner_point(w, w.grid)
    body = {
        "name": "郑州智能装备产业园项目",
        "investor": "中原智能装备有限公司",
        "district": w.district,
        "sector": "manufacturing",
        "total_investment": 50_000,
        "annual_investment": 12_000,
        "funding": "out_of_province",
        "attracted": True,
        "leader": "王某 (副区长)",
        "responsible_unit": "区发展和改革委员会",
        "signed_phase": 9,
        "signed_on": held_on(9).isoformat(),
        "lat": lat,
        "lon": lon,
    }
    return body | over


def upload(api: Api, who: str, project_id: int, stage: str, kind: str, content: bytes, **form: Any) -> Any:
    name, mime = ("photo.png", "image/png") if kind == "photo" else ("contract.pdf", "application/pdf")
    return api.client.post(
        f"/api/v1/projects/{project_id}/evidence",
        headers=api._h(who),
        files={"file": (name, content, mime)},
        data={"stage": stage, "kind": kind, **{k: str(v) for k, v in form.items()}},
    )


def photo(api: Api, w: World, project_id: int, stage: str, offset_m: float = 80.0) -> int:
    """An on-site photo `offset_m` metres north of the project, taken an hour ago."""
    lat, lon = inner_point(w, w.grid)
    taken = w.clock.now() - timedelta(hours=1)
    r = upload(
        api,
        "dispatcher",
        project_id,
        stage,
        "photo",
        png_bytes("green"),
        lat=lat + offset_m / 111_320,
        lon=lon,
        taken_at=taken.isoformat(),
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_project_signed_in_9_started_in_10_in_production_in_11_with_photo_evidence(pj: Api, clean: World) -> None:
    w = clean
    make_phases(pj)
    w.clock.set(at(held_on(9)))
    r = pj.post("dispatcher", "/api/v1/projects", project_body(w))
    assert r.status_code == 201, r.text
    p = r.json()
    pid = p["id"]
    assert (p["status"], p["signed_phase"], p["size_band"]) == ("signed", 9, "small")

    # 履约 with its document, 20 days after signing
    w.clock.set(at(held_on(9) + timedelta(days=30)))
    doc = upload(pj, "dispatcher", pid, "honour", "document", PDF)
    assert doc.status_code == 201, doc.text
    r = pj.post(
        "dispatcher",
        f"/api/v1/projects/{pid}/actions",
        {"action": "honour", "on": (held_on(9) + timedelta(days=20)).isoformat(), "evidence": [doc.json()["id"]]},
    )
    assert r.status_code == 200, r.text

    # 开工 on phase 10's list, with an on-site photo; the same phase's list and a photo 5 km off are refused
    w.clock.set(at(held_on(10)))
    start_on = (held_on(10) - timedelta(days=2)).isoformat()
    far = upload(
        pj,
        "dispatcher",
        pid,
        "start",
        "photo",
        png_bytes(),
        lat=inner_point(w, w.grid)[0] + 0.045,
        lon=inner_point(w, w.grid)[1],
        taken_at=(w.clock.now() - timedelta(hours=1)).isoformat(),
    )
    assert far.status_code == 422 and far.json()["error"]["code"] == "evidence_refused", far.text
    assert "米" in far.json()["error"]["message"]
    near = photo(pj, w, pid, "start")
    r = pj.post(
        "dispatcher",
        f"/api/v1/projects/{pid}/actions",
        {"action": "start", "phase": 9, "on": start_on, "evidence": [near]},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "phase_list_refused", r.text
    r = pj.post("dispatcher", f"/api/v1/projects/{pid}/actions", {"action": "start", "phase": 10, "on": start_on})
    assert r.status_code == 422 and r.json()["error"]["code"] == "evidence_refused", r.text  # 须附现场照片
    r = pj.post(
        "dispatcher",
        f"/api/v1/projects/{pid}/actions",
        {"action": "start", "phase": 10, "on": start_on, "evidence": [near]},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["started_phase"]) == ("started", 10)

    # 投产 on phase 11's list
    w.clock.set(at(held_on(11)))
    near = photo(pj, w, pid, "produce")
    r = pj.post(
        "dispatcher",
        f"/api/v1/projects/{pid}/actions",
        {"action": "produce", "phase": 11, "on": held_on(11).isoformat(), "evidence": [near]},
    )
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["status"], p["signed_phase"], p["started_phase"], p["producing_phase"]) == ("producing", 9, 10, 11)
    assert [s["done"] for s in p["stages"]] == [True, True, True, True, False]
    photos = [e for e in p["evidence"] if e["kind"] == "photo"]
    assert len(photos) == 2 and all(e["used_in_seq"] and 70 < e["distance_m"] < 90 for e in photos)
    assert pj.get("leader", photos[0]["url"]).headers["content-type"] == "image/png"

    # the three lists of each phase hold it once; the record is a chain and every event is a leaf of the city's log
    for n, kind in ((9, "signed"), (10, "started"), (11, "producing")):
        rows = pj.get("leader", f"/api/v1/projects/phases/{n}/lists/{kind}").json()
        assert [x["id"] for x in rows] == [pid]
    events = pj.get("leader", f"/api/v1/projects/{pid}/events").json()
    assert [e["action"] for e in events] == [
        "sign",
        "add_evidence",
        "honour",
        "add_evidence",
        "start",
        "add_evidence",
        "produce",
    ]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(events, events[1:], strict=False))
    with w.container.sessions() as s:
        report = verify_projects(s)
        leaves = s.execute(text("SELECT count(*) FROM audit_log WHERE stream = 'project'")).scalar_one()
    assert report.ok, report.problems
    assert leaves == len(events) == report.events
    from gridgov.cli import main

    url = w.container.settings.database_url
    done = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])  # the city log takes the project leaves
    assert done.exit_code == 0 and "未知的流" not in done.output, done.output
    done = CliRunner().invoke(main, ["projects", "verify", "--database-url", url])
    assert done.exit_code == 0 and f"{len(events)} 个事件" in done.output, done.output

    # the page shows its stages and photos
    page = pj.get("leader", f"/projects/{pid}")
    assert page.status_code == 200 and "第十期开工一批" in page.text and "现场照片" in page.text


def test_a_blocker_goes_through_the_case_loop_and_closes(pj: Api, clean: World) -> None:
    w = clean
    make_phases(pj, 1)
    w.clock.set(at(held_on(1)))
    pid = pj.post(
        "dispatcher", "/api/v1/projects", project_body(w, signed_phase=1, signed_on=held_on(1).isoformat())
    ).json()["id"]
    r = pj.post(
        "dispatcher",
        f"/api/v1/projects/{pid}/blockers",
        {"kind": "demolition", "description": "西侧地块 12 户未完成征迁"},
    )
    assert r.status_code == 201, r.text
    b = r.json()
    assert (b["case_status"], b["unit_code"]) == ("dispatched", f"{w.district}-zj")
    assert b["handle_due_at"] is not None  # the category's deadline
    case = pj.get("dispatcher", f"/api/v1/cases/{b['case_id']}").json()
    assert (
        case["category_code"] == "H0102" and "XM" in case["description"] and f"/projects/{pid}" in case["description"]
    )
    assert pj.get("leader", f"/api/v1/projects/blockers/by-case/{b['case_id']}").json()["project_id"] == pid

    p = pj.get("leader", f"/api/v1/projects/{pid}").json()
    assert p["open_blockers"] == 1 and p["blockers"][0]["case_status_label"] == "已派遣"
    assert "已派遣" in pj.get("leader", f"/projects/{pid}").text

    pj.ok("dept-zj", b["case_id"], "accept")
    pj.ok("dept-zj", b["case_id"], "handle", note="已完成征迁补偿协议签订")
    pj.ok("dispatcher", b["case_id"], "verify", note="现场核实")
    p = pj.get("leader", f"/api/v1/projects/{pid}").json()
    assert p["open_blockers"] == 0 and p["blockers"][0]["case_status"] == "closed"
    assert [e["action"] for e in pj.get("leader", f"/api/v1/projects/{pid}/events").json()] == [
        "sign",
        "report_blocker",
    ]


def test_a_project_below_its_sectors_threshold_is_refused_with_the_reason(pj: Api, clean: World) -> None:
    make_phases(pj, 1)
    clean.clock.set(at(held_on(1)))
    body = project_body(
        clean, signed_phase=1, signed_on=held_on(1).isoformat(), total_investment=20_000, annual_investment=5_000
    )
    r = pj.post("dispatcher", "/api/v1/projects", body | {"attracted": False})
    assert r.status_code == 422 and r.json()["error"]["code"] == "below_threshold", r.text
    assert "制造业项目总投资须不低于 3 亿元" in r.json()["error"]["message"]
    r = pj.post("dispatcher", "/api/v1/projects", body | {"sector": "infrastructure"})
    assert r.status_code == 422 and "10 亿元" in r.json()["error"]["message"]
    assert pj.get("leader", "/api/v1/projects").json()["total"] == 0
    r = pj.post("dispatcher", "/api/v1/projects", body)  # 招商引资 manufacturing: ≥1亿
    assert r.status_code == 201, r.text
    assert pj.post("leader", "/api/v1/projects", body).status_code == 403  # leaders read


def _sheet(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "序号",
            "项目名称",
            "投资方",
            "县(市、区)",
            "行业领域",
            "总投资(亿元)",
            "年度计划投资(亿元)",
            "资金来源",
            "是否招商引资",
            "责任领导",
            "责任单位",
            "签约期次",
            "签约日期",
        ]
    )
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_with_a_bad_line_stores_nothing_and_names_the_line(pj: Api, clean: World, tmp_path: Any) -> None:
    make_phases(pj, 2)
    clean.clock.set(at(held_on(2)))
    with clean.container.sessions() as s:
        name = s.execute(
            text("SELECT name FROM grids WHERE level = 1 AND code LIKE :d " + ACTIVE),
            {"d": clean.district + "%"},
        ).scalar_one()
    good = [
        1,
        "新能源电池项目",
        "豫能科技有限公司",
        name,
        "战略性新兴产业",
        12.5,
        3,
        "省外资金",
        "是",
        "李某",
        "区发改委",
        "第二期",
        held_on(2).isoformat(),
    ]
    bad_amount = [
        2,
        "冷链物流园",
        "中原物流有限公司",
        clean.district,
        "现代服务业",
        -8,
        1,
        "省内资金",
        "否",
        "",
        "",
        2,
        held_on(2).isoformat(),
    ]
    bad_district = [
        3,
        "综合管廊",
        "城建集团",
        "不存在区",
        "重大基础设施",
        30,
        5,
        "省内资金",
        "否",
        "",
        "",
        1,
        held_on(1).isoformat(),
    ]
    raw = _sheet([good, bad_amount, bad_district])
    r = pj.client.post(
        "/api/v1/projects/import",
        headers=pj._h("dispatcher"),
        files={"file": ("清单.xlsx", raw, "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "project_import_refused" and err["message"] == "第 3 行: 总投资不能为负数"
    lines = {(e["line"], e["message"]) for e in err["details"]["errors"]}
    assert (4, "未知的县(市、区): 不存在区") in lines
    assert pj.get("leader", "/api/v1/projects").json()["total"] == 0

    from gridgov.cli import main

    path = tmp_path / "清单.xlsx"
    path.write_bytes(raw)
    done = CliRunner().invoke(
        main, ["projects", "import", str(path), "--database-url", clean.container.settings.database_url]
    )
    assert done.exit_code == 2 and "第 3 行: 总投资不能为负数" in done.output and "第 4 行" in done.output
    assert pj.get("leader", "/api/v1/projects").json()["total"] == 0

    r = pj.client.post(
        "/api/v1/projects/import",
        headers=pj._h("dispatcher"),
        files={"file": ("清单.xlsx", _sheet([good]), "application/octet-stream")},
    )
    assert r.status_code == 201 and r.json() == {"imported": 1}, r.text
    got = pj.get("leader", "/api/v1/projects").json()["items"][0]
    assert (got["sector"], got["total_investment"], got["signed_phase"], got["attracted"]) == (
        "emerging",
        125_000,
        2,
        True,
    )


def _insert(w: World, rows: list[dict[str, Any]], phases: int) -> list[int]:
    """Projects written as the demo writes them (each with its record), for rates worked out by hand."""
    from gridgov.projects.models import ProjectPhase

    uow = SqlProjectsUnitOfWork(w.container.uow())
    with uow:
        for n in range(1, phases + 1):
            uow.projects.add_phase(
                ProjectPhase(number=n, name=f"第{n}期", held_on=held_on(n), generated=False, created_at=START)
            )
        made = [project_rows(r, f"T{i:04d}", START) for i, r in enumerate(rows)]
        uow.projects.add_many(made)
        ids = [p.id for p, _ in made]
        uow.commit()
    return ids


def _row(district: str, name: str, **stages: Any) -> dict[str, Any]:
    base = {
        "name": "测试项目",
        "investor": "测试公司",
        "district_code": district,
        "district_name": name,
        "sector": "manufacturing",
        "total_investment": 100_000,
        "annual_investment": 24_000,
        "funding": "local",
        "attracted": False,
        "size_band": "10",
        "signed_phase": 1,
        "signed_on": held_on(1),
        "generated": False,
    }
    return base | stages


def test_the_four_rates_of_a_seeded_phase_match_the_numbers_worked_out_by_hand(pj: Api, clean: World) -> None:
    """District A, as of phase 3: 5 signed (phases 1–3), 4 honoured by phase 3's date, 3 started on lists 2–3,
    2 in production on list 3, 1 at designed output → 80%, 75%, 66.7%, 50%. District B: 2 signed, none honoured →
    0%, and the other rates have nothing to divide by (—). One more project of A signed in phase 4 counts nowhere."""
    with clean.container.sessions() as s:
        rows = s.execute(text(f"SELECT code FROM grids WHERE level = 1 {ACTIVE} ORDER BY code"))
        districts = [r[0] for r in rows]
    a, b = districts[0][:6], districts[1][:6]
    h = held_on
    rows = [
        _row(
            a,
            "甲区",
            honoured_on=h(1),
            started_phase=2,
            started_on=h(2),
            producing_phase=3,
            producing_on=h(3),
            effective_on=h(3),
            status="effective",
        ),
        _row(
            a,
            "甲区",
            honoured_on=h(1),
            started_phase=2,
            started_on=h(2),
            producing_phase=3,
            producing_on=h(3),
            status="producing",
        ),
        _row(
            a,
            "甲区",
            signed_phase=2,
            signed_on=h(2),
            honoured_on=h(2),
            started_phase=3,
            started_on=h(3),
            status="started",
        ),
        _row(a, "甲区", signed_phase=2, signed_on=h(2), honoured_on=h(3), status="honoured"),
        _row(a, "甲区", signed_phase=3, signed_on=h(3), status="signed"),
        _row(a, "甲区", signed_phase=4, signed_on=h(4), honoured_on=h(4), status="honoured"),
        _row(b, "乙区", status="signed"),
        _row(b, "乙区", signed_phase=3, signed_on=h(3), status="signed"),
    ]
    ids = _insert(clean, rows, 4)
    for pid, (y, m, amount) in zip(
        ids[:3], ((h(3).year, h(3).month, 6_000), (h(3).year, 1, 3_000), (h(3).year - 1, 1, 4_500)), strict=True
    ):
        with clean.container.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO project_investments (project_id, year, month, amount, reported_at)"
                    " VALUES (:p, :y, :m, :a, :t)"
                ),
                {"p": pid, "y": y, "m": m, "a": amount, "t": START},
            )
    body = pj.get("leader", "/api/v1/projects/phases/3/rates").json()
    got = {d["district_code"]: d for d in body["districts"]}
    ga = got[a]
    assert (ga["signed"], ga["honoured"], ga["started"], ga["producing"], ga["effective"]) == (5, 4, 3, 2, 1)
    assert ga["honour_rate"] == pytest.approx(4 / 5)
    assert ga["start_rate"] == pytest.approx(3 / 4)
    assert ga["production_rate"] == pytest.approx(2 / 3)
    assert ga["effective_rate"] == pytest.approx(1 / 2)
    assert ga["plan"] == 5 * 24_000 and ga["done"] == 9_000 and ga["last_year"] == 4_500
    assert ga["investment_rate"] == pytest.approx(9_000 / 120_000) and ga["growth"] == pytest.approx(
        (9_000 - 4_500) / 4_500
    )
    gb = got[b]
    assert (gb["signed"], gb["honour_rate"], gb["start_rate"], gb["production_rate"]) == (2, 0.0, None, None)
    city = body["city"]
    assert (city["signed"], city["honoured"]) == (7, 4) and city["honour_rate"] == pytest.approx(4 / 7)
    ranking = pj.get("leader", "/api/v1/projects/phases/3/ranking").json()
    assert [r["district_code"] for r in ranking] == [a, b] and ranking[0]["rank"] == 1
    weights = 0.2
    expected = (4 / 5 + 3 / 4 + 2 / 3 + 1 / 2 + 9_000 / 120_000) * weights / (5 * weights)
    assert math.isclose(ranking[0]["score"], expected)
    xlsx = pj.get("leader", "/api/v1/projects/phases/3/export.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["签约一批", "开工一批", "投产一批", "四率与投资", "排名", "趋势"]
    sheet = {r[0]: r for r in wb["四率与投资"].iter_rows(min_row=2, values_only=True)}
    assert sheet["甲区"][6] == pytest.approx(0.8) and sheet["全市"][1] == 7


def test_the_demo_seed_figures_are_computed_from_rows_and_move_when_a_project_changes(pj: Api, clean: World) -> None:
    with clean.container.sessions() as s:
        areas = [DistrictArea(c, n, boxes) for c, n, boxes in district_areas(s)]
    seeded = seed_projects(lambda: SqlProjectsUnitOfWork(clean.container.uow()), areas, START)
    assert (seeded.phases, seeded.projects) == (11, 1363) and seeded.total_investment > 150_000_000
    board = pj.get("leader", "/api/v1/projects/phases/11").json()
    t = board["totals"]
    assert (t["projects"], t["generated"]) == (1363, 1363) and t["total_investment"] == seeded.total_investment
    assert t["total_investment_yi"] > 15_000  # 1.5万亿元
    assert sum(p["signed"] for p in board["trend"]) == 1363
    page = pj.get("leader", "/projects/phases/11")
    assert page.status_code == 200 and "1,363" in page.text and "前十一期累计实施项目" in page.text

    one = pj.get("leader", "/api/v1/projects", phase=5, list="signed", page_size=1).json()["items"][0]
    r = pj.client.patch(
        f"/api/v1/projects/{one['id']}",
        headers=pj._h("dispatcher"),
        json={"total_investment": one["total_investment"] + 10_000},
    )
    assert r.status_code == 200, r.text
    moved = pj.get("leader", "/api/v1/projects/phases/11").json()["totals"]
    assert moved["total_investment"] == t["total_investment"] + 10_000 and moved["projects"] == 1363
    assert pj.get("leader", "/api/v1/projects/phases/4").json()["totals"]["total_investment"] < t["total_investment"]
    with clean.container.sessions() as s:
        assert verify_projects(s).ok
