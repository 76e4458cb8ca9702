"""Read-only use cases: an area's composite index for a month, a quarter or the year to date with the change on
the same period last year, the districts ranked by it, the city's place among the key cities, the daily AQI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gridgov.air.domain import (
    Composite,
    Standing,
    change_percent,
    change_text,
    composite_index,
    period_statistics,
    standings,
)
from gridgov.air.ports import AirUnitOfWork, NoCityList, StoredDay
from gridgov.air.tables import aqi_table, composite_rule
from gridgov.indicator_sources import Period, PeriodKind


@dataclass(frozen=True, slots=True)
class CompositeReport:
    area_code: str
    period: Period
    first: date
    last: date
    composite: Composite
    last_year: Composite
    change: float | None  # percent, on the same days of last year

    @property
    def change_text(self) -> str:
        return change_text(self.change)

    @property
    def ytd(self) -> bool:
        return self.period.kind is PeriodKind.YEAR and self.last < self.period.last_day


def _year_earlier(day: date) -> date:
    return (
        day.replace(year=day.year - 1, day=min(day.day, 28))
        if (day.month, day.day) == (2, 29)
        else day.replace(year=day.year - 1)
    )


def composite_of(days: list[StoredDay], on: date) -> Composite:
    rule = composite_rule(on)
    values = [d.values for d in days]
    return composite_index(rule, period_statistics(rule, values), len(values))


def composite_report(
    uow: AirUnitOfWork, area_code: str, period: Period, through: date | None = None
) -> CompositeReport:
    """The period's composite index; for a year, the year to date (up to `through`, else the last day with
    data), compared with the same days one year before."""
    with uow:
        last = period.last_day
        if through is not None:
            last = min(last, through)
        elif period.kind is PeriodKind.YEAR:
            latest = uow.air.last_day(area_code)
            if latest is not None and period.start <= latest < last:
                last = latest
        first = period.start
        now = uow.air.days(area_code, first, last)
        before = uow.air.days(area_code, _year_earlier(first), _year_earlier(last))
    current, previous = composite_of(now, first), composite_of(before, _year_earlier(first))
    return CompositeReport(
        area_code, period, first, last, current, previous, change_percent(current.index, previous.index)
    )


@dataclass(frozen=True, slots=True)
class AreaStanding:
    report: CompositeReport
    standing: Standing | None


def district_ranking(
    uow: AirUnitOfWork, city_code: str, period: Period, through: date | None = None
) -> list[AreaStanding]:
    """The city's districts ranked by their composite index (computed from their stations)."""
    with uow:
        districts = [a for a in uow.air.areas() if len(a) == 6 and a.startswith(city_code)]
    reports = [composite_report(uow, area, period, through) for area in districts]

    ranked = {
        s.name: s
        for s in standings([(r.area_code, r.composite.index) for r in reports if r.composite.index is not None])
    }
    out = [AreaStanding(r, ranked.get(r.area_code)) for r in reports]
    return sorted(out, key=lambda a: (a.standing is None, a.standing.rank if a.standing else 0, a.report.area_code))


@dataclass(frozen=True, slots=True)
class CityRanking:
    period: str
    standings: list[Standing]
    ours: Standing | None  # this city's place (None when it is not in the list)


def _same_city(a: str, b: str) -> bool:
    return a.removesuffix("市") == b.removesuffix("市")


def city_ranking(uow: AirUnitOfWork, period: str | None, city_name: str) -> CityRanking:
    """The imported list for `period` (the latest imported when None) ranked from the top and from the bottom,
    and this city's place in it: "第136名 · 倒数第33名"."""

    with uow:
        if period is None:
            periods = uow.air.city_periods()
            if not periods:
                raise NoCityList()
            period = periods[0]
        rows = uow.air.city_indices(period)
    if not rows:
        raise NoCityList(period=period)
    ranked = standings([(r.city, r.composite) for r in rows])
    ours = next((s for s in ranked if _same_city(s.name, city_name)), None)
    return CityRanking(period, ranked, ours)


def daily_report(uow: AirUnitOfWork, area_code: str, first: date, last: date) -> list[dict[str, object]]:
    """Each day's values, AQI, category (name and colour) and primary pollutants."""
    with uow:
        days = uow.air.days(area_code, first, last)
    out: list[dict[str, object]] = []
    for d in days:
        category = aqi_table(d.values.day).category(d.aqi) if d.aqi is not None else None
        out.append(
            {
                "day": d.values.day.isoformat(),
                **{k: d.values.get(k) for k in ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")},
                "aqi": d.aqi,
                "primary": [p for p in d.primary.split(",") if p],
                "category": category.name if category else None,
                "level": category.level if category else None,
                "colour": category.hex if category else None,
                "table": d.table_version,
            }
        )
    return out
