"""Read-only look-ups for pages and case queries that hold a plain session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from gridgov.errors import NotFound, ValidationFailed
from gridgov.grids.domain import ancestors, check_code
from gridgov.grids.models import Grid, Organisation
from gridgov.grids.queries import active_version, grid_dict
from gridgov.units.models import GridAssignment, Unit
from gridgov.units.repository import SqlUnitRepository
from gridgov.units.services import resolve


def responsible_unit_in_session(session: Session, category_code: str | None, grid_code: str) -> Unit:
    """The responsibility matrix's choice (see units.services.resolve)."""
    return resolve(SqlUnitRepository(session), category_code, grid_code)


def list_unit_rows(
    session: Session, kind: str | None, under: str | None, q: str | None, limit: int
) -> list[dict[str, Any]]:
    """Units for pickers: by kind, under a parent unit, by name; ordered by code (retired units left out)."""
    stmt = select(Unit).where(Unit.active.is_(True))
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


# -- a grid with the units, organisations and grid workers on it -----------------------------------------
def grid_detail(session: Session, code: str) -> dict[str, Any]:
    check_code(code)
    version = active_version(session)
    grid = session.scalars(select(Grid).where(Grid.version_id == version.id, Grid.code == code)).first()
    if grid is None:
        raise NotFound(f"网格不存在: {code}")
    chain = session.scalars(select(Grid).where(Grid.version_id == version.id, Grid.code.in_(ancestors(code)))).all()
    chain = sorted(chain, key=lambda g: g.level)
    children = session.scalar(
        select(func.count()).select_from(Grid).where(Grid.version_id == version.id, Grid.parent_code == code)
    )
    units = session.scalars(select(Unit).where(Unit.grid_code == code)).all()
    orgs = session.scalars(select(Organisation).where(Organisation.grid_code == code)).all()
    users = table("users", column("id"), column("active"))  # accounts sits above units: its table, not its model
    workers = session.scalar(  # the grid's active workers: a deactivated account works no grid
        select(func.count())
        .select_from(GridAssignment)
        .join(users, users.c.id == GridAssignment.user_id)
        .where(GridAssignment.grid_code == code, users.c.active.is_(True))
    )
    return {
        **grid_dict(grid),
        "version": {"id": version.id, "name": version.name},
        "ancestors": [grid_dict(g) for g in chain],
        "children_count": children or 0,
        "units": [{"code": u.code, "name": u.name, "kind": u.kind} for u in units],
        "organisations": [{"kind": o.kind, "name": o.name, "generated": o.generated} for o in orgs],
        "grid_workers": workers or 0,
    }


def grid_children(session: Session, code: str, page: int, page_size: int) -> dict[str, Any]:
    grid_detail_exists = grid_detail(session, code)  # validates and 404s
    version_id = grid_detail_exists["version"]["id"]
    stmt = select(Grid).where(Grid.version_id == version_id, Grid.parent_code == code)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Grid.code).offset((page - 1) * page_size).limit(page_size)).all()
    return {"items": [grid_dict(g) for g in rows], "total": total, "page": page, "page_size": page_size}
