"""Defining an indicator: what it measures and where its values come from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS
from gridgov.errors import ValidationFailed
from gridgov.indicators.domain import Direction, Level, PeriodKind, SourceKind
from gridgov.indicators.models import Indicator
from gridgov.indicators.ports import IndicatorExists, IndicatorsUnitOfWork, UnknownSource
from gridgov.indicators.services.common import indicator_or_404, record, require_editor
from gridgov.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class IndicatorDraft:
    code: str
    name: str
    level: Level
    period_kind: PeriodKind
    source_kind: SourceKind
    source_key: str | None = None  # computed: the source; its unit and direction are the indicator's
    unit: str = ""
    direction: Direction = Direction.HIGHER
    description: str = ""


def define_indicator(uow: IndicatorsUnitOfWork, draft: IndicatorDraft, actor: Actor, now: datetime) -> str:
    require_editor(actor)
    unit, direction = draft.unit, draft.direction
    with uow:
        if uow.indicators.get(draft.code) is not None:
            raise IndicatorExists(code=draft.code)
        if draft.source_kind is SourceKind.COMPUTED:
            source = uow.indicators.source(draft.source_key or "")
            if source is None:
                raise UnknownSource(source_key=draft.source_key)
            if draft.level not in source.levels or draft.period_kind not in source.periods:
                raise ValidationFailed(
                    f"计算来源 {source.name} 只提供 {'/'.join(lv.label for lv in source.levels)} 级、"
                    f"{'/'.join(p.label for p in source.periods)} 度的数值",
                    field="level",
                )
            unit, direction = source.unit, source.direction
        elif draft.source_key:
            raise ValidationFailed("只有平台计算的指标有计算来源", field="source_key")
        indicator = Indicator(
            code=draft.code,
            name=draft.name,
            unit=unit,
            direction=direction.value,
            period_kind=draft.period_kind.value,
            level=draft.level.value,
            source_kind=draft.source_kind.value,
            source_key=draft.source_key if draft.source_kind is SourceKind.COMPUTED else None,
            description=draft.description,
            created_at=now,
            updated_at=now,
            event_count=0,
            last_event_hash=GENESIS,
        )
        uow.indicators.add(indicator)
        payload = {
            "name": indicator.name,
            "unit": unit,
            "direction": direction.value,
            "period_kind": indicator.period_kind,
            "level": indicator.level,
            "source_kind": indicator.source_kind,
            "source_key": indicator.source_key,
        }
        record(uow, indicator, "indicator", indicator.code, "define", actor, now, payload)
        uow.commit()
    log.info("indicator_defined", code=draft.code, source_kind=draft.source_kind.value)
    return draft.code


def update_indicator(
    uow: IndicatorsUnitOfWork, code: str, name: str | None, description: str | None, actor: Actor, now: datetime
) -> None:
    """Its name and description (what it measures and where from are fixed once values exist)."""
    require_editor(actor)
    with uow:
        indicator = indicator_or_404(uow, code)
        changes = {}
        if name is not None and name != indicator.name:
            changes["name"] = [indicator.name, name]
            indicator.name = name
        if description is not None and description != indicator.description:
            changes["description"] = [indicator.description, description]
            indicator.description = description
        if changes:
            record(uow, indicator, "indicator", code, "update", actor, now, changes)
            uow.commit()
