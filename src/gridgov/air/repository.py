"""The SQL adapter of the air repository: bulk writes of hours, the area means of each hour in one GROUP BY."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Protocol

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from gridgov.air.domain import DailyValues
from gridgov.air.files import CityRow, StationRow
from gridgov.air.models import AirCityIndex, AirDay, AirHour, AirImport, AirStation
from gridgov.air.ports import AreaHour, ImportRecord, StationRef, StoredDay
from gridgov.transaction import BoundUnitOfWork, Transaction

CITY_PREFIX = 4  # a city's code is the first four digits of its districts' codes (4101 ← 410102)
HOUR_VALUES = ("so2", "no2", "pm10", "pm25", "co", "o3")
DAY_VALUES = ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")
HOUR_COLUMNS = ("station_id", "day", "hour", "so2", "no2", "pm10", "pm25", "co", "o3", "o3_8h", "import_id")


class SqlAirRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stations(self) -> dict[str, StationRef]:
        rows = self.session.execute(select(AirStation.id, AirStation.code, AirStation.name, AirStation.district_code))
        return {r.code: StationRef(r.id, r.code, r.name, r.district_code) for r in rows}

    def save_stations(self, rows: Sequence[StationRow]) -> tuple[int, int]:
        known = {s.code: s for s in self.session.scalars(select(AirStation))}
        added = updated = 0
        for row in rows:
            station = known.get(row.code)
            if station is None:
                station = AirStation(code=row.code)
                self.session.add(station)
                added += 1
            else:
                updated += 1
            station.name, station.district_code, station.city = row.name, row.district_code, row.city
            station.lat, station.lon = row.lat, row.lon
        self.session.flush()
        return added, updated

    def add_import(self, record: ImportRecord) -> int:
        row = AirImport(
            kind=record.kind,
            filename=record.filename[:200],
            sha256=record.sha256,
            rows=record.rows,
            first_day=record.first_day,
            last_day=record.last_day,
            period=record.period,
            imported_at=record.imported_at,
            actor_id=record.actor_id,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def replace_hours(self, import_id: int, rows: Sequence[tuple[int, date, int, tuple[float | None, ...]]]) -> None:
        span: dict[int, tuple[date, date]] = {}
        for station_id, day, _, _ in rows:
            lo, hi = span.get(station_id, (day, day))
            span[station_id] = (min(lo, day), max(hi, day))
        for station_id, (lo, hi) in span.items():
            self.session.execute(
                delete(AirHour).where(AirHour.station_id == station_id, AirHour.day >= lo, AirHour.day <= hi)
            )
        # the rows go to the driver's executemany as tuples: no per-row statement building (a year is 175,200)
        conn = self.session.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sqlite = conn.dialect.name == "sqlite"
        sql = f"INSERT INTO air_hours ({', '.join(HOUR_COLUMNS)}) VALUES ({', '.join([mark] * len(HOUR_COLUMNS))})"
        batch = 20_000
        for start in range(0, len(rows), batch):
            conn.exec_driver_sql(
                sql,
                [
                    (s, d.isoformat() if sqlite else d, h, *v, import_id)  # SQLAlchemy's Date is ISO text on SQLite
                    for s, d, h, v in rows[start : start + batch]
                ],
            )

    def area_hours(self, first: date, last: date) -> Iterator[AreaHour]:
        h, s = AirHour, AirStation
        means = [func.avg(getattr(h, name)) for name in HOUR_VALUES]
        window = (h.day >= first, h.day <= last)
        for area in (s.district_code, func.substr(s.district_code, 1, CITY_PREFIX)):
            stmt = (
                select(area.label("area"), h.day, h.hour, *means)
                .join(s, s.id == h.station_id)
                .where(*window)
                .group_by(area, h.day, h.hour)
                .order_by(area, h.day, h.hour)
            )
            for row in self.session.execute(stmt):
                yield AreaHour(row[0], row[1], row[2], tuple(row[3:]))

    def replace_days(self, first: date, last: date, rows: Sequence[StoredDay]) -> None:
        self.session.execute(delete(AirDay).where(AirDay.day >= first, AirDay.day <= last))
        if rows:
            self.session.execute(
                insert(AirDay),
                [
                    {
                        "area_code": r.area_code,
                        "day": r.values.day,
                        **{k: r.values.get(k) for k in DAY_VALUES},
                        "aqi": r.aqi,
                        "primary": r.primary,
                        "table_version": r.table_version,
                    }
                    for r in rows
                ],
            )

    def days(self, area_code: str, first: date, last: date) -> list[StoredDay]:
        stmt = (
            select(AirDay)
            .where(AirDay.area_code == area_code, AirDay.day >= first, AirDay.day <= last)
            .order_by(AirDay.day)
        )
        return [
            StoredDay(
                d.area_code,
                DailyValues(d.day, **{k: getattr(d, k) for k in DAY_VALUES}),
                d.aqi,
                d.primary,
                d.table_version,
            )
            for d in self.session.scalars(stmt)
        ]

    def areas(self) -> list[str]:
        return list(self.session.scalars(select(AirDay.area_code).distinct().order_by(AirDay.area_code)))

    def last_day(self, area_code: str) -> date | None:
        return self.session.scalar(select(func.max(AirDay.day)).where(AirDay.area_code == area_code))

    def replace_city_indices(self, period: str, import_id: int, rows: Sequence[CityRow]) -> None:
        self.session.execute(delete(AirCityIndex).where(AirCityIndex.period == period))
        self.session.execute(
            insert(AirCityIndex),
            [
                {
                    "period": period,
                    "city": r.city,
                    "province": r.province,
                    "composite": r.composite,
                    "published_rank": r.rank,
                    "import_id": import_id,
                }
                for r in rows
            ],
        )

    def city_indices(self, period: str) -> list[CityRow]:
        stmt = select(AirCityIndex).where(AirCityIndex.period == period).order_by(AirCityIndex.composite)
        return [CityRow(c.city, c.composite, c.province, c.published_rank) for c in self.session.scalars(stmt)]

    def city_periods(self) -> list[str]:
        stmt = select(AirCityIndex.period).distinct().order_by(AirCityIndex.period.desc())
        return list(self.session.scalars(stmt))


class SessionUnitOfWork(Transaction, Protocol):
    session: Session


class SqlAirUnitOfWork(BoundUnitOfWork):
    """The shared SQL unit of work (gridgov.uow's, from the container) with the air repository bound to its
    session: one transaction, the same SQLite write lock, the same after-commit hooks."""

    air: SqlAirRepository

    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        self.air = SqlAirRepository(self._base.session)
