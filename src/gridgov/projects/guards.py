"""One guard per action: may this person take this action on this project now? (pure)

`GUARDS[action](facts, actor)` returns the reason for refusing (an error, not raised) or None: the role first
(403), then the state (409 invalid_transition). The services raise the reason before changing anything and the
project page offers exactly the actions whose guard says None. What an action's own values say (the phase,
the dates, the evidence) is checked when it is applied (services.stages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gridgov.actor import Actor
from gridgov.errors import GridgovError, InvalidTransition
from gridgov.projects.domain import STAGE_ACTIONS, WRITERS, Action, NotPermitted, ProjectStatus, next_status


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    project_id: int
    status: ProjectStatus
    signed_phase: int
    started_phase: int | None = None
    producing_phase: int | None = None


Guard = Callable[[ProjectFacts, Actor], GridgovError | None]


def role_refusal(action: Action, actor: Actor) -> GridgovError | None:
    if actor.role not in WRITERS:
        return NotPermitted(f"角色「{actor.role.label}」不能执行「{action.label}」", action=action.value)
    return None


def state_refusal(action: Action, facts: ProjectFacts) -> GridgovError | None:
    try:
        next_status(facts.status, action)
    except InvalidTransition as refused:
        return refused
    return None


def _guard(action: Action) -> Guard:
    def guard(facts: ProjectFacts, actor: Actor) -> GridgovError | None:
        return role_refusal(action, actor) or state_refusal(action, facts)

    guard.__name__ = f"guard_{action.value}"
    return guard


GUARDS: dict[Action, Guard] = {a: _guard(a) for a in Action if a is not Action.SIGN}


def actions_for(facts: ProjectFacts, actor: Actor) -> list[Action]:
    """The stage actions and other changes this person is offered on this project (the same guards decide)."""
    offered = (*STAGE_ACTIONS, Action.REPORT_BLOCKER, Action.REPORT_INVESTMENT, Action.ADD_EVIDENCE, Action.AMEND)
    return [a for a in offered if GUARDS[a](facts, actor) is None]
