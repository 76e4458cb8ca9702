"""Ranking schemes: which indicators a ranking of one level of units weighs, and how much (data, not code)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS
from gridgov.errors import ValidationFailed
from gridgov.indicators.domain import Level
from gridgov.indicators.models import RankingScheme
from gridgov.indicators.ports import IndicatorsUnitOfWork
from gridgov.indicators.services.common import indicator_or_404, record, require_editor


def save_scheme(
    uow: IndicatorsUnitOfWork,
    code: str,
    name: str,
    level: Level,
    weights: Mapping[str, float],
    actor: Actor,
    now: datetime,
) -> None:
    """Create or replace a scheme. Every weighed indicator must be of the scheme's level."""
    require_editor(actor)
    if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValidationFailed("权重须为非负数且合计大于 0", field="weights")
    with uow:
        for indicator_code in weights:
            indicator = indicator_or_404(uow, indicator_code)
            if indicator.level != level.value:
                raise ValidationFailed(f"指标 {indicator.name} 不是{level.label}级指标", field="weights")
        scheme = uow.indicators.scheme(code)
        before = None
        if scheme is None:
            scheme = RankingScheme(
                code=code,
                name=name,
                level=level.value,
                weights={},
                updated_at=now,
                event_count=0,
                last_event_hash=GENESIS,
            )
            uow.indicators.add_scheme(scheme)
        else:
            before = {"name": scheme.name, "level": scheme.level, "weights": dict(scheme.weights)}
        scheme.name, scheme.level, scheme.weights = name, level.value, dict(weights)
        after = {"name": name, "level": level.value, "weights": dict(weights)}
        record(uow, scheme, "scheme", code, "save_scheme", actor, now, {"before": before, "after": after})
        uow.commit()
