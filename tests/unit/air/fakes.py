"""An in-memory air repository and unit of work: the same protocol as SqlAirRepository (area hours are the
mean over an area's stations, as the SQL GROUP BY computes them)."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import Any

from gridgov.air.files import CityRow, StationRow
from gridgov.air.ports import AreaHour, ImportRecord, StationRef, StoredDay


@dataclass
class AirData:
    stations: dict[str, StationRef] = field(default_factory=dict)
    imports: list[ImportRecord] = field(default_factory=list)
    hours: dict[tuple[int, date, int], tuple[float | None, ...]] = field(default_factory=dict)
    days: dict[tuple[str, date], StoredDay] = field(default_factory=dict)
    cities: dict[str, list[CityRow]] = field(default_factory=dict)


class FakeAirRepository:
    def __init__(self, data: AirData) -> None:
        self.data = data

    def stations(self) -> dict[str, StationRef]:
        return dict(self.data.stations)

    def save_stations(self, rows: Sequence[StationRow]) -> tuple[int, int]:
        added = updated = 0
        for r in rows:
            old = self.data.stations.get(r.code)
            if old is None:
                added += 1
            else:
                updated += 1
            sid = old.id if old else len(self.data.stations) + 1
            self.data.stations[r.code] = StationRef(sid, r.code, r.name, r.district_code)
        return added, updated

    def add_import(self, record: ImportRecord) -> int:
        self.data.imports.append(record)
        return len(self.data.imports)

    def replace_hours(self, import_id: int, rows: Sequence[tuple[int, date, int, tuple[float | None, ...]]]) -> None:
        span: dict[int, tuple[date, date]] = {}
        for s, d, _, _ in rows:
            lo, hi = span.get(s, (d, d))
            span[s] = (min(lo, d), max(hi, d))
        for key in [k for k in self.data.hours if k[0] in span and span[k[0]][0] <= k[1] <= span[k[0]][1]]:
            del self.data.hours[key]
        for s, d, h, v in rows:
            self.data.hours[(s, d, h)] = v

    def area_hours(self, first: date, last: date) -> Iterator[AreaHour]:
        district = {s.id: s.district_code for s in self.data.stations.values()}
        groups: dict[tuple[str, date, int], list[tuple[float | None, ...]]] = defaultdict(list)
        for (s, d, h), v in self.data.hours.items():
            if first <= d <= last:
                groups[(district[s], d, h)].append(v)
                groups[(district[s][:4], d, h)].append(v)
        for key in sorted(groups):
            values = groups[key]
            means = []
            for i in range(6):
                present = [v[i] for v in values if v[i] is not None]
                means.append(sum(present) / len(present) if present else None)
            yield AreaHour(key[0], key[1], key[2], tuple(means))

    def replace_days(self, first: date, last: date, rows: Sequence[StoredDay]) -> None:
        for key in [k for k in self.data.days if first <= k[1] <= last]:
            del self.data.days[key]
        for r in rows:
            self.data.days[(r.area_code, r.values.day)] = r

    def days(self, area_code: str, first: date, last: date) -> list[StoredDay]:
        return [v for (a, d), v in sorted(self.data.days.items()) if a == area_code and first <= d <= last]

    def areas(self) -> list[str]:
        return sorted({a for a, _ in self.data.days})

    def last_day(self, area_code: str) -> date | None:
        return max((d for a, d in self.data.days if a == area_code), default=None)

    def replace_city_indices(self, period: str, import_id: int, rows: Sequence[CityRow]) -> None:
        self.data.cities[period] = list(rows)

    def city_indices(self, period: str) -> list[CityRow]:
        return sorted(self.data.cities.get(period, []), key=lambda r: r.composite)

    def city_periods(self) -> list[str]:
        return sorted(self.data.cities, reverse=True)


class FakeAirUnitOfWork:
    """One transaction over `committed`: a working copy on enter, written back on commit."""

    def __init__(self, committed: AirData | None = None) -> None:
        self.committed = committed or AirData()
        self.commits = 0
        self._hooks: list[Callable[[], None]] = []

    def __enter__(self) -> FakeAirUnitOfWork:
        self._work = copy.deepcopy(self.committed)
        self.air = FakeAirRepository(self._work)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._work = AirData()

    def commit(self) -> None:
        self.committed.__dict__.update(copy.deepcopy(self._work).__dict__)
        self.commits += 1
        hooks, self._hooks = self._hooks, []
        for hook in hooks:
            hook()

    def rollback(self) -> None:
        self._work = copy.deepcopy(self.committed)
        self.air = FakeAirRepository(self._work)

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._hooks.append(hook)

    def savepoint(self) -> AbstractContextManager[Any]:
        return nullcontext()
