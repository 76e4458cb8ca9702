"""Imports: the station list, a file of hourly station data (all or nothing, then each area's days are
recomputed), and the national list of key cities' composite index values for a period."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from gridgov.actor import Actor
from gridgov.air.domain import (
    DAILY_MIN_HOURS,
    FIRST_8H_END,
    DailyValues,
    daily_aqi,
    daily_max_8h,
    mean_if,
    moving_8h,
)
from gridgov.air.files import read_cities, read_hourly, read_stations
from gridgov.air.ports import AirUnitOfWork, AreaHour, ImportRecord, StoredDay
from gridgov.air.services.common import digest, require_editor
from gridgov.air.tables import aqi_table
from gridgov.indicator_sources import Period
from gridgov.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Imported:
    import_id: int
    rows: int
    first_day: date | None = None
    last_day: date | None = None
    stations: int = 0
    days: int = 0  # area days recomputed
    added: int = 0
    updated: int = 0
    period: str | None = None


def import_stations(uow: AirUnitOfWork, raw: bytes, filename: str, actor: Actor, now: datetime) -> Imported:
    require_editor(actor)
    rows = read_stations(raw, filename)
    with uow:
        added, updated = uow.air.save_stations(rows)
        import_id = uow.air.add_import(ImportRecord("stations", filename, digest(raw), len(rows), now, actor.user_id))
        uow.commit()
    log.info("air_stations_imported", import_id=import_id, added=added, updated=updated)
    return Imported(import_id, len(rows), stations=len(rows), added=added, updated=updated)


def import_hourly(uow: AirUnitOfWork, raw: bytes, filename: str, actor: Actor, now: datetime) -> Imported:
    """Every row is checked before anything is written: one bad line and nothing is stored (AirFileRejected
    names the lines). The hours of the stations and days the file covers replace those stored before."""
    require_editor(actor)
    with uow:
        stations = uow.air.stations()
        rows = read_hourly(raw, filename, stations)
        first, last = min(r.day for r in rows), max(r.day for r in rows)
        record = ImportRecord("hourly", filename, digest(raw), len(rows), now, actor.user_id, first, last)
        import_id = uow.air.add_import(record)
        uow.air.replace_hours(import_id, [(stations[r.station_code].id, r.day, r.hour, r.values) for r in rows])
        days = recompute_days(uow, first, last)
        uow.commit()
    used = len({r.station_code for r in rows})
    log.info("air_hours_imported", import_id=import_id, rows=len(rows), stations=used, days=days)
    return Imported(import_id, len(rows), first, last, stations=used, days=days)


def import_city_indices(
    uow: AirUnitOfWork, raw: bytes, filename: str, period: Period, actor: Actor, now: datetime
) -> Imported:
    """The published composite index of each key city for `period`; a new file for a period replaces it."""
    require_editor(actor)
    rows = read_cities(raw, filename)
    with uow:
        record = ImportRecord("cities", filename, digest(raw), len(rows), now, actor.user_id, period=period.label)
        import_id = uow.air.add_import(record)
        uow.air.replace_city_indices(period.label, import_id, rows)
        uow.commit()
    log.info("air_city_indices_imported", import_id=import_id, period=period.label, cities=len(rows))
    return Imported(import_id, len(rows), period=period.label)


def recompute_days(uow: AirUnitOfWork, first: date, last: date) -> int:
    """Each area's days from first to last, from the means of its stations' hours (HJ 663: an area's hourly
    value is the mean of its stations'; its day needs 20 hours, its 8-hour O₃ 6 of 8 hours)."""
    stored = [area_day(area, day, slots) for area, day, slots in group_area_days(uow.air.area_hours(first, last))]
    uow.air.replace_days(first, last, stored)
    return len(stored)


def group_area_days(hours: Iterable[AreaHour]) -> Iterator[tuple[str, date, list[tuple[float | None, ...] | None]]]:
    """(area, day, 24 hourly slots) from area hours ordered by area, day and hour."""
    current: tuple[str, date] | None = None
    slots: list[tuple[float | None, ...] | None] = [None] * 24
    for h in hours:
        if (h.area_code, h.day) != current:
            if current is not None:
                yield current[0], current[1], slots
            current, slots = (h.area_code, h.day), [None] * 24
        slots[h.hour] = h.values
    if current is not None:
        yield current[0], current[1], slots


def area_day(area: str, day: date, slots: list[tuple[float | None, ...] | None]) -> StoredDay:
    column = [[s[i] if s is not None else None for s in slots] for i in range(6)]  # so2 no2 pm10 pm25 co o3
    o3 = column[5]
    o3_present = [v for v in o3 if v is not None]  # the daily 1-hour maximum has no minimum count in HJ 663
    so2, no2, pm10, pm25, co = (mean_if(column[i], DAILY_MIN_HOURS) for i in range(5))
    values = DailyValues(
        day,
        so2=so2,
        no2=no2,
        pm10=pm10,
        pm25=pm25,
        co=co,
        o3_1h=max(o3_present) if o3_present else None,
        o3_8h=daily_max_8h(moving_8h(o3)[FIRST_8H_END:]),
    )
    table = aqi_table(day)
    result = daily_aqi(table, {k: values.get(k) for k in ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")})
    return StoredDay(area, values, result.aqi, ",".join(result.primary), table.version)
