from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gridgov.errors import ValidationFailed
from gridgov.grids.domain import check_code
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
