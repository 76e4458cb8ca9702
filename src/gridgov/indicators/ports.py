"""What the indicator services need from storage and from the features that compute values, and the
feature's errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from gridgov.errors import GridgovError, NotFound, ValidationFailed
from gridgov.indicator_sources import ComputedSource, Level, Period
from gridgov.indicators.models import (
    Indicator,
    IndicatorEvent,
    IndicatorMilestone,
    IndicatorTarget,
    IndicatorValue,
    RankingScheme,
)
from gridgov.transaction import Transaction


class IndicatorNotFound(NotFound):
    code = "indicator_not_found"
    message = "指标不存在"


class UnitNotFound(NotFound):
    code = "unit_not_found"
    message = "单位不存在"


class SchemeNotFound(NotFound):
    code = "ranking_scheme_not_found"
    message = "排名方案不存在"


class IndicatorExists(GridgovError):
    code = "indicator_exists"
    status = 409
    message = "指标编码已存在"


class UnknownSource(ValidationFailed):
    code = "unknown_source"
    message = "没有这个计算来源"


class WrongSource(GridgovError):
    code = "wrong_source"
    status = 409
    message = "该指标的数值不能这样填报"


class ValuesRejected(GridgovError):
    code = "indicator_file_rejected"
    status = 422
    message = "文件有误，未导入任何数据"


@dataclass(frozen=True, slots=True)
class UnitRef:
    code: str
    name: str
    kind: str
    id: int | None = None


class IndicatorRepository(Protocol):
    def get(self, code: str) -> Indicator | None: ...
    def all(self, level: Level | None = None) -> Sequence[Indicator]: ...
    def add(self, indicator: Indicator) -> None: ...
    def add_event(self, event: IndicatorEvent) -> None: ...
    def events(self, subject: str) -> Sequence[IndicatorEvent]: ...
    def target(self, indicator_id: int, unit_code: str) -> IndicatorTarget | None: ...
    def add_target(self, target: IndicatorTarget) -> None: ...
    def milestones(self, indicator_id: int, unit_code: str | None = None) -> Sequence[IndicatorMilestone]: ...
    def get_milestone(self, milestone_id: int) -> IndicatorMilestone | None: ...
    def add_milestone(self, milestone: IndicatorMilestone) -> None: ...
    def remove_milestone(self, milestone: IndicatorMilestone) -> None: ...
    def stored_values(self, indicator_id: int, periods: Sequence[str]) -> Sequence[IndicatorValue]: ...
    def save_values(self, values: Sequence[IndicatorValue]) -> tuple[int, int]: ...  # (added, replaced)
    def scheme(self, code: str) -> RankingScheme | None: ...
    def schemes(self) -> Sequence[RankingScheme]: ...
    def add_scheme(self, scheme: RankingScheme) -> None: ...
    def unit(self, code: str) -> UnitRef | None: ...
    def units(self, level: Level) -> Sequence[UnitRef]: ...
    def source(self, key: str) -> ComputedSource | None: ...
    def sources(self) -> Sequence[ComputedSource]: ...
    def computed(
        self, source: ComputedSource, period: Period, level: Level, now: datetime, through: date | None = None
    ) -> Mapping[str, float | None]: ...


class IndicatorsUnitOfWork(Transaction, Protocol):
    @property
    def indicators(self) -> IndicatorRepository: ...
