"""Writes reference data (categories, grid tree, units, responsibility rules, grid workers,
organisations) into the database. Idempotent: rows that exist are left as they are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.categories.models import Category
from gridgov.categories.services import TAXONOMIES, read_taxonomy
from gridgov.geo.services import shape_columns
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion, Organisation
from gridgov.grids.tree import GridNode
from gridgov.units.domain import DEPARTMENTS, RuleTarget, UnitKind
from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit

CHUNK = 5000


@dataclass
class LoadSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def _bulk(session: Session, model: type, rows: Sequence[Mapping[str, Any]]) -> int:
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[i : i + CHUNK])
    return len(rows)


def load_categories(session: Session) -> int:
    existing = set(session.scalars(select(Category.code)))
    rows = []
    for taxonomy in TAXONOMIES:
        for r in read_taxonomy(taxonomy):
            if r.code in existing:
                continue
            rows.append(
                dict(
                    code=r.code,
                    parent_code=r.parent_code,
                    taxonomy=r.taxonomy,
                    name=r.name,
                    kind=r.kind,
                    urgency=r.urgency,
                    response_limit=r.response.amount,
                    response_unit=r.response.unit.value,
                    handle_limit=r.handle.amount,
                    handle_unit=r.handle.unit.value,
                    department_key=r.department_key,
                    active=True,
                )
            )
    return _bulk(session, Category, rows)


def load_tree(
    session: Session,
    nodes: list[GridNode],
    name: str,
    source: str,
    now: datetime,
    shapes: Mapping[str, Any] | None = None,
) -> int:
    """A new active grid version holding `nodes` (with their polygons from `shapes`, by code), unless a
    version of that name exists."""
    version = session.scalars(select(GridVersion).where(GridVersion.name == name)).first()
    if version is not None:
        return version.id
    for v in session.scalars(select(GridVersion).where(GridVersion.active.is_(True))):
        v.active = False
    version = GridVersion(name=name, source=source, active=True, created_at=now, activated_at=now)
    session.add(version)
    session.flush()
    rows = []
    for n in nodes:
        row: dict[str, Any] = dict(
            version_id=version.id,
            code=n.code,
            parent_code=n.parent_code,
            level=int(n.level),
            name=n.name,
            official_code=n.official_code,
            generated=n.generated,
        )
        if shapes is not None and n.code in shapes:
            row.update(shape_columns(shapes[n.code]))
        rows.append(row)
    _bulk(session, Grid, rows)
    return version.id


def load_units(session: Session, nodes: list[GridNode], city_code: str, city_name: str) -> int:
    existing = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}
    made = 0

    def ensure(
        code: str,
        name: str,
        kind: UnitKind,
        parent: str | None,
        grid: str | None,
        dept: str | None = None,
        generated: bool = False,
    ) -> None:
        nonlocal made
        if code in existing:
            return
        unit = Unit(
            code=code,
            name=name,
            kind=kind.value,
            parent_id=existing.get(parent) if parent else None,
            grid_code=grid,
            department_key=dept,
            generated=generated,
        )
        session.add(unit)
        session.flush()
        existing[code] = unit.id
        made += 1

    city = next(n for n in nodes if n.level is GridLevel.CITY)
    ensure(city_code, f"{city_name}城市运行管理中心(12345)", UnitKind.CITY, None, city.code)
    for key, name, _ in DEPARTMENTS:
        ensure(
            f"{city_code}-{key}",
            f"{city_name.removesuffix('市')}市{name}",
            UnitKind.CITY_DEPARTMENT,
            city_code,
            None,
            key,
        )
    for n in nodes:
        if n.level is GridLevel.DISTRICT:
            d = n.code[:6]
            ensure(d, f"{n.name}城市运行管理中心", UnitKind.DISTRICT, city_code, n.code)
            for key, name, bureau in DEPARTMENTS:
                if bureau:
                    ensure(f"{d}-{key}", f"{n.name}{name}", UnitKind.DISTRICT_BUREAU, d, None, key)
    rows = []
    for n in nodes:
        if n.level is GridLevel.STREET:
            code = n.code[:9]
            if code not in existing:
                rows.append(
                    (
                        code,
                        n.name + ("办事处" if n.name.endswith("街道") else "人民政府"),
                        UnitKind.STREET_OFFICE,
                        n.code[:6],
                        n.code,
                        n.generated,
                    )
                )
    made += _bulk_units(session, rows, existing)
    rows = []
    for n in nodes:
        if n.level is GridLevel.COMMUNITY:
            code = n.code[:12]
            if code not in existing:
                suffix = "" if n.name.endswith(("委会", "委员会")) else "居委会"
                rows.append((code, n.name + suffix, UnitKind.COMMUNITY, n.code[:9], n.code, n.generated))
    made += _bulk_units(session, rows, existing)
    return made


def _bulk_units(
    session: Session, rows: list[tuple[str, str, UnitKind, str, str, bool]], existing: dict[str, int]
) -> int:
    _bulk(
        session,
        Unit,
        [
            dict(code=c, name=nm, kind=k.value, parent_id=existing[p], grid_code=g, department_key=None, generated=gen)
            for c, nm, k, p, g, gen in rows
        ],
    )
    codes = [r[0] for r in rows]
    for i in range(0, len(codes), CHUNK):
        for code, uid in session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes[i : i + CHUNK]))):
            existing[code] = uid
    return len(rows)


def load_rules(session: Session, city_code: str) -> int:
    """Seed 权属 from each category's default department: street office, district bureau or city department."""
    have = {
        (c, g) for c, g in session.execute(select(ResponsibilityRule.category_code, ResponsibilityRule.grid_prefix))
    }
    units = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}
    bureaus = {key for key, _, b in DEPARTMENTS if b}
    rows: list[dict[str, Any]] = []
    for code, dept in session.execute(select(Category.code, Category.department_key)):
        if (code, city_code) in have or not dept:
            continue
        if dept == "street":
            rows.append(
                dict(
                    category_code=code,
                    grid_prefix=city_code,
                    target=RuleTarget.STREET.value,
                    unit_id=None,
                    note="属地街道办理",
                )
            )
            continue
        uid = units.get(f"{city_code}-{dept}")
        if uid is None:
            continue
        target = RuleTarget.DISTRICT_BUREAU if dept in bureaus else RuleTarget.UNIT
        rows.append(
            dict(category_code=code, grid_prefix=city_code, target=target.value, unit_id=uid, note="默认权属(按类别)")
        )
    if ("", city_code) not in have and city_code in units:
        rows.append(
            dict(
                category_code="",
                grid_prefix=city_code,
                target=RuleTarget.STREET.value,
                unit_id=None,
                note="兜底: 属地街道",
            )
        )
    return _bulk(session, ResponsibilityRule, rows)


