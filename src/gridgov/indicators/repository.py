"""The SQL adapter of the indicator repository; computed values are asked of the discovered sources with this
session as their read handle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

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
from gridgov.indicators.sources import SourceRegistry, registry
from gridgov.transaction import BoundUnitOfWork, Transaction
from gridgov.units.models import Unit


class SqlIndicatorRepository:
    def __init__(self, session: Session, sources: SourceRegistry | None = None) -> None:
        self.session = session
        self._sources = sources

    @property
    def registry(self) -> SourceRegistry:
        if self._sources is None:
            self._sources = registry()
        return self._sources

    def get(self, code: str) -> Indicator | None:
        return self.session.scalar(select(Indicator).where(Indicator.code == code))

    def all(self, level: Level | None = None) -> Sequence[Indicator]:
        stmt = select(Indicator).order_by(Indicator.level, Indicator.code)
        if level is not None:
            stmt = stmt.where(Indicator.level == level.value)
        return self.session.scalars(stmt).all()

    def add(self, indicator: Indicator) -> None:
        self.session.add(indicator)
        self.session.flush()

    def add_event(self, event: IndicatorEvent) -> None:
        self.session.add(event)

    def events(self, subject: str) -> Sequence[IndicatorEvent]:
        stmt = select(IndicatorEvent).where(IndicatorEvent.subject == subject).order_by(IndicatorEvent.seq)
        return self.session.scalars(stmt).all()

    def target(self, indicator_id: int, unit_code: str) -> IndicatorTarget | None:
        stmt = select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator_id, IndicatorTarget.unit_code == unit_code
        )
        return self.session.scalar(stmt)

    def add_target(self, target: IndicatorTarget) -> None:
        self.session.add(target)

    def milestones(self, indicator_id: int, unit_code: str | None = None) -> Sequence[IndicatorMilestone]:
        stmt = select(IndicatorMilestone).where(IndicatorMilestone.indicator_id == indicator_id)
        if unit_code is not None:
            stmt = stmt.where(IndicatorMilestone.unit_code == unit_code)
        return self.session.scalars(stmt.order_by(IndicatorMilestone.due, IndicatorMilestone.id)).all()

    def get_milestone(self, milestone_id: int) -> IndicatorMilestone | None:
        return self.session.get(IndicatorMilestone, milestone_id)

    def add_milestone(self, milestone: IndicatorMilestone) -> None:
        self.session.add(milestone)
        self.session.flush()

    def remove_milestone(self, milestone: IndicatorMilestone) -> None:
        self.session.delete(milestone)

    def stored_values(self, indicator_id: int, periods: Sequence[str]) -> Sequence[IndicatorValue]:
        stmt = select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator_id, IndicatorValue.period.in_(list(periods))
        )
        return self.session.scalars(stmt).all()

    def save_values(self, values: Sequence[IndicatorValue]) -> tuple[int, int]:
        added = replaced = 0
        for v in values:
            old = self.session.scalar(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_id == v.indicator_id,
                    IndicatorValue.unit_code == v.unit_code,
                    IndicatorValue.period == v.period,
                )
            )
            if old is None:
                self.session.add(v)
                added += 1
                continue
            for name in ("value", "source_kind", "entered_by_id", "entered_by", "entered_at", "filename", "note"):
                setattr(old, name, getattr(v, name))
            replaced += 1
        self.session.flush()
        return added, replaced

    def scheme(self, code: str) -> RankingScheme | None:
        return self.session.scalar(select(RankingScheme).where(RankingScheme.code == code))

    def schemes(self) -> Sequence[RankingScheme]:
        return self.session.scalars(select(RankingScheme).order_by(RankingScheme.level, RankingScheme.code)).all()

    def add_scheme(self, scheme: RankingScheme) -> None:
        self.session.add(scheme)
        self.session.flush()

    def unit(self, code: str) -> UnitRef | None:
        u = self.session.scalar(select(Unit).where(Unit.code == code))
        return UnitRef(u.code, u.name, u.kind, u.id) if u is not None else None

    def units(self, level: Level) -> Sequence[UnitRef]:
        stmt = select(Unit).where(Unit.kind.in_(UNIT_KINDS[level])).order_by(Unit.code)
        return [UnitRef(u.code, u.name, u.kind, u.id) for u in self.session.scalars(stmt)]

    def source(self, key: str) -> ComputedSource | None:
        return self.registry.get(key)

    def sources(self) -> Sequence[ComputedSource]:
        return list(self.registry.values())

    def computed(
        self, source: ComputedSource, period: Period, level: Level, now: datetime, through: date | None = None
    ) -> Mapping[str, float | None]:
        return source.compute(SourceRequest(period, level, self.session, now, through))


class SessionUnitOfWork(Transaction, Protocol):
    session: Session


class SqlIndicatorsUnitOfWork(BoundUnitOfWork):
    """The shared SQL unit of work (gridgov.uow's, from the container) with this feature's repository bound to
    its session: one transaction, the same SQLite write lock, the same after-commit hooks."""

    indicators: SqlIndicatorRepository

    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork, sources: SourceRegistry | None = None) -> None:
        super().__init__(base)
        self._sources = sources

    def _bind(self) -> None:
        self.indicators = SqlIndicatorRepository(self._base.session, self._sources)
