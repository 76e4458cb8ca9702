"""Read-only look-ups for pages and case queries that hold a plain session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.errors import ValidationFailed
from gridgov.units.models import Unit
from gridgov.units.repository import SqlUnitRepository
from gridgov.units.services import resolve


def responsible_unit_in_session(session: Session, category_code: str | None, grid_code: str) -> Unit:
    """The responsibility matrix's choice (see units.services.resolve)."""
    return resolve(SqlUnitRepository(session), category_code, grid_code)


def list_unit_rows(
    session: Session, kind: str | None, under: str | None, q: str | None, limit: int
) -> list[dict[str, Any]]:
    """Units for pickers: by kind, under a parent unit, by name; ordered by code."""
    stmt = select(Unit)
    if kind:
        stmt = stmt.where(Unit.kind.in_(kind.split(",")))
    if under:
        parent = session.scalars(select(Unit).where(Unit.code == under)).first()
        if parent is None:
            raise ValidationFailed(f"单位不存在: {under}", field="under")
        stmt = stmt.where(Unit.parent_id == parent.id)
    if q:
        stmt = stmt.where(Unit.name.contains(q, autoescape=True))
    rows = session.scalars(stmt.order_by(Unit.code).limit(limit)).all()
    return [{"code": u.code, "name": u.name, "kind": u.kind, "grid_code": u.grid_code} for u in rows]
