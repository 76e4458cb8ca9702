"""What a feature declares to offer a computed indicator (kernel: standard library only).

A feature that computes a figure worth a target (the case 三率, the air-quality composite index, …) puts a module
`gridgov/<feature>/indicators.py` beside its code with a tuple `SOURCES` of `ComputedSource`. The indicators
feature finds these modules when it starts (`gridgov.indicators.sources.discover`): adding a source touches only
the feature that computes it, and no feature imports the indicators feature (which sits above them).

A source's `compute(request)` returns one value per unit code (`units.code`: "4101" the city, "410102" a district,
a street's 9-digit code, "410102-cg" a bureau) for the request's period and level; a unit it has nothing for is
left out. `request.read` is the read handle of the adapter that calls it (a SQLAlchemy session for the SQL one;
a fake's own object in tests), so a source reads with its own feature's queries.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Direction(StrEnum):
    HIGHER = "higher"  # 越高越好 (结案率)
    LOWER = "lower"  # 越低越好 (综合指数)

    @property
    def label(self) -> str:
        return "越高越好" if self is Direction.HIGHER else "越低越好"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {PeriodKind.MONTH: "月", PeriodKind.QUARTER: "季度", PeriodKind.YEAR: "年"}[self]


class Level(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    DEPARTMENT = "department"

    @property
    def label(self) -> str:
        return {Level.CITY: "市", Level.DISTRICT: "区县", Level.STREET: "街道", Level.DEPARTMENT: "部门"}[self]


# the units (units.kind) each level is measured on
LEVEL_UNIT_KINDS: dict[Level, tuple[str, ...]] = {
    Level.CITY: ("city",),
    Level.DISTRICT: ("district",),
    Level.STREET: ("street_office",),
    Level.DEPARTMENT: ("city_department", "district_bureau"),
}

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|Q([1-4]))?$")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A month ("2025-09"), a quarter ("2025Q3") or a year ("2025"), in local (Beijing) dates."""

    year: int
    kind: PeriodKind
    number: int = 1  # the month (1–12), the quarter (1–4), 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(text.strip())
        if not m:
            raise ValueError(f"期间格式须为 YYYY、YYYYQn 或 YYYY-MM: {text!r}")
        year = int(m[1])
        if not 1900 <= year <= 9000:
            raise ValueError(f"年份超出范围: {year}")
        if m[2]:
            month = int(m[2])
            if not 1 <= month <= 12:
                raise ValueError(f"月份须为 01–12: {text!r}")
            return cls(year, PeriodKind.MONTH, month)
        if m[3]:
            return cls(year, PeriodKind.QUARTER, int(m[3]))
        return cls(year, PeriodKind.YEAR, 1)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> Period:
        if kind is PeriodKind.MONTH:
            return cls(day.year, kind, day.month)
        if kind is PeriodKind.QUARTER:
            return cls(day.year, kind, (day.month - 1) // 3 + 1)
        return cls(day.year, kind, 1)

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}Q{self.number}"
        return str(self.year)

    @property
    def title(self) -> str:
        """As people read it: 2025年9月, 2025年第3季度, 2025年."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}年{self.number}月"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年"

    @property
    def first_month(self) -> int:
        return {PeriodKind.MONTH: self.number, PeriodKind.QUARTER: 3 * self.number - 2, PeriodKind.YEAR: 1}[self.kind]

    @property
    def months(self) -> int:
        return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        month = self.first_month + self.months - 1
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def month_labels(self) -> list[str]:
        return [f"{self.year}-{m:02d}" for m in range(self.first_month, self.first_month + self.months)]

    def shift(self, steps: int) -> Period:
        """The period `steps` periods later (earlier when negative)."""
        if self.kind is PeriodKind.YEAR:
            return Period(self.year + steps, self.kind, 1)
        per_year = 12 if self.kind is PeriodKind.MONTH else 4
        index = self.year * per_year + (self.number - 1) + steps
        return Period(index // per_year, self.kind, index % per_year + 1)

    def same_last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)


@dataclass(frozen=True, slots=True)
class SourceRequest:
    period: Period
    level: Level
    read: Any  # the calling adapter's read handle (sqlalchemy Session in the SQL adapter)
    now: datetime
    through: date | None = None  # read data up to this day only (a year-to-date figure), None: the whole period


Compute = Callable[[SourceRequest], Mapping[str, float | None]]


@dataclass(frozen=True, slots=True)
class ComputedSource:
    """One figure a feature computes, offered to the indicator registry under `key` ("<feature>.<name>")."""

    key: str
    name: str
    unit: str  # the unit of measure: "%", "", "µg/m³"
    direction: Direction
    levels: frozenset[Level]
    periods: frozenset[PeriodKind]
    compute: Compute = field(compare=False)
    description: str = ""
