"""Reference data edited as data: the responsibility matrix, categories and grid assignments (CLI + API)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from gridgov.cli import main

from conftest import Api, World


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--database-url", url])


def test_most_specific_rule_wins_and_rules_are_editable(api: Api, clean: World, database_url: str) -> None:
    w = clean
    grid_code = w.grid
    assert api.get("dispatcher", "/api/v1/units/responsible", category="H1802", grid=grid_code).json()["code"] == (
        w.street_code
    )
    # a district-wide rule for the whole H18 class beats the city-wide rule for H1802 (grid depth first)
    r = cli(
        database_url,
        "rules",
        "set",
        "--category",
        "H18",
        "--grid",
        f"{w.district}000000000",
        "--unit",
        f"{w.district}-cg",
        "--note",
        "试点: 区城管统一处理",
    )
    assert r.exit_code == 0, r.output
    got = api.get("dispatcher", "/api/v1/units/responsible", category="H1802", grid=grid_code).json()
    assert got["code"] == f"{w.district}-cg"
    # …and a street-level rule beats it again
    r = cli(database_url, "rules", "set", "--category", "", "--grid", f"{w.street_code}000000", "--target", "street")
    assert r.exit_code == 0, r.output
    r = cli(database_url, "rules", "resolve", "--category", "H1802", "--grid", grid_code)
    assert r.exit_code == 0 and r.output.startswith(w.street_code)
    # the case loop uses the same matrix when dispatching without a unit
    case = api.post("operator", "/api/v1/cases", {"title": "x", "grid_code": w.other_grid, "category_code": "H1802"})
    cid = case.json()["id"]
    api.ok("operator", cid, "register")
    assert api.ok("dispatcher", cid, "dispatch")["owner_unit"]["code"] == f"{w.district}-cg"
    listed = cli(database_url, "rules", "list", "--category", "H18")
    assert "试点" in listed.output
    assert cli(database_url, "rules", "delete", "--category", "H18", "--grid", f"{w.district}000000000").exit_code == 0
    assert cli(database_url, "rules", "delete", "--category", "", "--grid", f"{w.street_code}000000").exit_code == 0
    gone = cli(database_url, "rules", "delete", "--category", "H18", "--grid", f"{w.district}000000000")
    assert gone.exit_code == 2 and "没有该条权属规则" in gone.output


def test_bad_rule_is_refused_and_changes_nothing(clean: World, database_url: str) -> None:
    before = cli(database_url, "rules", "list").output
    r = cli(database_url, "rules", "set", "--category", "NOPE", "--grid", clean.grid, "--unit", "4101-cg")
    assert r.exit_code == 2 and "类别不存在" in r.output
    r = cli(database_url, "rules", "set", "--category", "H18", "--grid", "12345", "--unit", "4101-cg")
    assert r.exit_code == 2 and "15位" in r.output
    r = cli(database_url, "rules", "set", "--category", "H18", "--grid", clean.grid, "--unit", "nope")
    assert r.exit_code == 2 and "单位不存在" in r.output
    assert cli(database_url, "rules", "list").output == before


def test_category_import_is_all_or_nothing(clean: World, database_url: str, tmp_path: Path) -> None:
    header = "code,parent_code,name,kind,urgency,response_limit,response_unit,handle_limit,handle_unit,department\n"
    good = tmp_path / "good.csv"
    good.write_text(
        header + "X01,,试点大类,service,normal,1,working_days,5,working_days,street\n"
        "X0101,X01,试点小类,service,urgent,1,hours,24,hours,cg\n",
        "utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header + "X02,,另一大类,service,normal,1,working_days,5,working_days,street\n"
        "X0201,X09,坏行,service,normal,1,hours,2,fortnights,cg\n",
        "utf-8",
    )
    r = cli(database_url, "categories", "import", str(bad), "--taxonomy", "pilot")
    assert r.exit_code == 2 and "第 3 行" in r.output
    r = cli(database_url, "categories", "import", str(good), "--taxonomy", "pilot")
    assert r.exit_code == 0 and "新增 2" in r.output
    r = cli(database_url, "rules", "set", "--category", "X0101", "--grid", "410100000000000", "--unit", "4101-cg")
    assert r.exit_code == 0, r.output
    r = cli(database_url, "rules", "set", "--category", "X02", "--grid", "410100000000000", "--unit", "4101-cg")
    assert r.exit_code == 2  # nothing of bad.csv was written


def test_grid_worker_assignment(clean: World, database_url: str) -> None:
    r = cli(database_url, "user", "add", "new-worker", "--role", "grid_worker", "--unit", clean.grid[:12])
    assert r.exit_code == 0, r.output
    assert cli(database_url, "grid", "assign", "new-worker", clean.grid).exit_code == 0
    r = cli(database_url, "grid", "assign", "operator", clean.grid)
    assert r.exit_code == 2 and "只有网格员" in r.output
    r = cli(database_url, "user", "add", "x", "--role", "street", "--unit", "4101")
    assert r.exit_code == 2 and "不能属于该类单位" in r.output
    r = cli(database_url, "user", "add", "y", "--role", "emperor")
    assert r.exit_code == 2 and "未知角色" in r.output
