"""Category imports refused whole (issue 12, finding 8): an unknown department, extra columns, a line with too
many fields or an encoding that decodes as neither UTF-8 nor GB18030 ends the command with an error naming the
line, and nothing is written; GBK and GB18030 files are read as such."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from gridgov.cli import main

from conftest import World

HEADER = "code,parent_code,name,kind,urgency,response_limit,response_unit,handle_limit,handle_unit,department\n"
GOOD = "Y01,,试点大类,service,normal,1,working_days,5,working_days,street\n"


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--database-url", url])


def stored(w: World, prefix: str) -> list[str]:
    with w.container.sessions() as s:
        return list(s.scalars(text("SELECT code FROM categories WHERE code LIKE :p ORDER BY code"), {"p": prefix}))


@pytest.mark.parametrize(
    ("content", "line", "why"),
    [
        (HEADER + GOOD + "Y0101,Y01,坏部门,service,normal,1,hours,24,hours,nosuchdept\n", 3, "nosuchdept"),
        (HEADER.rstrip("\n") + ",note\n" + GOOD.rstrip("\n") + ",多余\n", 1, "note"),
        (HEADER + GOOD + "Y0102,Y01,多一列,service,normal,1,hours,24,hours,cg,额外\n", 3, "11 列"),
        (HEADER + GOOD + "Y0103,Y01,少一列,service,normal,1,hours,24,hours\n", 3, "9 列"),
    ],
    ids=["unknown-department", "extra-column", "extra-field", "missing-field"],
)
def test_a_bad_line_refuses_the_whole_file_naming_the_line(
    clean: World, database_url: str, tmp_path: Path, content: str, line: int, why: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    r = cli(database_url, "categories", "import", str(path), "--taxonomy", "pilot")
    assert r.exit_code == 2 and f"第 {line} 行" in r.output and why in r.output, r.output
    assert stored(clean, "Y%") == []  # not even the good line before it


def test_an_undecodable_file_is_refused_naming_the_line(clean: World, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + GOOD).encode("utf-8") + "Y0104,Y01,caf\xe9,service,normal,1,hours,24,hours,cg\n".encode("latin-1")
    )
    r = cli(database_url, "categories", "import", str(path), "--taxonomy", "pilot")
    assert r.exit_code == 2 and "第 3 行" in r.output and "无法按 UTF-8 或 GB18030" in r.output, r.output
    assert "Traceback" not in r.output and not isinstance(r.exception, UnicodeDecodeError)
    assert stored(clean, "Y%") == []


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_gbk_and_gb18030_files_are_read_as_such(clean: World, database_url: str, tmp_path: Path, encoding: str) -> None:
    code = {"gbk": "Z1", "gb18030": "Z2", "utf-8-sig": "Z3"}[encoding]
    path = tmp_path / f"{encoding}.csv"
    rows = (
        f"{code}01,,窨井盖与路灯,service,normal,1,working_days,5,working_days,street\n"
        f"{code}0101,{code}01,占道经营𠀀,service,urgent,1,hours,24,hours,cg\n"
    )
    if encoding == "gbk":
        rows = rows.replace("𠀀", "")  # outside GBK; GB18030 carries it
    path.write_bytes((HEADER + rows).encode(encoding))
    r = cli(database_url, "categories", "import", str(path), "--taxonomy", f"pilot-{encoding}")
    assert r.exit_code == 0 and "新增 2" in r.output, r.output
    with clean.container.sessions() as s:
        names = list(s.scalars(text("SELECT name FROM categories WHERE code LIKE :p ORDER BY code"), {"p": code + "%"}))
    assert names[0] == "窨井盖与路灯" and names[1].startswith("占道经营")
    if encoding == "gb18030":
        assert names[1] == "占道经营𠀀"
