"""GET /api/v1/topics: hot topics over the reader's recent cases (same tag as the classifier's routes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gridgov.accounts.domain import scope_of
from gridgov.cases.topics import recent_topics
from gridgov.web.deps import ContainerDep, CurrentActor

router = APIRouter(prefix="/api/v1", tags=["智能派遣 smart dispatch"])


@router.get("/topics", summary="热点问题 (每月一题): 近 N 天案件按文本聚类排名")
def topics(
    container: ContainerDep,
    actor: CurrentActor,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    with container.sessions() as s:
        return {"days": days, "topics": recent_topics(s, container.clock.now(), days, top, scope_of(actor))}
