from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from gridgov.actor import Actor
from gridgov.metrics.domain import RANKING_ROLES, Weights
from gridgov.metrics.queries import appeals, unit_metrics
from gridgov.web.deps import ContainerDep, require_role

router = APIRouter(prefix="/api/v1/metrics", tags=["考核 metrics"])

# the same readers as the dashboard's ranking and ranking.xlsx: everyone else gets 403 (docs/metrics.md)
Reader = Annotated[Actor, Depends(require_role(*RANKING_ROLES))]


@router.get("/units", summary="单位月度考核: 三率、综合得分、结案率等，含排名")
def units(
    container: ContainerDep,
    actor: Reader,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    kind: Annotated[str | None, Query(description="只看某类单位, 如 street_office")] = None,
) -> dict[str, Any]:
    s = container.settings
    weights = Weights(s.weight_response, s.weight_resolution, s.weight_satisfaction)
    with container.sessions() as session:
        rows = unit_metrics(session, month, weights, container.clock.now(), kind)
    return {
        "month": month,
        "weights": {
            "response": weights.response,
            "resolution": weights.resolution,
            "satisfaction": weights.satisfaction,
        },
        "units": rows,
    }


# 12345 operations (issue 17)
@router.get("/appeals", summary="申诉/甄别列表 (待审核的按期限在前)")
def appeal_list(
    container: ContainerDep,
    actor: Reader,
    status: Annotated[str | None, Query(pattern="^(pending|upheld|refused)$")] = None,
) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return appeals(session, status)
