"""GET /api/v1/me/data and POST /api/v1/me/erase: a signed-in person's own data, and its erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gridgov.privacy.services import erase_reporter, my_data
from gridgov.web.deps import ContainerDep, CurrentActor

router = APIRouter(prefix="/api/v1/me", tags=["个人信息 personal data"])


@router.get("/data", summary="下载本人数据 (账号及本人反映的案件, 不脱敏)")
def download(container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    return my_data(container.uow(write=False), actor)


@router.post("/erase", summary="注销并删除本人身份信息 (案件内容与处理记录保留)")
def erase(container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    n = erase_reporter(container.uow(), container.clock.now(), user_id=actor.user_id)
    container.forget_tokens()
    return {"erased_cases": n, "account": "已注销"}
