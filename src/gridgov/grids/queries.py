"""Read-only queries over the active grid tree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.errors import NotFound
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion


def active_version(session: Session) -> GridVersion:
    version = session.scalars(select(GridVersion).where(GridVersion.active.is_(True))).first()
    if version is None:
        raise NotFound("尚无启用的网格版本，请先运行 gridgov init")
    return version


def grid_dict(g: Grid) -> dict[str, Any]:
    return {
        "code": g.code,
        "name": g.name,
        "level": g.level,
        "level_label": GridLevel(g.level).label,
        "parent_code": g.parent_code,
        "official_code": g.official_code,
        "generated": g.generated,
    }


def names(session: Session, version_id: int, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(select(Grid.code, Grid.name).where(Grid.version_id == version_id, Grid.code.in_(codes)))
    return {c: n for c, n in rows}
