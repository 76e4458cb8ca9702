"""Type-ahead pickers by name: units, categories and grids found by their name, their pinyin initials
(`jbl` → 经八路街道办事处) or their code, the name first and the code second.

The initials are worked out here, on the server (screens.pinyin), so page scripts keep no table of their own:
they send what was typed and show what comes back. Each answer item has the code to submit, the name, a hint
(the parent category, the district, the street …) and a group (市级部门 or the district's name) for grouped
lists such as the whistle's department picker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.actor import Actor, Role
from gridgov.categories.models import Category
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.grids.domain import ancestors, is_within
from gridgov.grids.models import Grid, GridVersion
from gridgov.units.domain import UnitKind
from gridgov.units.models import Unit
from gridgov.web.deps import ContainerDep, get_actor
from gridgov.web.pinyin import initials, matches

router = APIRouter(prefix="/api/v1/pickers", tags=["选择器 pickers"])
LIMIT = 20
UNIT_KIND_LABELS = {
    UnitKind.CITY: "市城运中心",
    UnitKind.CITY_DEPARTMENT: "市级部门",
    UnitKind.DISTRICT: "区城运中心",
    UnitKind.DISTRICT_BUREAU: "区级部门",
    UnitKind.STREET_OFFICE: "街道",
    UnitKind.COMMUNITY: "社区",
}
GRID_LEVEL_LABELS = {1: "区县", 2: "街道", 3: "社区", 4: "网格"}


class Pick(BaseModel):
    code: str
    name: str
    hint: str = ""
    group: str = ""
    initials: str = ""
    warning: str = ""  # e.g. the unit's area does not cover the case's grid


def staff(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    if actor.role is Role.RESIDENT:
        raise PermissionDenied()
    return actor


Staff = Annotated[Actor, Depends(staff)]
Typed = Annotated[str, Query(max_length=40, description="名称、拼音首字母或编码")]


def _best(picks: list[tuple[int, Pick]], limit: int) -> list[Pick]:
    ranked = sorted((p for p in picks if p[0] > 0), key=lambda p: (-p[0], p[1].code))
    return [p for _, p in ranked[:limit]]


def _district_names(session: Session) -> dict[str, str]:
    version = select(GridVersion.id).where(GridVersion.active.is_(True)).scalar_subquery()
    rows = session.execute(select(Grid.code, Grid.name).where(Grid.version_id == version, Grid.level == 1)).all()
    return {code[:6]: name for code, name in rows}


def covers(unit: Unit, grid: str) -> bool:
    """Does the unit's area take in the grid? City-wide units cover every grid; a unit with no area says nothing."""
    if unit.kind in (UnitKind.CITY, UnitKind.CITY_DEPARTMENT) or not unit.grid_code:
        return True
    return is_within(grid, unit.grid_code)


def unit_picks(session: Session, q: str, kinds: list[str] | None, limit: int = LIMIT, grid: str = "") -> list[Pick]:
    stmt = select(Unit).where(Unit.active.is_(True))  # a merged or retired unit takes no new work
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    districts = _district_names(session)
    picks = []
    for u in session.scalars(stmt):
        district = districts.get((u.grid_code or "")[:6], "") if u.kind != UnitKind.CITY_DEPARTMENT else ""
        kind = UNIT_KIND_LABELS.get(UnitKind(u.kind), u.kind) if u.kind in UnitKind._value2member_map_ else u.kind
        group = "市级部门" if u.kind in (UnitKind.CITY_DEPARTMENT, UnitKind.CITY) else (district or kind)
        pick = Pick(code=u.code, name=u.name, hint=" · ".join(x for x in (district, kind) if x), group=group)
        pick.initials = initials(u.name)
        if grid and not covers(u, grid):
            pick.warning = f"注意: {u.name}的辖区不含本案所在网格 ({grid}), 请确认是否派错"
        picks.append((matches(q, u.name, u.code), pick))
    return _best(picks, limit)


def _kinds(kind: str) -> list[str] | None:
    kinds = [k for k in kind.split(",") if k]
    unknown = [k for k in kinds if k not in UnitKind._value2member_map_]
    if unknown:
        raise ValidationFailed(f"未知单位类型: {unknown[0]}", field="kind")
    return kinds or None


@router.get("/units", response_model=list[Pick], summary="单位选择器 (名称 / 拼音首字母 / 编码)")
def units(
    container: ContainerDep,
    actor: Staff,
    q: Typed = "",
    kind: Annotated[str, Query(max_length=200, pattern="^[a-z_,]*$")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = LIMIT,
    grid: Annotated[str, Query(pattern="^([0-9]{15})?$", description="案件所在网格: 辖区不含它的单位带提醒")] = "",
) -> list[Pick]:
    with container.sessions() as session:
        return unit_picks(session, q, _kinds(kind), limit, grid)


@router.get("/categories", response_model=list[Pick], summary="类别选择器 (名称 / 拼音首字母 / 编码)")
def categories(container: ContainerDep, actor: Staff, q: Typed = "") -> list[Pick]:
    with container.sessions() as session:
        rows = session.scalars(select(Category)).all()
        parents = {c.code: c.name for c in rows}
        picks = [
            (
                matches(q, c.name, c.code),
                Pick(code=c.code, name=c.name, hint=parents.get(c.parent_code or "", ""), initials=initials(c.name)),
            )
            for c in rows
        ]
    return _best(picks, LIMIT)


@router.get("/grids", response_model=list[Pick], summary="网格选择器 (名称 / 拼音首字母 / 编码)")
def grids(
    container: ContainerDep,
    actor: Staff,
    q: Typed = "",
    level: Annotated[int, Query(ge=1, le=4)] = 2,
) -> list[Pick]:
    """Grids of the active version at `level` or below (街道 2, 社区 3, 网格 4), with their parents' names."""
    with container.sessions() as session:
        version = select(GridVersion.id).where(GridVersion.active.is_(True)).scalar_subquery()
        rows = session.execute(select(Grid.code, Grid.name, Grid.level).where(Grid.version_id == version)).all()
    names = {code: name for code, name, _ in rows}
    picks = []
    for code, name, lvl in rows:
        if lvl < level:
            continue
        hint = " / ".join(names[a] for a in ancestors(code) if a in names)
        label = GRID_LEVEL_LABELS.get(lvl, "")
        pick = Pick(code=code, name=name, hint=" · ".join(x for x in (hint, label) if x), initials=initials(name))
        picks.append((matches(q, name, code), pick))
    return _best(picks, LIMIT)
