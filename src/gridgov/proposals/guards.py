"""One guard per action: may this person take this action on this item now? (pure)

`GUARDS[action](facts, actor)` returns the reason for refusing (an error, not raised) or None: the role, then
whose item it is (the lead unit answers, a co-handler sends views, an author rates), then the item's kind and
state. The services raise the reason before changing anything and the pages offer exactly the actions whose
guard says None. What an action's own values say (the dates, the class, the reason) is checked when it is
applied (services.handling)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gridgov.actor import Actor, Role
from gridgov.errors import GridgovError, InvalidTransition
from gridgov.proposals.domain import (
    ACTION_ROLES,
    KIND_ACTIONS,
    OFFICE,
    SYSTEM_ACTIONS,
    Action,
    Kind,
    NotPermitted,
    Status,
    next_status,
)


@dataclass(frozen=True, slots=True)
class ProposalFacts:
    proposal_id: int
    kind: Kind
    status: Status
    lead_unit_id: int | None = None
    co_unit_ids: frozenset[int] = frozenset()
    author_user_ids: frozenset[int] = frozenset()
    views_sent_by: frozenset[int] = frozenset()  # co-handlers whose views are in
    unkept_promises: int = 0


Guard = Callable[[ProposalFacts, Actor], GridgovError | None]


def role_refusal(action: Action, actor: Actor) -> GridgovError | None:
    if actor.role not in ACTION_ROLES[action]:
        return NotPermitted(f"角色「{actor.role.label}」不能执行「{action.label}」", action=action.value)
    return None


def owner_refusal(action: Action, facts: ProposalFacts, actor: Actor) -> GridgovError | None:
    """Whose item: the lead unit handles it, a co-handler sends views, an author rates; the office is the office."""
    if actor.role in OFFICE or actor.role is Role.SYSTEM:
        return None
    if action is Action.RATE:
        if actor.user_id not in facts.author_user_ids:
            return NotPermitted("只有该件的提出人可以评价", action=action.value)
        return None
    if action is Action.SEND_VIEWS:
        if actor.unit_id not in facts.co_unit_ids:
            return NotPermitted("只有会办单位可以提交会办意见", action=action.value)
        if actor.unit_id in facts.views_sent_by:
            return InvalidTransition("本单位已提交会办意见", action=action.value)
        return None
    if action is Action.REGISTER:
        return None
    if actor.unit_id is None or actor.unit_id != facts.lead_unit_id:
        return NotPermitted("只有主办单位可以办理该件", action=action.value)
    return None


def state_refusal(action: Action, facts: ProposalFacts) -> GridgovError | None:
    if action not in KIND_ACTIONS[facts.kind]:
        return InvalidTransition(f"「{facts.kind.label}」不办理「{action.label}」", action=action.value)
    if action is Action.KEEP_PROMISE and not facts.unkept_promises:
        return InvalidTransition("没有待兑现的承诺事项", action=action.value)
    try:
        next_status(facts.status, action)
    except InvalidTransition as refused:
        return refused
    return None


def _guard(action: Action) -> Guard:
    def guard(facts: ProposalFacts, actor: Actor) -> GridgovError | None:
        return role_refusal(action, actor) or owner_refusal(action, facts, actor) or state_refusal(action, facts)

    guard.__name__ = f"guard_{action.value}"
    return guard


GUARDS: dict[Action, Guard] = {a: _guard(a) for a in Action if a is not Action.REGISTER}
PERSON_ACTIONS = tuple(a for a in Action if a not in SYSTEM_ACTIONS)


def actions_for(facts: ProposalFacts, actor: Actor) -> list[Action]:
    """The actions this person is offered on this item (the same guards decide)."""
    return [a for a in PERSON_ACTIONS if GUARDS[a](facts, actor) is None]
