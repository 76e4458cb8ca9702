"""One guard per hazard action: may this person take this action on this hazard now? (pure)

`GUARDS[action](facts, actor)` returns the reason for refusing (an error, not raised) or None: the role and the
area first (403), then the grade and the state (409). The services raise the reason before changing anything and
the hazard's page offers exactly the actions whose guard says None. What an action's own values say (the 五落实,
the photo) is checked when it is applied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gridgov.actor import Actor, Role
from gridgov.errors import GridgovError, InvalidTransition
from gridgov.safety.domain import (
    INSPECTORS,
    PERSON_ACTIONS,
    Action,
    Grade,
    HazardStatus,
    NotPermitted,
    next_status,
)


@dataclass(frozen=True, slots=True)
class HazardFacts:
    hazard_id: int
    status: HazardStatus
    grade: Grade
    supervised: bool
    street_code: str  # 9 digits
    district_code: str  # 6 digits
    referred: bool = False
    bureau_units: frozenset[int] = frozenset()  # the 应急管理 bureaus of the hazard's district and city
    grid_workers: frozenset[int] = frozenset()  # the users assigned to the hazard's grid


Guard = Callable[[HazardFacts, Actor], GridgovError | None]


def is_bureau(facts: HazardFacts, actor: Actor) -> bool:
    return actor.role is Role.ADMIN or (
        actor.role is Role.DEPARTMENT and actor.unit_id is not None and actor.unit_id in facts.bureau_units
    )


def is_street(facts: HazardFacts, actor: Actor) -> bool:
    grid = actor.unit_grid or ""
    return actor.role is Role.STREET and grid[:9] == facts.street_code


def is_worker(facts: HazardFacts, actor: Actor) -> bool:
    return actor.role in INSPECTORS and (actor.role is Role.ADMIN or actor.user_id in facts.grid_workers)


def _denied(action: Action, actor: Actor, who: str) -> NotPermitted:
    return NotPermitted(f"角色「{actor.role.label}」不能执行「{action.label}」: 须为{who}", action=action.value)


def role_refusal(action: Action, facts: HazardFacts, actor: Actor) -> GridgovError | None:
    bureau, street = is_bureau(facts, actor), is_street(facts, actor)
    if action is Action.SUPERVISE:
        return None if bureau else _denied(action, actor, "应急管理局")
    if action in (Action.PASS_REVIEW, Action.FAIL_REVIEW, Action.CLOSE_OUT):
        if facts.supervised:  # a hazard under 挂牌督办 is reviewed and closed out by the bureau
            return None if bureau else _denied(action, actor, "挂牌督办单位 (应急管理局)")
        return None if bureau or street else _denied(action, actor, "所在街道安全办或应急管理局")
    if action is Action.REPORT_RECTIFIED:
        return None if street or bureau or is_worker(facts, actor) else _denied(action, actor, "网格员或所在街道")
    if action in (Action.SUBMIT_PLAN, Action.REFER):
        return None if street or bureau else _denied(action, actor, "所在街道安全办或应急管理局")
    if action is Action.FIX_ON_SPOT:
        return None if is_worker(facts, actor) else _denied(action, actor, "该网格的网格员")
    if action in (Action.ESCALATE, Action.FOUND_AGAIN):
        return (
            None
            if actor.role in (Role.SYSTEM, Role.ADMIN) or is_worker(facts, actor)
            else _denied(action, actor, "系统")
        )
    return _denied(action, actor, "系统")


def state_refusal(action: Action, facts: HazardFacts) -> GridgovError | None:
    if action is Action.SUPERVISE and facts.grade is not Grade.MAJOR:
        return InvalidTransition("只有重大隐患可以挂牌督办", action=action.value)
    if action is Action.SUPERVISE and facts.supervised:
        return InvalidTransition("该隐患已挂牌督办", action=action.value)
    if action is Action.FIX_ON_SPOT and facts.grade is not Grade.GENERAL:
        return InvalidTransition("重大隐患不能立即整改销号, 须制定治理方案", action=action.value)
    if action is Action.REFER and facts.referred:
        return InvalidTransition("该隐患已转办", action=action.value)
    try:
        next_status(facts.status, action)
    except InvalidTransition as refused:
        return refused
    return None


def _guard(action: Action) -> Guard:
    def guard(facts: HazardFacts, actor: Actor) -> GridgovError | None:
        return role_refusal(action, facts, actor) or state_refusal(action, facts)

    guard.__name__ = f"guard_{action.value}"
    return guard


GUARDS: dict[Action, Guard] = {a: _guard(a) for a in Action if a is not Action.FIND}


def actions_for(facts: HazardFacts, actor: Actor) -> list[Action]:
    """The actions this person is offered on this hazard (the same guards decide)."""
    return [a for a in PERSON_ACTIONS if GUARDS[a](facts, actor) is None]
