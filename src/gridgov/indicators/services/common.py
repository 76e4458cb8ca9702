"""What every indicator use case shares: who may change what, finding an indicator, recording the event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor, Role
from gridgov.errors import PermissionDenied
from gridgov.indicators.events import ChainHead, next_event, subject_of
from gridgov.indicators.models import Indicator
from gridgov.indicators.ports import IndicatorNotFound, IndicatorsUnitOfWork, UnitNotFound, UnitRef

EDITORS = frozenset({Role.ADMIN, Role.DISPATCHER})  # define indicators, set 三标, import values, set weights
READERS = frozenset({Role.ADMIN, Role.DISPATCHER, Role.OPERATOR, Role.LEADER, Role.STREET, Role.DEPARTMENT})
SELF_REPORTERS = frozenset({Role.STREET, Role.DEPARTMENT})  # may enter their own unit's values


def require_editor(actor: Actor) -> None:
    if actor.role not in EDITORS:
        raise PermissionDenied("只有指挥中心和系统管理员可以修改指标和三标")


def require_reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise PermissionDenied()


def indicator_or_404(uow: IndicatorsUnitOfWork, code: str) -> Indicator:
    found = uow.indicators.get(code)
    if found is None:
        raise IndicatorNotFound(code=code)
    return found


def unit_or_404(uow: IndicatorsUnitOfWork, code: str) -> UnitRef:
    found = uow.indicators.unit(code)
    if found is None:
        raise UnitNotFound(unit_code=code)
    return found


def record(
    uow: IndicatorsUnitOfWork,
    head: ChainHead,
    kind: str,
    code: str,
    action: str,
    actor: Actor,
    now: datetime,
    payload: Mapping[str, Any],
) -> None:
    uow.indicators.add_event(next_event(head, subject_of(kind, code), action, actor, now, payload))
