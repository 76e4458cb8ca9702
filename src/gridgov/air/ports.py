"""What the air services need from storage, and the feature's errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from gridgov.air.domain import DailyValues
from gridgov.air.files import CityRow, StationRow
from gridgov.errors import GridgovError
from gridgov.transaction import Transaction


class NoAirData(GridgovError):
    code = "no_air_data"
    status = 404
    message = "该区域该期间没有空气质量数据"


class NoCityList(GridgovError):
    code = "no_city_ranking"
    status = 404
    message = "该期间的重点城市综合指数排名尚未导入"


@dataclass(frozen=True, slots=True)
class StationRef:
    id: int
    code: str
    name: str
    district_code: str


@dataclass(frozen=True, slots=True)
class ImportRecord:
    kind: str  # hourly | stations | cities
    filename: str
    sha256: str
    rows: int
    imported_at: datetime
    actor_id: int | None
    first_day: date | None = None
    last_day: date | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class AreaHour:
    """The mean over an area's stations of one hour (None where no station had a value)."""

    area_code: str
    day: date
    hour: int
    values: tuple[float | None, ...]  # so2, no2, pm10, pm25, co, o3


@dataclass(frozen=True, slots=True)
class StoredDay:
    area_code: str
    values: DailyValues
    aqi: int | None
    primary: str
    table_version: str


class AirRepository(Protocol):
    def stations(self) -> dict[str, StationRef]: ...
    def save_stations(self, rows: Sequence[StationRow]) -> tuple[int, int]: ...  # (added, updated)
    def add_import(self, record: ImportRecord) -> int: ...
    def replace_hours(
        self, import_id: int, rows: Sequence[tuple[int, date, int, tuple[float | None, ...]]]
    ) -> None: ...  # (station id, day, hour, values): the stored hours of those stations and days are replaced
    def area_hours(self, first: date, last: date) -> Iterable[AreaHour]: ...  # every district, and the city
    def replace_days(self, first: date, last: date, rows: Sequence[StoredDay]) -> None: ...
    def days(self, area_code: str, first: date, last: date) -> list[StoredDay]: ...
    def areas(self) -> list[str]: ...
    def last_day(self, area_code: str) -> date | None: ...
    def replace_city_indices(self, period: str, import_id: int, rows: Sequence[CityRow]) -> None: ...
    def city_indices(self, period: str) -> list[CityRow]: ...
    def city_periods(self) -> list[str]: ...


class AirUnitOfWork(Transaction, Protocol):
    @property
    def air(self) -> AirRepository: ...
