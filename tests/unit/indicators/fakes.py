"""An in-memory indicator repository and unit of work (the protocol of SqlIndicatorRepository), with units and
computed sources given by the test."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any

from gridgov.errors import Conflict
from gridgov.indicator_sources import ComputedSource, Level, Period, SourceRequest
from gridgov.indicators.domain import UNIT_KINDS
from gridgov.indicators.models import (
    Indicator,
    IndicatorEvent,
    IndicatorMilestone,
    IndicatorTarget,
    IndicatorValue,
    RankingScheme,
)
from gridgov.indicators.ports import UnitRef


@dataclass
class IndicatorData:
    units: list[UnitRef] = field(default_factory=list)
    sources: dict[str, ComputedSource] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    events: list[IndicatorEvent] = field(default_factory=list)
    targets: list[IndicatorTarget] = field(default_factory=list)
    milestones: list[IndicatorMilestone] = field(default_factory=list)
    values: list[IndicatorValue] = field(default_factory=list)
    schemes: dict[str, RankingScheme] = field(default_factory=dict)
    next_id: int = 1


class FakeIndicatorRepository:
    def __init__(self, data: IndicatorData) -> None:
        self.data = data

    def _id(self) -> int:
        self.data.next_id += 1
        return self.data.next_id

    def get(self, code: str) -> Indicator | None:
        return self.data.indicators.get(code)

    def all(self, level: Level | None = None) -> Sequence[Indicator]:
        found = sorted(self.data.indicators.values(), key=lambda i: (i.level, i.code))
        return [i for i in found if level is None or i.level == level.value]

    def add(self, indicator: Indicator) -> None:
        indicator.id = self._id()
        indicator.version = 1
        self.data.indicators[indicator.code] = indicator

    def add_event(self, event: IndicatorEvent) -> None:
        if any(e.subject == event.subject and e.seq == event.seq for e in self.data.events):
            raise Conflict()
        event.id = self._id()
        self.data.events.append(event)

    def events(self, subject: str) -> Sequence[IndicatorEvent]:
        return sorted((e for e in self.data.events if e.subject == subject), key=lambda e: e.seq)

    def target(self, indicator_id: int, unit_code: str) -> IndicatorTarget | None:
        return next((t for t in self.data.targets if (t.indicator_id, t.unit_code) == (indicator_id, unit_code)), None)

    def add_target(self, target: IndicatorTarget) -> None:
        target.id = self._id()
        self.data.targets.append(target)

    def milestones(self, indicator_id: int, unit_code: str | None = None) -> Sequence[IndicatorMilestone]:
        found = [m for m in self.data.milestones if m.indicator_id == indicator_id]
        found = [m for m in found if unit_code is None or m.unit_code == unit_code]
        return sorted(found, key=lambda m: (m.due, m.id))

    def get_milestone(self, milestone_id: int) -> IndicatorMilestone | None:
        return next((m for m in self.data.milestones if m.id == milestone_id), None)

    def add_milestone(self, milestone: IndicatorMilestone) -> None:
        milestone.id = self._id()
        self.data.milestones.append(milestone)

    def remove_milestone(self, milestone: IndicatorMilestone) -> None:
        self.data.milestones.remove(milestone)

    def stored_values(self, indicator_id: int, periods: Sequence[str]) -> Sequence[IndicatorValue]:
        return [v for v in self.data.values if v.indicator_id == indicator_id and v.period in periods]

    def save_values(self, values: Sequence[IndicatorValue]) -> tuple[int, int]:
        added = replaced = 0
        for v in values:
            key = (v.indicator_id, v.unit_code, v.period)
            old = next((o for o in self.data.values if (o.indicator_id, o.unit_code, o.period) == key), None)
            if old is not None:
                self.data.values.remove(old)
                replaced += 1
            else:
                added += 1
            v.id = self._id()
            self.data.values.append(v)
        return added, replaced

    def scheme(self, code: str) -> RankingScheme | None:
        return self.data.schemes.get(code)

    def schemes(self) -> Sequence[RankingScheme]:
        return sorted(self.data.schemes.values(), key=lambda s: (s.level, s.code))

    def add_scheme(self, scheme: RankingScheme) -> None:
        scheme.id = self._id()
        self.data.schemes[scheme.code] = scheme

    def unit(self, code: str) -> UnitRef | None:
        return next((u for u in self.data.units if u.code == code), None)

    def units(self, level: Level) -> Sequence[UnitRef]:
        return [u for u in self.data.units if u.kind in UNIT_KINDS[level]]

    def source(self, key: str) -> ComputedSource | None:
        return self.data.sources.get(key)

    def sources(self) -> Sequence[ComputedSource]:
        return list(self.data.sources.values())

    def computed(
        self, source: ComputedSource, period: Period, level: Level, now: datetime, through: date | None = None
    ) -> Mapping[str, float | None]:
        return source.compute(SourceRequest(period, level, None, now, through))


class FakeIndicatorsUnitOfWork:
    def __init__(self, data: IndicatorData) -> None:
        self.committed = data
        self.commits = 0
        self._hooks: list[Callable[[], None]] = []

    def __enter__(self) -> FakeIndicatorsUnitOfWork:
        self._work = copy.deepcopy(self.committed)
        self.indicators = FakeIndicatorRepository(self._work)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        pass

    def commit(self) -> None:
        self.committed.__dict__.update(copy.deepcopy(self._work).__dict__)
        self.commits += 1
        hooks, self._hooks = self._hooks, []
        for hook in hooks:
            hook()

    def rollback(self) -> None:
        self.__enter__()

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._hooks.append(hook)

    def savepoint(self) -> AbstractContextManager[Any]:
        return nullcontext()
