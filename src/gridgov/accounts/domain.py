"""Roles, actors and scopes (pure). Role and Actor live in the kernel (gridgov.actor)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gridgov.actor import COMMAND_ROLES, HANDLER_ROLES, ROLE_LABELS, Actor, Role
from gridgov.grids.domain import prefix_of

__all__ = [
    "COMMAND_ROLES",
    "HANDLER_ROLES",
    "ROLE_LABELS",
    "Actor",
    "LoginPolicy",
    "Role",
    "Scope",
    "case_in_scope",
    "scope_of",
    "wait_text",
]


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Growing delays after failed sign-ins, per (user name, client address): `free_attempts` tries in a row
    are free, then each further try must wait `base_delay_seconds`, twice that, four times … up to
    `max_delay_seconds`. A count untouched for `forget_after_seconds` starts again from nothing."""

    free_attempts: int = 5
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 900.0
    forget_after_seconds: float = 86_400.0

    def delay_after(self, tries: int) -> float | None:
        """Seconds the next try must wait once `tries` tries in a row have been made (None: no wait)."""
        if tries < self.free_attempts:
            return None
        steps = min(tries - self.free_attempts, 62)
        return float(min(self.base_delay_seconds * 2**steps, self.max_delay_seconds))

    def steps(self) -> list[tuple[int, float]]:
        """(tries, delay) from the first delayed try up to the first that reaches the cap (the cap holds after)."""
        out: list[tuple[int, float]] = []
        tries = self.free_attempts
        while True:
            delay = self.delay_after(tries)
            assert delay is not None
            out.append((tries, delay))
            if delay >= self.max_delay_seconds or tries - self.free_attempts >= 62:
                return out
            tries += 1


def wait_text(seconds: float) -> str:
    """How long to wait, in words: 请 N 秒后再试 under a minute, else 请 N 分钟后再试 (rounded up)."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"请 {whole} 秒后再试"
    return f"请 {math.ceil(whole / 60)} 分钟后再试"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cases an actor may see and act on: one rule for the API, the pages and exports.

    `everything`: the whole city. Otherwise a case is in scope when its grid lies under one of
    `grid_prefixes`, when one of `unit_ids` has a task on it, or (residents) when `own_user_id` reported it.
    """

    everything: bool = False
    grid_prefixes: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] = ()
    own_user_id: int | None = None


CITY_WIDE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SYSTEM})


def scope_of(actor: Actor, city_prefix_length: int = 4) -> Scope:
    """A user sees the cases in their unit's grid subtree or assigned to their unit; residents their own;
    the leader, admins and a city-level command centre see the whole city."""
    if actor.role in CITY_WIDE_ROLES:
        return Scope(everything=True)
    if actor.role is Role.RESIDENT:
        return Scope(own_user_id=actor.user_id)
    prefixes: tuple[str, ...] = ()
    if actor.unit_grid:
        prefix = prefix_of(actor.unit_grid)
        if actor.role in COMMAND_ROLES and len(prefix) <= city_prefix_length:
            return Scope(everything=True)
        prefixes = (prefix,)
    units = (actor.unit_id,) if actor.unit_id is not None else ()
    return Scope(grid_prefixes=prefixes, unit_ids=units)


def case_in_scope(
    scope: Scope,
    grid_code: str | None,
    reporter_user_id: int | None,
    owner_unit_id: int | None,
    task_unit_ids: frozenset[int],
) -> bool:
    """The same rule as the SQL filter, for one case already loaded (used before any action)."""
    if scope.everything:
        return True
    if scope.own_user_id is not None and reporter_user_id == scope.own_user_id:
        return True
    if grid_code and any(grid_code.startswith(p) for p in scope.grid_prefixes):
        return True
    units = set(scope.unit_ids)
    return owner_unit_id in units or bool(units & task_unit_ids)
