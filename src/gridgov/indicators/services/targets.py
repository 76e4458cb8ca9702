"""三标 of a unit on an indicator: 标杆 (a benchmark value and where it comes from), 标准 (the standard to meet),
标志 (milestones: a date and the value to reach by it). Each change is an event on the indicator's record."""

from __future__ import annotations

from datetime import date, datetime

from gridgov.actor import Actor
from gridgov.errors import NotFound, ValidationFailed
from gridgov.indicators.domain import UNIT_KINDS, Level
from gridgov.indicators.models import IndicatorMilestone, IndicatorTarget
from gridgov.indicators.ports import IndicatorsUnitOfWork, UnitRef
from gridgov.indicators.services.common import indicator_or_404, record, require_editor, unit_or_404
from gridgov.logging import get_logger

log = get_logger(__name__)


def _unit_of_level(uow: IndicatorsUnitOfWork, unit_code: str, level: str) -> UnitRef:
    unit = unit_or_404(uow, unit_code)
    if unit.kind not in UNIT_KINDS[Level(level)]:
        raise ValidationFailed(f"{unit.name} 不是{Level(level).label}级单位，不适用该指标", field="unit_code")
    return unit


def set_targets(
    uow: IndicatorsUnitOfWork,
    code: str,
    unit_code: str,
    benchmark: float | None,
    benchmark_source: str,
    standard: float | None,
    actor: Actor,
    now: datetime,
) -> None:
    """标杆 and 标准 of `unit_code` (None clears one). A benchmark needs its source."""
    require_editor(actor)
    if benchmark is not None and not benchmark_source.strip():
        raise ValidationFailed("标杆须注明来源 (如: 杭州 2025 按期结案率 99.5%)", field="benchmark_source")
    with uow:
        indicator = indicator_or_404(uow, code)
        _unit_of_level(uow, unit_code, indicator.level)
        target = uow.indicators.target(indicator.id, unit_code)
        before = None
        if target is None:
            target = IndicatorTarget(indicator_id=indicator.id, unit_code=unit_code, updated_at=now)
            uow.indicators.add_target(target)
        else:
            before = {
                "benchmark": target.benchmark,
                "benchmark_source": target.benchmark_source,
                "standard": target.standard,
            }
        target.benchmark, target.benchmark_source, target.standard = benchmark, benchmark_source.strip(), standard
        target.updated_at = now
        after = {"benchmark": benchmark, "benchmark_source": target.benchmark_source, "standard": standard}
        record(
            uow,
            indicator,
            "indicator",
            code,
            "set_targets",
            actor,
            now,
            {"unit_code": unit_code, "before": before, "after": after},
        )
        uow.commit()
    log.info("indicator_targets_set", code=code, unit_code=unit_code)


def add_milestone(
    uow: IndicatorsUnitOfWork,
    code: str,
    unit_code: str,
    due: date,
    target_value: float,
    title: str,
    actor: Actor,
    now: datetime,
) -> int:
    require_editor(actor)
    with uow:
        indicator = indicator_or_404(uow, code)
        _unit_of_level(uow, unit_code, indicator.level)
        milestone = IndicatorMilestone(
            indicator_id=indicator.id, unit_code=unit_code, due=due, target=target_value, title=title, created_at=now
        )
        uow.indicators.add_milestone(milestone)
        payload = {
            "milestone_id": milestone.id,
            "unit_code": unit_code,
            "due": due.isoformat(),
            "target": target_value,
            "title": title,
        }
        record(uow, indicator, "indicator", code, "add_milestone", actor, now, payload)
        uow.commit()
        milestone_id = milestone.id
    log.info("indicator_milestone_added", code=code, unit_code=unit_code, milestone_id=milestone_id)
    return milestone_id


def remove_milestone(uow: IndicatorsUnitOfWork, code: str, milestone_id: int, actor: Actor, now: datetime) -> None:
    require_editor(actor)
    with uow:
        indicator = indicator_or_404(uow, code)
        milestone = uow.indicators.get_milestone(milestone_id)
        if milestone is None or milestone.indicator_id != indicator.id:
            raise NotFound("标志 (里程碑) 不存在", milestone_id=milestone_id)
        payload = {
            "milestone_id": milestone_id,
            "unit_code": milestone.unit_code,
            "due": milestone.due.isoformat(),
            "target": milestone.target,
            "title": milestone.title,
        }
        uow.indicators.remove_milestone(milestone)
        record(uow, indicator, "indicator", code, "remove_milestone", actor, now, payload)
        uow.commit()
