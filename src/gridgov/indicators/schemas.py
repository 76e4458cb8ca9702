"""What the indicator routes take and give (Pydantic): IndicatorCreate, TargetsUpdate, MilestoneCreate,
ValueEntry, SchemeSave; the public shapes are built from the services' dataclasses in views.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from gridgov.indicators.domain import Direction, Level, PeriodKind, SourceKind
from gridgov.validation import CleanText

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{1,39}$", description="指标编码: 小写字母、数字、_ 和 .")]
UnitCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_-]+$")]
PeriodText = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}|Q[1-4])?$", description="YYYY-MM, YYYYQn 或 YYYY")]
Value = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


class IndicatorCreate(CleanText):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=100)]
    level: Level
    period_kind: PeriodKind
    source_kind: SourceKind
    source_key: Annotated[str | None, Field(max_length=80)] = None
    unit: Annotated[str, Field(max_length=20)] = ""
    direction: Direction = Direction.HIGHER
    description: Annotated[str, Field(max_length=2000)] = ""


class IndicatorUpdate(CleanText):
    name: Annotated[str | None, Field(min_length=1, max_length=100)] = None
    description: Annotated[str | None, Field(max_length=2000)] = None


class TargetsUpdate(CleanText):
    benchmark: Value | None = None
    benchmark_source: Annotated[str, Field(max_length=200)] = ""
    standard: Value | None = None


class MilestoneCreate(CleanText):
    unit_code: UnitCode
    due: date
    target: Value
    title: Annotated[str, Field(max_length=200)] = ""


class ValueEntry(CleanText):
    unit_code: UnitCode
    period: PeriodText
    value: Value
    note: Annotated[str, Field(max_length=200)] = ""


class SchemeSave(CleanText):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    level: Level
    weights: Annotated[dict[Code, Annotated[float, Field(ge=0, le=1000)]], Field(min_length=1, max_length=50)]
