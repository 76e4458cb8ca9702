"""Read-only selects for the admin screens: the users an admin manages, a user's tokens and record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.accounts.models import ApiToken, User
from gridgov.actor import Role
from gridgov.admin.domain import AdminScope, check_covers
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.errors import NotFound
from gridgov.units.models import GridAssignment, Unit

PAGE = 50


def users(
    session: Session, scope: AdminScope, q: str = "", limit: int = PAGE, exact: str | None = None
) -> list[dict[str, Any]]:
    """The users in the admin's scope (a district admin: those whose unit lies in the district), by name."""
    stmt = select(User, Unit).outerjoin(Unit, Unit.id == User.unit_id).order_by(User.username).limit(limit)
    if exact is not None:
        stmt = stmt.where(User.username == exact)
    if scope.district is not None:
        stmt = stmt.where(Unit.grid_code.startswith(scope.district))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.username.like(like), User.display_name.like(like)))
    rows = session.execute(stmt).all()
    ids = [u.id for u, _ in rows]
    grids: dict[int, list[str]] = {}
    if ids:
        stmt_g = select(GridAssignment.user_id, GridAssignment.grid_code).where(GridAssignment.user_id.in_(ids))
        for uid, code in session.execute(stmt_g.order_by(GridAssignment.grid_code)):
            grids.setdefault(uid, []).append(code)
    return [
        {
            "id": u.id,
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "role_label": Role(u.role).label,
            "unit": {"code": unit.code, "name": unit.name} if unit else None,
            "unit_id": u.unit_id,
            "active": u.active,
            "grids": grids.get(u.id, []),
        }
        for u, unit in rows
    ]


def user(session: Session, scope: AdminScope, username: str) -> dict[str, Any]:
    """One user of the admin's scope; someone outside it is refused, someone unknown is not found."""
    found = users(session, AdminScope(None), exact=username)
    if not found:
        raise NotFound(f"用户不存在: {username}", field="username")
    unit = session.get(Unit, found[0]["unit_id"]) if found[0].get("unit_id") else None
    check_covers(scope, unit.grid_code if unit else None)
    return found[0]


def tokens(session: Session, user_id: int) -> list[dict[str, Any]]:
    """A user's tokens and sessions: the first characters only (the token itself is never stored)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return [
        {
            "id": t.id,
            "name": t.name,
            "prefix": t.prefix,
            "kind": t.kind,
            "scopes": t.scopes,
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in session.scalars(stmt)
    ]


def record_of(session: Session, kind: str, ref: str) -> list[dict[str, Any]]:
    stmt = (
        select(AdminEvent)
        .join(AdminSubject, AdminSubject.id == AdminEvent.subject_id)
        .where(AdminSubject.kind == kind, AdminSubject.ref == ref)
        .order_by(AdminEvent.seq)
    )
    return [
        {
            "seq": e.seq,
            "action": e.action,
            "event_type": e.event_type,
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "occurred_at": e.occurred_at.isoformat(),
            "payload": e.payload,
            "hash": e.hash,
        }
        for e in session.scalars(stmt)
    ]
