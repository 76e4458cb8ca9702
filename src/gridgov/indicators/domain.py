"""The indicator registry's rules (pure): sources, 三标 (标杆 benchmark, 标准 standard, 标志 milestones), gaps,
milestone status, ranks among peers and the weighted composite of a ranking scheme.

Every value of an indicator is in the indicator's own unit of measure (a rate in percent: 99.5, not 0.995).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gridgov.indicator_sources import LEVEL_UNIT_KINDS, Direction, Level, Period, PeriodKind

__all__ = [
    "Direction",
    "Level",
    "Period",
    "PeriodKind",
    "SourceKind",
    "MilestoneStatus",
    "UNIT_KINDS",
    "EVENT_TYPES",
    "advantage",
    "meets",
    "milestone_status",
    "peer_ranks",
    "composite_scores",
    "level_of_kind",
    "trend_periods",
    "MilestoneView",
    "PeerRank",
]


class SourceKind(StrEnum):
    COMPUTED = "computed"  # a feature computes it (gridgov/<feature>/indicators.py)
    IMPORTED = "imported"  # values come in a file (GDP growth, investment)
    MANUAL = "manual"  # someone enters each value; who and when is recorded

    @property
    def label(self) -> str:
        return {SourceKind.COMPUTED: "平台计算", SourceKind.IMPORTED: "文件导入", SourceKind.MANUAL: "手工填报"}[self]


class MilestoneStatus(StrEnum):
    MET = "met"  # the target was reached by the date
    ON_TIME = "on_time"  # the date is still ahead
    LATE = "late"  # the date has passed without the target reached

    @property
    def label(self) -> str:
        return {MilestoneStatus.MET: "已达成", MilestoneStatus.ON_TIME: "按期推进", MilestoneStatus.LATE: "已逾期"}[
            self
        ]


UNIT_KINDS = LEVEL_UNIT_KINDS  # which units an indicator of each level is measured on (units.kind)

# the event of each change on an indicator's (or a ranking scheme's) record: (event type, tag)
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "define": ("indicator_defined", "indicator:created"),
    "update": ("indicator_updated", "indicator:changed"),
    "set_targets": ("targets_set", "indicator:targets"),
    "add_milestone": ("milestone_added", "indicator:milestones"),
    "remove_milestone": ("milestone_removed", "indicator:milestones"),
    "enter_value": ("value_entered", "indicator:values"),
    "import_values": ("values_imported", "indicator:values"),
    "save_scheme": ("ranking_scheme_saved", "ranking:scheme"),
}


def level_of_kind(kind: str) -> Level | None:
    return next((level for level, kinds in UNIT_KINDS.items() if kind in kinds), None)


def advantage(value: float | None, reference: float | None, direction: Direction) -> float | None:
    """How far `value` is ahead of `reference` (negative: behind), whatever the direction."""
    if value is None or reference is None:
        return None
    return round(value - reference if direction is Direction.HIGHER else reference - value, 6)


def meets(value: float | None, target: float | None, direction: Direction) -> bool | None:
    gap = advantage(value, target, direction)
    return None if gap is None else gap >= 0


@dataclass(frozen=True, slots=True)
class MilestoneView:
    due: date
    target: float
    value: float | None  # the value it is judged on
    status: MilestoneStatus


def milestone_status(
    due: date, target: float, value_at_due: float | None, latest: float | None, today: date, direction: Direction
) -> MilestoneView:
    """Met when the value of the period that holds the due date reached the target (or, before the date, when
    the latest value already has); late when the date has passed without it; else on time."""
    if due < today:
        ok = meets(value_at_due, target, direction)
        return MilestoneView(due, target, value_at_due, MilestoneStatus.MET if ok else MilestoneStatus.LATE)
    ok = meets(latest, target, direction)
    return MilestoneView(due, target, latest, MilestoneStatus.MET if ok else MilestoneStatus.ON_TIME)


@dataclass(frozen=True, slots=True)
class PeerRank:
    rank: int  # 1 is the best; ties share the better rank
    from_bottom: int
    total: int


def peer_ranks(values: Mapping[str, float | None], direction: Direction) -> dict[str, PeerRank]:
    """Each unit's place among the units that have a value."""
    present = {k: v for k, v in values.items() if v is not None}
    sign = 1 if direction is Direction.HIGHER else -1
    scores = {k: sign * v for k, v in present.items()}
    total = len(scores)
    out = {}
    for k, s in scores.items():
        out[k] = PeerRank(
            1 + sum(1 for o in scores.values() if o > s), sum(1 for o in scores.values() if o <= s), total
        )
    return out


def composite_scores(
    values: Mapping[str, Mapping[str, float | None]],
    directions: Mapping[str, Direction],
    weights: Mapping[str, float],
) -> dict[str, float | None]:
    """The weighted composite of each unit over the scheme's indicators (indicator code → unit → value).

    Each indicator is scored 0–100 across the units (the best unit 100, the worst 0, linear between; all equal:
    100); the composite is the weighted mean of the scores a unit has, weights of missing ones spread over the
    rest. A unit with no value at all has no composite."""
    units = sorted({u for per_unit in values.values() for u in per_unit})
    scored: dict[str, dict[str, float]] = {u: {} for u in units}
    for code, per_unit in values.items():
        present = {u: v for u, v in per_unit.items() if v is not None}
        if not present or weights.get(code, 0) <= 0:
            continue
        lo, hi = min(present.values()), max(present.values())
        for u, v in present.items():
            if hi == lo:
                score = 100.0
            else:
                score = (
                    (v - lo) / (hi - lo) * 100 if directions[code] is Direction.HIGHER else (hi - v) / (hi - lo) * 100
                )
            scored[u][code] = score
    out: dict[str, float | None] = {}
    for u in units:
        total = sum(weights[c] for c in scored[u])
        out[u] = round(sum(s * weights[c] for c, s in scored[u].items()) / total, 2) if total > 0 else None
    return out


TREND_LENGTH = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 8, PeriodKind.YEAR: 5}


def trend_periods(period: Period) -> list[Period]:
    """The periods the trend chart shows, oldest first, ending with `period`."""
    n = TREND_LENGTH[period.kind]
    return [period.shift(i - n + 1) for i in range(n)]
