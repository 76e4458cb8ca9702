"""Air quality through HTTP and the CLI: stations, hourly files refused whole with the line named (422
air_file_rejected, CLI exit 2), the composite index with the change on last year, the districts' ranking, the
key cities' ranking read from both ends, and a year of 20 stations (175,200 rows) through `gridgov air import`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from gridgov.air.sample import hourly_csv, station_codes, stations_csv
from gridgov.cli import main

from conftest import Api, World

TABLES = ("air_city_indices", "air_days", "air_hours", "air_imports", "air_stations")


def _clear(w: World) -> None:
    with w.container.engine.begin() as conn:
        for name in TABLES:
            conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def air(api: Api, clean: World) -> Iterator[Api]:
    _clear(clean)
    yield api
    _clear(clean)


def _upload(api: Api, who: str, path: str, name: str, body: bytes, **params: str) -> Any:
    return api.client.post(path, headers=api._h(who), params=params, files={"file": (name, body, "text/csv")})


def _districts(w: World) -> list[str]:
    return [w.district, w.other_grid[:6]] if w.other_grid[:6] != w.district else [w.district]


def _count(w: World, table: str) -> int:
    with w.container.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_a_bad_line_refuses_the_file_and_stores_nothing(air: Api, clean: World) -> None:
    codes = station_codes(4)
    r = _upload(air, "admin", "/api/v1/air/stations", "stations.csv", stations_csv(codes, _districts(clean)))
    assert r.status_code == 200 and r.json()["added"] == 4, r.text
    bad = hourly_csv(codes, date(2025, 9, 1), 2, bad_line=77)
    r = _upload(air, "admin", "/api/v1/air/hours", "2025-09.csv", bad)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "air_file_rejected" and error["details"]["line"] == 77
    assert "第 77 行 (PM25): '12x' 不是数值" in error["message"] and "整个文件未导入" in error["message"]
    assert _count(clean, "air_hours") == 0 and _count(clean, "air_days") == 0
    r = _upload(air, "admin", "/api/v1/air/hours", "2025-09.csv", hourly_csv(codes, date(2025, 9, 1), 2))
    assert r.status_code == 200 and r.json()["rows"] == 2 * 4 * 24, r.text
    assert _upload(air, "street", "/api/v1/air/hours", "x.csv", bad).status_code == 403


def test_composite_change_on_last_year_and_the_districts(air: Api, clean: World) -> None:
    codes = station_codes(4)
    _upload(air, "admin", "/api/v1/air/stations", "s.csv", stations_csv(codes, _districts(clean)))
    for year in (2024, 2025):
        r = _upload(air, "admin", "/api/v1/air/hours", f"{year}.csv", hourly_csv(codes, date(year, 9, 1), 30))
        assert r.status_code == 200, r.text
    body = air.get("leader", "/api/v1/air/composite", period="2025-09").json()
    assert body["area_code"] == "4101" and body["days"] == 30 and body["composite"] > 0
    assert body["last_year"]["days"] == 30 and body["change_text"].startswith("同比")
    ytd = air.get("leader", "/api/v1/air/composite", period="2025").json()
    assert ytd["last_day"] == "2025-09-30" and ytd["period_title"] == "2025年(年初至今)"
    districts = air.get("leader", "/api/v1/air/districts", period="2025Q3").json()["districts"]
    assert {d["area_code"] for d in districts} == set(_districts(clean))
    assert districts[0]["standing"]["rank"] == 1
    daily = air.get("leader", "/api/v1/air/daily", **{"from": "2025-09-01", "to": "2025-09-03"}).json()["days"]
    assert len(daily) == 3 and daily[0]["category"] and daily[0]["colour"].startswith("#")
    tables = air.get("leader", "/api/v1/air/tables").json()
    assert [t["version"] for t in tables["aqi"]] == ["HJ 633-2012", "HJ 633-2026"] and tables["aqi"][1]["source"]


def test_the_city_reads_its_place_among_168_cities(air: Api, clean: World) -> None:
    assert air.get("leader", "/api/v1/air/ranking").json()["error"]["code"] == "no_city_ranking"
    rows = ["城市,综合指数,省份"] + [f"城市{i:03d},{3 + i / 100:.2f},某省" for i in range(168) if i != 135]
    rows.append("郑州市,4.35,河南")
    body = ("\n".join(rows) + "\n").encode()
    r = _upload(air, "admin", "/api/v1/air/cities", "168.csv", body, period="2025-09")
    assert r.status_code == 200 and r.json()["rows"] == 168, r.text
    ranking = air.get("leader", "/api/v1/air/ranking").json()
    assert ranking["ours"]["rank"] == 136 and ranking["ours"]["from_bottom"] == 33
    assert ranking["ours"]["text"] == "第136名 · 倒数第33名 (共168个城市)"
    bad = body.replace(b"4.35", b"abc")
    r = _upload(air, "admin", "/api/v1/air/cities", "168.csv", bad, period="2025-10")
    assert r.status_code == 422 and "第 169 行 (综合指数)" in r.json()["error"]["message"]


@pytest.mark.slow
def test_a_year_of_20_stations_through_the_cli(clean: World, database_url: str, tmp_path: Path) -> None:
    """175,200 rows with one bad line: exit 2, the line named, nothing stored; then the valid file."""
    _clear(clean)
    codes = station_codes(20)
    stations = tmp_path / "stations.csv"
    stations.write_bytes(stations_csv(codes, _districts(clean)))
    runner = CliRunner()
    done = runner.invoke(main, ["air", "stations", str(stations), "--database-url", database_url])
    assert done.exit_code == 0, done.output
    bad = tmp_path / "2025-bad.csv"
    bad.write_bytes(hourly_csv(codes, date(2025, 1, 1), 365, bad_line=123_457))
    done = runner.invoke(main, ["air", "import", str(bad), "--database-url", database_url])
    assert done.exit_code == 2
    assert "2025-bad.csv 第 123457 行 (PM25): '12x' 不是数值" in done.output
    assert _count(clean, "air_hours") == 0
    good = tmp_path / "2025.csv"
    good.write_bytes(hourly_csv(codes, date(2025, 1, 1), 365))
    done = runner.invoke(main, ["air", "import", str(good), "--database-url", database_url])
    assert done.exit_code == 0, done.output
    assert "已导入 175200 条小时数据 (20 个点位, 2025-01-01 至 2025-12-31)" in done.output
    assert _count(clean, "air_hours") == 175_200
    assert _count(clean, "air_days") == 365 * (len(_districts(clean)) + 1)
    done = runner.invoke(main, ["air", "composite", "--period", "2025", "--database-url", database_url])
    assert done.exit_code == 0 and "综合指数" in done.output, done.output
    _clear(clean)
