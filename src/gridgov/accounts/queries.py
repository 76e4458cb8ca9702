"""Read-only look-ups about the signed-in user."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.domain import Actor
from gridgov.accounts.models import User
from gridgov.units.models import Unit


def identity(sessions: sessionmaker[Session], actor: Actor) -> dict[str, Any]:
    """Who the actor is: name, role and unit, for pages and apps."""
    with sessions() as session:
        user = session.get(User, actor.user_id) if actor.user_id else None
        unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
        return {
            "username": user.username if user else actor.name,
            "display_name": (user.display_name if user else "") or (user.username if user else actor.name),
            "role": actor.role.value,
            "role_label": actor.role.label,
            "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind, "grid_code": unit.grid_code}
            if unit
            else None,
            "grid_code": actor.unit_grid,
            "scopes": sorted(actor.scopes),
        }
