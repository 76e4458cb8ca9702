"""The case figures offered to the indicator registry (see gridgov.indicator_sources): 结案率, 按期结案率 and the
三率 (响应率, 解决率, 满意率) per street office, department or district, for a month, a quarter or a year, from the
monthly SQL aggregation (counts of each month added up, then the formula). Values are percentages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from gridgov.indicator_sources import (
    LEVEL_UNIT_KINDS,
    ComputedSource,
    Direction,
    Level,
    PeriodKind,
    SourceRequest,
)
from gridgov.metrics.domain import UnitCounts, Weights, rates
from gridgov.metrics.queries import unit_metrics

LEVELS = frozenset({Level.STREET, Level.DEPARTMENT, Level.DISTRICT})
PERIODS = frozenset(PeriodKind)


def unit_rates(request: SourceRequest) -> dict[str, dict[str, float | None]]:
    """Every unit of the request's level with tasks in the period: its rates (ratios)."""
    kinds = LEVEL_UNIT_KINDS[request.level]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month in request.period.month_labels():
        for row in unit_metrics(request.read, month, Weights(), request.now):
            if row["unit_kind"] in kinds:
                for name, count in row["counts"].items():
                    totals[row["unit_code"]][name] += count
    return {code: rates(UnitCounts(**counts), Weights()) for code, counts in totals.items()}


def _percent(rate: str) -> Callable[[SourceRequest], dict[str, float | None]]:
    def compute(request: SourceRequest) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for code, r in unit_rates(request).items():
            value = r[rate]
            out[code] = round(value * 100, 2) if value is not None else None
        return out

    compute.__name__ = f"{rate}_percent"
    return compute


def _source(rate: str, name: str, description: str) -> ComputedSource:
    return ComputedSource(
        key=f"metrics.{rate}",
        name=name,
        unit="%",
        direction=Direction.HIGHER,
        levels=LEVELS,
        periods=PERIODS,
        compute=_percent(rate),
        description=description,
    )


SOURCES = (
    _source("close_rate", "结案率", "结案数 / (应结案数 − 缓办数), 按派遣到本单位的主办任务"),
    _source("on_time_close_rate", "按期结案率", "按期结案数 / (应结案数 − 缓办数)"),
    _source("response_rate", "响应率", "时限内签收、退回或报到的任务 / 派给本单位的任务"),
    _source("resolution_rate", "解决率", "评价为已解决的案件 / 已评价案件"),
    _source("satisfaction_rate", "满意率", "评价为满意或基本满意的案件 / 已评价案件"),
)
