"""Read-only queries over the active grid tree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.errors import NotFound
from gridgov.grids.domain import GridLevel, ancestors, check_code
from gridgov.grids.models import Grid, GridVersion, Organisation
from gridgov.units.models import GridAssignment, Unit


def active_version(session: Session) -> GridVersion:
    version = session.scalars(select(GridVersion).where(GridVersion.active.is_(True))).first()
    if version is None:
        raise NotFound("尚无启用的网格版本，请先运行 gridgov init")
    return version


def _grid_dict(g: Grid) -> dict[str, Any]:
    return {
        "code": g.code,
        "name": g.name,
        "level": g.level,
        "level_label": GridLevel(g.level).label,
        "parent_code": g.parent_code,
        "official_code": g.official_code,
        "generated": g.generated,
    }


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
    workers = session.scalar(select(func.count()).select_from(GridAssignment).where(GridAssignment.grid_code == code))
    return {
        **_grid_dict(grid),
        "version": {"id": version.id, "name": version.name},
        "ancestors": [_grid_dict(g) for g in chain],
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
    return {"items": [_grid_dict(g) for g in rows], "total": total, "page": page, "page_size": page_size}


def names(session: Session, version_id: int, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(select(Grid.code, Grid.name).where(Grid.version_id == version_id, Grid.code.in_(codes)))
    return {c: n for c, n in rows}