def load_grid_workers(session: Session, nodes: Iterable[GridNode], now: datetime) -> int:
    """One full-time grid worker (专职网格员) per L3 micro-grid, belonging to the community committee."""
    have = set(session.scalars(select(User.username).where(User.role == "grid_worker")))
    units = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id).where(Unit.kind == "community"))}
    users, grids = [], []
    for n in nodes:
        if n.level is GridLevel.MICRO:
            username = f"gw{n.code}"
            if username in have:
                continue
            users.append(
                dict(
                    username=username,
                    display_name=f"{n.name}网格员",
                    role="grid_worker",
                    unit_id=units.get(n.code[:12]),
                    active=True,
                    generated=True,
                    created_at=now,
                )
            )
            grids.append((username, n.code))
    _bulk(session, User, users)
    ids = {}
    names = [u for u, _ in grids]
    for i in range(0, len(names), CHUNK):
        chunk = select(User.username, User.id).where(User.username.in_(names[i : i + CHUNK]))
        ids.update({u: uid for u, uid in session.execute(chunk)})
    _bulk(session, GridAssignment, [dict(user_id=ids[u], grid_code=g) for u, g in grids])
    return len(users)


def load_organisations(session: Session, nodes: Iterable[GridNode]) -> int:
    """Generated placeholders for embedded organisations: a Party branch and a residents' council per
    community, a Party group per micro-grid, two social organisations per street."""
    if session.scalar(select(func.count()).select_from(Organisation)):
        return 0
    rows: list[dict[str, object]] = []
    for n in nodes:
        if n.level is GridLevel.STREET:
            rows += [
                dict(grid_code=n.code, kind="social", name=f"{n.name}社会工作服务站", generated=True),
                dict(grid_code=n.code, kind="social", name=f"{n.name}志愿者协会", generated=True),
            ]
        elif n.level is GridLevel.COMMUNITY:
            rows += [
                dict(grid_code=n.code, kind="party", name=f"{n.name}党支部", generated=True),
                dict(grid_code=n.code, kind="residents", name=f"{n.name}居民议事会", generated=True),
            ]
        elif n.level is GridLevel.MICRO:
            rows.append(dict(grid_code=n.code, kind="party", name=f"{n.name}党小组", generated=True))
    return _bulk(session, Organisation, rows)
