"""The five rates of 安全生产 offered to the indicator registry (see gridgov.indicator_sources), so scorecards can
set targets on them: 检查覆盖率, 隐患整改率, 按期整改率, 重大隐患销号率 (higher is better) and 隐患复发率 (lower is
better), for the city, each district and each street, per month, quarter or year (formulas in docs/safety.md)."""

from __future__ import annotations

from collections.abc import Callable

from gridgov.indicator_sources import ComputedSource, Direction, Level, PeriodKind, SourceRequest
from gridgov.safety.domain import MEASURE_LABELS, Counts, Measure, add_counts, rates
from gridgov.safety.queries import hazard_counts


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _compute(measure: Measure) -> Callable[[SourceRequest], dict[str, float | None]]:
    def compute(request: SourceRequest) -> dict[str, float | None]:
        if request.level is Level.CITY:
            cities: dict[str, list[Counts]] = {}
            for code, counts in hazard_counts(request.read, request.period, "district").items():
                cities.setdefault(code[:4], []).append(counts)
            return {city: percent(rates(add_counts(items))[measure]) for city, items in cities.items()}
        by = hazard_counts(request.read, request.period, "district" if request.level is Level.DISTRICT else "street")
        return {code: percent(rates(counts)[measure]) for code, counts in by.items()}

    compute.__name__ = f"safety_{measure.value}"
    return compute


def _source(name: str, description: str) -> ComputedSource:
    measure = Measure(name)
    return ComputedSource(
        key=f"safety.{name}",
        name=MEASURE_LABELS[measure],
        unit="%",
        direction=Direction.LOWER if measure is Measure.RECURRENCE else Direction.HIGHER,
        levels=frozenset({Level.CITY, Level.DISTRICT, Level.STREET}),
        periods=frozenset(PeriodKind),
        compute=_compute(measure),
        description=description,
    )


SOURCES = (
    _source("coverage", "已检 / 应检 (期间内各轮检查任务)"),
    _source("rectification", "已销号 / 期间内发现的隐患"),
    _source("on_time", "按期整改 / 已销号"),
    _source("major_closed", "重大隐患已销号 / 期间内发现的重大隐患"),
    _source("recurrence", "复发 (同一场所同一项目销号后一年内再次发现) / 期间内发现的隐患"),
)
