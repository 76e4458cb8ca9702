from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gridgov.errors import ValidationFailed
from gridgov.grids.domain import check_code
from gridgov.units.queries import list_unit_rows
from gridgov.units.services import responsible_unit
from gridgov.web.deps import ContainerDep, CurrentActor

router = APIRouter(prefix="/api/v1/units", tags=["单位 units"])


@router.get("/responsible", summary="权属查询: 某类别在某网格的责任单位")
def responsible(
    container: ContainerDep,
    actor: CurrentActor,
    category: Annotated[str, Query(max_length=20)],
    grid: Annotated[str, Query(min_length=15, max_length=15)],
) -> dict[str, Any]:
    uow = container.uow(write=False)
    with uow:
        if uow.categories.by_code(category) is None:
            raise ValidationFailed(f"类别不存在: {category}", field="category")
        unit = responsible_unit(uow, category, check_code(grid))
        return {"code": unit.code, "name": unit.name, "kind": unit.kind}


@router.get("", summary="单位列表 (派遣、召集部门时选择)")
def list_units(
    container: ContainerDep,
    actor: CurrentActor,
    kind: Annotated[
        str | None,
        Query(pattern="^[a-z_,]{1,100}$", description="city_department, district_bureau, street_office … (逗号分隔)"),
    ] = None,
    under: Annotated[str | None, Query(max_length=40, description="上级单位编码: 只列其下属单位")] = None,
    q: Annotated[str | None, Query(max_length=50, description="名称包含")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return list_unit_rows(session, kind, under, q, limit)
