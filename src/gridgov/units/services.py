"""Unit look-ups used by the case loop: who is responsible, and who supervises whom."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.errors import GridgovError
from gridgov.grids.domain import PREFIX_LENGTH, GridLevel, level_of, pad
from gridgov.units.domain import RuleTarget, RuleView, UnitKind, category_prefixes, most_specific
from gridgov.units.models import Unit
from gridgov.units.ports import UnitRepository, UnitsUnitOfWork


class NoResponsibleUnit(GridgovError):
    code = "no_responsible_unit"
    status = 422
    message = "权属表中找不到责任单位，请指定派遣单位"


def grid_prefixes(grid_code: str) -> list[str]:
    level = level_of(grid_code)
    return [grid_code[: PREFIX_LENGTH[lv]] for lv in GridLevel if lv <= level]


def area_unit(units: UnitRepository, grid_code: str, level: GridLevel, kind: UnitKind) -> Unit | None:
    if level_of(grid_code) < level:
        return None
    return units.by_area(pad(grid_code[: PREFIX_LENGTH[level]]), kind.value)


def responsible_unit(uow: UnitsUnitOfWork, category_code: str | None, grid_code: str) -> Unit:
    """权属: the unit the matrix names for (category, grid). Raises NoResponsibleUnit."""
    return resolve(uow.units, category_code, grid_code)


def resolve(units: UnitRepository, category_code: str | None, grid_code: str) -> Unit:
    rows = units.rules_for(category_prefixes(category_code), grid_prefixes(grid_code))
    views = [RuleView(r.id, r.category_code, r.grid_prefix, RuleTarget(r.target), r.unit_id) for r in rows]
    # try rules from most to least specific until one names a unit that exists for this grid
    while views:
        rule = most_specific(views)
        assert rule is not None
        views.remove(rule)
        unit: Unit | None
        if rule.target is RuleTarget.UNIT:
            unit = units.get(rule.unit_id) if rule.unit_id else None
        elif rule.target is RuleTarget.DISTRICT_BUREAU:
            unit = units.get(rule.unit_id) if rule.unit_id else None
            if unit is not None and unit.department_key and level_of(grid_code) >= GridLevel.DISTRICT:
                bureau = units.by_code(f"{grid_code[:6]}-{unit.department_key}")
                unit = bureau or unit
        elif rule.target is RuleTarget.STREET:
            unit = area_unit(units, grid_code, GridLevel.STREET, UnitKind.STREET_OFFICE)
        else:
            unit = area_unit(units, grid_code, GridLevel.COMMUNITY, UnitKind.COMMUNITY)
        if unit is not None and unit.active is not False:  # a merged or retired unit takes no new cases
            return unit
    raise NoResponsibleUnit(category=category_code or "", grid=grid_code)


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """A plain copy of a unit's identity, safe to keep across transactions."""

    id: int
    code: str
    name: str
    kind: str


def supervisors(uow: UnitsUnitOfWork, unit_id: int) -> list[UnitInfo]:
    """The chain of units above `unit_id` (community → street → district → city)."""
    chain: list[UnitInfo] = []
    seen = {unit_id}
    unit = uow.units.get(unit_id)
    while unit is not None and unit.parent_id is not None and unit.parent_id not in seen:
        seen.add(unit.parent_id)
        unit = uow.units.get(unit.parent_id)
        if unit is not None:
            chain.append(UnitInfo(unit.id, unit.code, unit.name, unit.kind))
    return chain
