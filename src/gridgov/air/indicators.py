"""The air-quality figures offered to the indicator registry (see gridgov.indicator_sources): the composite
index (环境空气质量综合指数) of the city and each district, per month, quarter or year to date, from the
stations' days. Lower is better."""

from __future__ import annotations

from gridgov.air.repository import SqlAirRepository
from gridgov.air.services.reports import composite_of
from gridgov.indicator_sources import ComputedSource, Direction, Level, PeriodKind, SourceRequest


def composite_index(request: SourceRequest) -> dict[str, float | None]:
    repo = SqlAirRepository(request.read)
    first, last = request.period.start, request.period.last_day
    if request.through is not None:
        last = min(last, request.through)
    out: dict[str, float | None] = {}
    for area in repo.areas():
        if (request.level is Level.CITY) != (len(area) == 4):
            continue
        days = repo.days(area, first, last)
        if days:
            out[area] = composite_of(days, first).index
    return out


SOURCES = (
    ComputedSource(
        key="air.composite_index",
        name="环境空气质量综合指数",
        unit="",
        direction=Direction.LOWER,
        levels=frozenset({Level.CITY, Level.DISTRICT}),
        periods=frozenset(PeriodKind),
        compute=composite_index,
        description="Σ Cᵢ/Sᵢ 六项污染物 (城市环境空气质量排名技术规定); 年度为年初至今",
    ),
)
