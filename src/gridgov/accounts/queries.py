"""Read-only look-ups about the signed-in user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.domain import Actor, Role
from gridgov.accounts.models import User
from gridgov.grids.domain import prefix_of
from gridgov.units.models import GridAssignment, Unit


def identity(sessions: sessionmaker[Session], actor: Actor) -> dict[str, Any]:
    """Who the actor is: name, role and unit, for pages and apps."""
    with sessions() as session:
        user = session.get(User, actor.user_id) if actor.user_id else None
        unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
        grids = (
            list(
                session.scalars(
                    select(GridAssignment.grid_code)
                    .where(GridAssignment.user_id == actor.user_id)
                    .order_by(GridAssignment.grid_code)
                )
            )
            if actor.role is Role.GRID_WORKER
            else []
        )
        return {
            "username": user.username if user else actor.name,
            "display_name": (user.display_name if user else "") or (user.username if user else actor.name),
            "role": actor.role.value,
            "role_label": actor.role.label,
            "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind, "grid_code": unit.grid_code}
            if unit
            else None,
            "grid_code": actor.unit_grid,
            "grids": grids,  # a grid worker's assigned grids
            "grid_prefixes": [prefix_of(g) for g in grids],  # a case is in one of them when its code starts so
            "scopes": sorted(actor.scopes),
        }
