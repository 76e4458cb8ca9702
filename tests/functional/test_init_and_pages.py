"""`gridgov init` loads real Zhengzhou at the published grid counts (idempotently); the demo page and the
API docs are served without anything from the internet; the scheduler inside the server escalates."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from gridgov.cli import main
from gridgov.clock import SHANGHAI
from gridgov.worker import DeadlineScheduler

from conftest import Api, World, shared_data


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        levels = dict(conn.execute(text("SELECT level, count(*) FROM grids GROUP BY level")).all())
        generated = dict(conn.execute(text("SELECT level, count(*) FROM grids WHERE generated GROUP BY level")).all())
        out = {f"L{lv}": n for lv, n in levels.items()} | {f"gen{lv}": n for lv, n in generated.items()}
        for table in ("units", "categories", "responsibility_rules", "users", "grid_assignments", "organisations"):
            out[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        out["cities"] = conn.execute(text("SELECT count(*) FROM units WHERE kind = 'city'")).scalar_one()
    engine.dispose()
    return out


@pytest.mark.slow
def test_init_loads_zhengzhou_at_published_counts_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'zz.db'}"
    first = CliRunner().invoke(main, ["init", "--database-url", url])
    assert first.exit_code == 0, first.output
    c = _counts(url)
    assert (c["L1"], c["L2"], c["L3"], c["L4"]) == (15, 213, 3503, 19875)  # county level, then grid L1, L2, L3
    assert c["gen2"] == 213 - 180 and c["gen4"] == 19875  # 180 real 街道/乡镇 from the package
    assert "gen1" not in c  # all 15 county-level units are real (12 from the package, 3 statistical zones)
    assert c["grid_assignments"] == 19875 and c["cities"] == 1
    second = CliRunner().invoke(main, ["init", "--database-url", url])
    assert second.exit_code == 0 and re.search(r"units \+0", second.output), second.output
    assert _counts(url) == c


@pytest.mark.slow
def test_init_attaches_a_citys_own_village_list(tmp_path: Path) -> None:
    villages = shared_data("zhengzhou-admin", "villages_4101_nbs2021_liyanjie.csv")
    url = f"sqlite:///{tmp_path / 'zz.db'}"
    r = CliRunner().invoke(main, ["init", "--database-url", url, "--villages-csv", str(villages)])
    assert r.exit_code == 0, r.output
    c = _counts(url)
    real_l2 = c["L3"] - c.get("gen3", 0)
    # NBS-2021 village codes attach where their street code matches the package's (MCA) street codes
    assert real_l2 > 2000, real_l2
    assert c["L3"] == max(3503, real_l2)
    engine = create_engine(url)
    with engine.connect() as conn:
        name = conn.execute(text("SELECT name FROM grids WHERE code = '410102001002000'")).scalar_one()
    engine.dispose()
    assert name == "碧沙岗社区居委会"


def test_bad_villages_file_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "v.csv"
    bad.write_text(
        "village_code,village_name,street_code\n410102001002,碧沙岗社区,410102001\n4101,坏,410102001\n", "utf-8"
    )
    url = f"sqlite:///{tmp_path / 'zz.db'}"
    r = CliRunner().invoke(main, ["init", "--database-url", url, "--villages-csv", str(bad)])
    assert r.exit_code == 2 and "第 3 行" in r.output


def test_home_page_and_docs_are_served_offline(api: Api, clean: World) -> None:
    page = api.client.get("/")
    assert page.status_code == 200 and "网格化治理平台" in page.text and "三级网格" in page.text
    docs = api.client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for a in assets:
        assert api.client.get(a).status_code == 200, a
    assert api.client.get("/openapi.json").json()["info"]["title"].startswith("gridgov")
    assert api.client.get("/healthz").json() == {"status": "ok"}


def test_scheduler_in_the_server_warns_and_escalates(api: Api, clean: World) -> None:
    w = clean
    w.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    r = api.post("operator", "/api/v1/cases", {"title": "楼道堆物", "grid_code": w.grid, "category_code": "H1802"})
    cid = r.json()["id"]
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch")
    w.clock.set(datetime(2025, 9, 29, 10, 0, tzinfo=SHANGHAI))
    DeadlineScheduler(w.container).run_once()
    case = api.get("dispatcher", f"/api/v1/cases/{cid}").json()
    assert case["escalation_level"] == 2 and case["escalated_to"]["code"] == "4101"


@pytest.mark.slow
def test_demo_builds_cases_in_every_state_and_prints_a_token_per_role(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    r = CliRunner().invoke(main, ["demo", "--database-url", url, "--cases", "150", "--no-serve"])
    assert r.exit_code == 0, r.output
    for role in (
        "admin",
        "leader",
        "resident",
        "operator",
        "dispatcher",
        "street",
        "community",
        "dept-cg",
        "grid-worker",
    ):
        assert re.search(rf"^  {role}\s+ggv_\S+$", r.output, re.M), role
    assert "partial" not in r.output
    assert "密码均为 gridgov-demo" in r.output and re.search(r"^  grid-worker\s+用户名 gw\d{15}$", r.output, re.M)
    engine = create_engine(url)
    with engine.connect() as conn:
        statuses = set(conn.execute(text("SELECT DISTINCT status FROM cases")).scalars())
        placed = conn.execute(text("SELECT count(*), count(lat) FROM cases")).one()
    assert placed[0] == placed[1]  # every sample case has a point, so the maps show them
    engine.dispose()
    assert statuses == {
        "reported",
        "registered",
        "rejected",
        "dispatched",
        "accepted",
        "returned",
        "handled",
        "closed",
        "evaluated",
        "reopened",
        "suspended",
        "merged",
    }
    audit = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    assert audit.exit_code == 0, audit.output
