"""Reading 三标: a unit's scorecard (each indicator's value against 标杆 and 标准 with the gap, the trend, the
milestones on time, late or met, the rank among peers), a ranking of all units of a level by a scheme's
weighted composite, and the 三标 panel of the wall screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from gridgov.clock import SHANGHAI
from gridgov.errors import ValidationFailed
from gridgov.indicators.domain import (
    Direction,
    Level,
    MilestoneStatus,
    PeerRank,
    Period,
    PeriodKind,
    SourceKind,
    advantage,
    composite_scores,
    level_of_kind,
    meets,
    milestone_status,
    peer_ranks,
    trend_periods,
)
from gridgov.indicators.models import Indicator, IndicatorValue
from gridgov.indicators.ports import IndicatorsUnitOfWork, SchemeNotFound, UnitRef
from gridgov.indicators.services.common import unit_or_404


def as_of_month(text: str | None, now: datetime) -> Period:
    """The month a scorecard is read at: the given period's last month, else this month."""
    if not text:
        today = now.astimezone(SHANGHAI).date()
        return Period.containing(today, PeriodKind.MONTH)
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="as_of") from None
    return Period.containing(period.last_day, PeriodKind.MONTH)


def period_of(indicator: Indicator, month: Period) -> Period:
    return Period.containing(month.start, PeriodKind(indicator.period_kind))


class Values:
    """Every unit's value of an indicator for a period, computed or stored, asked once per request."""

    def __init__(self, uow: IndicatorsUnitOfWork, now: datetime) -> None:
        self.uow = uow
        self.now = now
        self._cache: dict[tuple[str, str], dict[str, float | None]] = {}
        self.rows: dict[tuple[str, str, str], IndicatorValue] = {}  # stored rows: who entered them, and when

    def of(self, indicator: Indicator, period: Period) -> dict[str, float | None]:
        return self.series(indicator, [period])[period.label]

    def series(self, indicator: Indicator, periods: Sequence[Period]) -> dict[str, dict[str, float | None]]:
        wanted = [p for p in periods if (indicator.code, p.label) not in self._cache]
        if wanted and indicator.source_kind == SourceKind.COMPUTED.value:
            source = self.uow.indicators.source(indicator.source_key or "")
            for p in wanted:
                got = dict(self.uow.indicators.computed(source, p, Level(indicator.level), self.now)) if source else {}
                self._cache[(indicator.code, p.label)] = got
        elif wanted:
            for p in wanted:
                self._cache[(indicator.code, p.label)] = {}
            for row in self.uow.indicators.stored_values(indicator.id, [p.label for p in wanted]):
                self._cache[(indicator.code, row.period)][row.unit_code] = row.value
                self.rows[(indicator.code, row.period, row.unit_code)] = row
        return {p.label: self._cache[(indicator.code, p.label)] for p in periods}


@dataclass(frozen=True, slots=True)
class MilestoneCard:
    id: int
    title: str
    due: date
    target: float
    value: float | None
    status: MilestoneStatus


@dataclass(frozen=True, slots=True)
class IndicatorCard:
    code: str
    name: str
    unit: str
    direction: Direction
    period: Period
    source_kind: SourceKind
    value: float | None
    benchmark: float | None
    benchmark_source: str
    standard: float | None
    vs_benchmark: float | None  # ahead of the benchmark (negative: behind)
    vs_standard: float | None
    meets_standard: bool | None
    reached_benchmark: bool | None
    trend: list[tuple[str, float | None]]
    milestones: list[MilestoneCard]
    rank: PeerRank | None
    entered_by: str = ""
    entered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompositePlace:
    scheme_code: str
    scheme_name: str
    score: float | None
    rank: PeerRank | None


@dataclass(frozen=True, slots=True)
class Scorecard:
    unit: UnitRef
    level: Level
    as_of: Period
    cards: list[IndicatorCard]
    composites: list[CompositePlace] = field(default_factory=list)


def _card(
    uow: IndicatorsUnitOfWork, values: Values, indicator: Indicator, unit_code: str, month: Period, today: date
) -> IndicatorCard:
    direction = Direction(indicator.direction)
    period = period_of(indicator, month)
    periods = trend_periods(period)
    series = values.series(indicator, periods)
    current = series[period.label]
    value = current.get(unit_code)
    target = uow.indicators.target(indicator.id, unit_code)
    benchmark = target.benchmark if target else None
    standard = target.standard if target else None
    cards = []
    for m in uow.indicators.milestones(indicator.id, unit_code):
        due_period = Period.containing(m.due, PeriodKind(indicator.period_kind))
        at_due = values.of(indicator, due_period).get(unit_code)
        view = milestone_status(m.due, m.target, at_due, value, today, direction)
        cards.append(MilestoneCard(m.id, m.title, m.due, m.target, view.value, view.status))
    row = values.rows.get((indicator.code, period.label, unit_code))
    return IndicatorCard(
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        direction=direction,
        period=period,
        source_kind=SourceKind(indicator.source_kind),
        value=value,
        benchmark=benchmark,
        benchmark_source=target.benchmark_source if target else "",
        standard=standard,
        vs_benchmark=advantage(value, benchmark, direction),
        vs_standard=advantage(value, standard, direction),
        meets_standard=meets(value, standard, direction),
        reached_benchmark=meets(value, benchmark, direction),
        trend=[(p.label, series[p.label].get(unit_code)) for p in periods],
        milestones=cards,
        rank=peer_ranks(_peers(uow, indicator, current), direction).get(unit_code),
        entered_by=row.entered_by if row else "",
        entered_at=row.entered_at if row else None,
    )


