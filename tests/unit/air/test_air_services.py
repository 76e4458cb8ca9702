"""The air use cases on the in-memory unit of work: imports are all or nothing with the lines named, each area's
days are recomputed from its stations' hours, and the composite index, the districts' ranking and the city's
place among the key cities are read from them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gridgov.actor import Actor, Role
from gridgov.air import services
from gridgov.air.files import AirFileRejected
from gridgov.air.ports import NoCityList
from gridgov.air.sample import hourly_csv, station_codes, stations_csv
from gridgov.errors import PermissionDenied
from gridgov.indicator_sources import Period

from .fakes import FakeAirUnitOfWork

NOW = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
ADMIN = Actor(user_id=1, role=Role.ADMIN, unit_id=None, name="admin")
CODES = station_codes(4)
DISTRICTS = ["410102", "410105"]


@pytest.fixture
def uow() -> FakeAirUnitOfWork:
    u = FakeAirUnitOfWork()
    services.import_stations(u, stations_csv(CODES, DISTRICTS), "stations.csv", ADMIN, NOW)
    return u


def test_stations_are_registered_with_their_district(uow: FakeAirUnitOfWork) -> None:
    assert {s.code: s.district_code for s in uow.committed.stations.values()} == {
        "1001A": "410102",
        "1002A": "410105",
        "1003A": "410102",
        "1004A": "410105",
    }


def test_one_bad_line_and_nothing_is_stored_the_line_named(uow: FakeAirUnitOfWork) -> None:
    raw = hourly_csv(CODES, date(2025, 1, 1), 3, bad_line=50)
    with pytest.raises(AirFileRejected) as err:
        services.import_hourly(uow, raw, "2025.csv", ADMIN, NOW)
    assert err.value.details["line"] == 50
    assert "第 50 行 (PM25)" in err.value.message and "'12x' 不是数值" in err.value.message
    assert err.value.status == 422 and err.value.code == "air_file_rejected"
    assert uow.committed.hours == {} and uow.committed.days == {} and len(uow.committed.imports) == 1  # stations only


def test_every_bad_line_is_listed_up_to_twenty(uow: FakeAirUnitOfWork) -> None:
    text = hourly_csv(CODES, date(2025, 1, 1), 1).decode().splitlines()
    text[2] = text[2].replace("1001A", "9999Z")  # unknown station, line 3
    text[4] = text[4].replace("2025-01-01 03:00", "2025-01-01 25:00")  # line 5
    text[6] = text[5]  # line 7 repeats line 6
    text[8] = text[8].replace(",1.2,", ",-1,")  # negative CO, line 9
    with pytest.raises(AirFileRejected) as err:
        services.import_hourly(uow, ("\n".join(text) + "\n").encode(), "x.csv", ADMIN, NOW)
    lines = [(e["line"], e["column"]) for e in err.value.details["errors"]]
    assert lines == [(3, "点位编码"), (5, "监测时间"), (7, "监测时间"), (9, "CO")]
    assert "与第 6 行是同一点位同一小时" in err.value.details["errors"][2]["problem"]


def test_a_file_without_a_needed_column_is_refused(uow: FakeAirUnitOfWork) -> None:
    raw = "监测时间,点位编码,SO2,NO2,PM10,CO,O3\n2025-01-01 00:00,1001A,1,2,3,4,5\n".encode()
    with pytest.raises(AirFileRejected, match="表头缺少列: PM2.5"):
        services.import_hourly(uow, raw, "x.csv", ADMIN, NOW)


def test_only_the_command_centre_imports() -> None:
    street = Actor(user_id=2, role=Role.STREET, unit_id=5)
    with pytest.raises(PermissionDenied):
        services.import_hourly(FakeAirUnitOfWork(), b"", "x.csv", street, NOW)


def test_a_valid_file_stores_every_hour_and_each_areas_days(uow: FakeAirUnitOfWork) -> None:
    result = services.import_hourly(uow, hourly_csv(CODES, date(2025, 1, 1), 3), "ok.csv", ADMIN, NOW)
    assert (result.rows, result.stations, result.first_day, result.last_day) == (
        288,
        4,
        date(2025, 1, 1),
        date(2025, 1, 3),
    )
    assert result.days == 9  # 3 days × (2 districts + the city)
    day = uow.committed.days[("4101", date(2025, 1, 1))]
    assert day.aqi is not None and day.table_version == "HJ 633-2012" and day.values.o3_8h is not None
    assert day.values.pm25 == pytest.approx(
        sum(float(line.split(",")[7]) for line in hourly_csv(CODES, date(2025, 1, 1), 1).decode().splitlines()[1:]) / 96
    )


def test_an_import_replaces_the_hours_it_covers(uow: FakeAirUnitOfWork) -> None:
    services.import_hourly(uow, hourly_csv(CODES, date(2025, 1, 1), 2), "a.csv", ADMIN, NOW)
    services.import_hourly(uow, hourly_csv(CODES, date(2025, 1, 2), 1), "b.csv", ADMIN, NOW)
    assert len(uow.committed.hours) == 2 * 4 * 24


def test_a_day_with_fewer_than_20_hours_has_no_mean(uow: FakeAirUnitOfWork) -> None:
    lines = hourly_csv(CODES[:1], date(2025, 1, 1), 1).decode().splitlines()
    short = "\n".join(lines[:17]) + "\n"  # header + 16 hours (00–15)
    services.import_hourly(uow, short.encode(), "short.csv", ADMIN, NOW)
    day = uow.committed.days[("410102", date(2025, 1, 1))]
    # 16 hours: no 24-hour means; the 8-hour windows ending 07–17 have ≥ 6 hours: 11 windows < 14
    assert day.values.pm25 is None and day.values.o3_8h is None
    assert day.values.o3_1h is not None  # the daily 1-hour maximum needs no count


def test_the_revised_table_applies_from_march_2026(uow: FakeAirUnitOfWork) -> None:
    services.import_hourly(uow, hourly_csv(CODES, date(2026, 2, 28), 2), "x.csv", ADMIN, NOW)
    assert uow.committed.days[("4101", date(2026, 2, 28))].table_version == "HJ 633-2012"
    assert uow.committed.days[("4101", date(2026, 3, 1))].table_version == "HJ 633-2026"


def test_composite_of_a_month_compares_with_last_year(uow: FakeAirUnitOfWork) -> None:
    services.import_hourly(uow, hourly_csv(CODES, date(2024, 1, 1), 31), "2024.csv", ADMIN, NOW)
    services.import_hourly(uow, hourly_csv(CODES, date(2025, 1, 1), 31), "2025.csv", ADMIN, NOW)
    report = services.composite_report(uow, "4101", Period.parse("2025-01"))
    assert report.composite.days == 31 and report.composite.index is not None
    assert report.last_year.days == 31 and report.change is not None
    assert report.change_text.startswith("同比")


def test_the_year_to_date_stops_at_the_last_day_with_data(uow: FakeAirUnitOfWork) -> None:
    services.import_hourly(uow, hourly_csv(CODES, date(2025, 1, 1), 40), "x.csv", ADMIN, NOW)
    report = services.composite_report(uow, "4101", Period.parse("2025"))
    assert (report.first, report.last, report.ytd) == (date(2025, 1, 1), date(2025, 2, 9), True)


def test_districts_are_ranked_by_their_stations(uow: FakeAirUnitOfWork) -> None:
    services.import_hourly(uow, hourly_csv(CODES, date(2025, 1, 1), 31), "x.csv", ADMIN, NOW)
    ranked = services.district_ranking(uow, "4101", Period.parse("2025-01"))
    assert [r.report.area_code for r in ranked] and {r.report.area_code for r in ranked} == set(DISTRICTS)
    assert [r.standing.rank for r in ranked if r.standing] == [1, 2]


def test_the_city_reads_its_place_among_the_key_cities(uow: FakeAirUnitOfWork) -> None:
    with pytest.raises(NoCityList):
        services.city_ranking(uow, None, "郑州")
    rows = ["城市,综合指数"] + [f"城市{i:03d},{3 + i / 100:.2f}" for i in range(168) if i != 135] + ["郑州市,4.35"]
    services.import_city_indices(uow, ("\n".join(rows) + "\n").encode(), "168.csv", Period.parse("2025-09"), ADMIN, NOW)
    result = services.city_ranking(uow, None, "郑州")
    assert result.period == "2025-09" and result.ours is not None
    assert (result.ours.rank, result.ours.from_bottom, result.ours.total) == (136, 33, 168)
    assert "倒数第33名" in result.ours.text
