from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gridgov.grids import queries
from gridgov.web.deps import ContainerDep, CurrentActor

router = APIRouter(prefix="/api/v1/grids", tags=["网格 grids"])


@router.get("/{code}", summary="网格详情 (含上级链、单位、组织)")
def grid(code: str, container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.grid_detail(session, code)


@router.get("/{code}/children", summary="下级网格")
def children(
    code: str,
    container: ContainerDep,
    actor: CurrentActor,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.grid_children(session, code, page, page_size)