def _peers(
    uow: IndicatorsUnitOfWork, indicator: Indicator, values: Mapping[str, float | None]
) -> dict[str, float | None]:
    """The values of the units of the indicator's level (a source may return more units than that)."""
    codes = {u.code for u in uow.indicators.units(Level(indicator.level))}
    return {k: v for k, v in values.items() if k in codes}


def scorecard(uow: IndicatorsUnitOfWork, unit_code: str, as_of: str | None, now: datetime) -> Scorecard:
    month = as_of_month(as_of, now)
    today = now.astimezone(SHANGHAI).date()
    with uow:
        unit = unit_or_404(uow, unit_code)
        level = level_of_kind(unit.kind)
        if level is None:
            return Scorecard(unit, Level.STREET, month, [])
        values = Values(uow, now)
        cards = [_card(uow, values, ind, unit_code, month, today) for ind in uow.indicators.all(level)]
        places = []
        for scheme in uow.indicators.schemes():
            if scheme.level == level.value:
                table = _ranking_rows(uow, values, scheme.weights, level, month)
                mine = next((r for r in table if r.unit.code == unit_code), None)
                places.append(
                    CompositePlace(scheme.code, scheme.name, mine.score if mine else None, mine.rank if mine else None)
                )
    return Scorecard(unit, level, month, cards, places)


@dataclass(frozen=True, slots=True)
class RankingRow:
    unit: UnitRef
    score: float | None
    rank: PeerRank | None
    values: dict[str, float | None]  # indicator code → value


@dataclass(frozen=True, slots=True)
class Ranking:
    scheme_code: str
    scheme_name: str
    level: Level
    as_of: Period
    indicators: list[tuple[str, str, str, float, str]]  # (code, name, unit, weight, period label)
    rows: list[RankingRow]


def _ranking_rows(
    uow: IndicatorsUnitOfWork, values: Values, weights: Mapping[str, float], level: Level, month: Period
) -> list[RankingRow]:
    units = list(uow.indicators.units(level))
    codes = {u.code for u in units}
    per_indicator: dict[str, dict[str, float | None]] = {}
    directions: dict[str, Direction] = {}
    for code in weights:
        indicator = uow.indicators.get(code)
        if indicator is None:
            continue
        got = values.of(indicator, period_of(indicator, month))
        per_indicator[code] = {u: got.get(u) for u in codes}
        directions[code] = Direction(indicator.direction)
    scores = composite_scores(per_indicator, directions, weights)
    ranks = peer_ranks(scores, Direction.HIGHER)
    rows = [
        RankingRow(u, scores.get(u.code), ranks.get(u.code), {c: per_indicator[c].get(u.code) for c in per_indicator})
        for u in units
    ]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank.rank if r.rank else 0, r.unit.code))


def ranking(uow: IndicatorsUnitOfWork, scheme_code: str, as_of: str | None, now: datetime) -> Ranking:
    month = as_of_month(as_of, now)
    with uow:
        scheme = uow.indicators.scheme(scheme_code)
        if scheme is None:
            raise SchemeNotFound(scheme_code=scheme_code)
        level = Level(scheme.level)
        values = Values(uow, now)
        rows = _ranking_rows(uow, values, scheme.weights, level, month)
        columns = []
        for code, weight in scheme.weights.items():
            indicator = uow.indicators.get(code)
            if indicator is not None:
                columns.append((code, indicator.name, indicator.unit, float(weight), period_of(indicator, month).label))
        return Ranking(scheme.code, scheme.name, level, month, columns, rows)


def panel(uow: IndicatorsUnitOfWork, level: Level, as_of: str | None, now: datetime) -> dict[str, object]:
    """The 三标 panel of the wall screen: for each indicator of the level, how many units meet their standard
    and their benchmark, the milestones on time, late and met, and the best and the last unit."""
    month = as_of_month(as_of, now)
    today = now.astimezone(SHANGHAI).date()
    with uow:
        units = {u.code: u for u in uow.indicators.units(level)}
        values = Values(uow, now)
        items = []
        for indicator in uow.indicators.all(level):
            direction = Direction(indicator.direction)
            period = period_of(indicator, month)
            current = {k: v for k, v in values.of(indicator, period).items() if k in units}
            ranks = peer_ranks(current, direction)
            standard_met = benchmark_met = targeted = 0
            for code in units:
                target = uow.indicators.target(indicator.id, code)
                if target is None:
                    continue
                targeted += 1
                standard_met += bool(meets(current.get(code), target.standard, direction))
                benchmark_met += bool(meets(current.get(code), target.benchmark, direction))
            counts = {s.value: 0 for s in MilestoneStatus}
            for m in uow.indicators.milestones(indicator.id):
                at_due = values.of(indicator, Period.containing(m.due, PeriodKind(indicator.period_kind))).get(
                    m.unit_code
                )
                counts[
                    milestone_status(m.due, m.target, at_due, current.get(m.unit_code), today, direction).status.value
                ] += 1
            ordered = sorted(ranks, key=lambda c: ranks[c].rank)
            items.append(
                {
                    "code": indicator.code,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "period": period.label,
                    "units_with_value": len(ranks),
                    "units_with_targets": targeted,
                    "meets_standard": standard_met,
                    "reached_benchmark": benchmark_met,
                    "milestones": counts,
                    "best": _unit_value(units, current, ordered[0]) if ordered else None,
                    "last": _unit_value(units, current, ordered[-1]) if ordered else None,
                }
            )
    return {"level": level.value, "level_label": level.label, "as_of": month.label, "indicators": items}


def _unit_value(units: Mapping[str, UnitRef], values: Mapping[str, float | None], code: str) -> dict[str, object]:
    return {"unit_code": code, "unit_name": units[code].name, "value": values.get(code)}
