from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, UploadFile

from gridgov.accounts.domain import Actor
from gridgov.cases import queries
from gridgov.errors import NotFound
from gridgov.media.domain import MAX_BYTES, UploadRefused
from gridgov.media.queries import photos_of_case, reporter_of
from gridgov.media.services import add_photo, photo
from gridgov.signing import upload_token_valid
from gridgov.web.deps import ContainerDep, CurrentActor, RowId

router = APIRouter(prefix="/api/v1", tags=["照片 photos"])


@router.post(
    "/cases/{case_id}/photos", status_code=201, summary="上传案件照片 (JPEG/PNG/WebP, ≤8MB; 去除 EXIF 等元数据后保存)"
)
async def upload(
    case_id: RowId,
    file: UploadFile,
    container: ContainerDep,
    actor: CurrentActor,
    x_upload_token: Annotated[str | None, Header(max_length=64, description="匿名反映上报时返回的凭证")] = None,
) -> dict[str, Any]:
    now = container.clock.now()
    secret = container.settings.secret_key
    if x_upload_token and upload_token_valid(secret, case_id, x_upload_token, int(now.timestamp())):
        if reporter_of(container.sessions, case_id) != actor.user_id:  # an anonymous case: the photo names nobody
            actor = Actor(user_id=None, role=actor.role, unit_id=None)
    else:
        with container.sessions() as session:
            queries.case_detail(session, case_id, actor, now)  # 404 outside the actor's scope
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"文件过大, 上限 {MAX_BYTES} 字节")
    return add_photo(container.sessions, case_id, data, actor, container.clock.now(), container.photo_storage)


@router.get("/cases/{case_id}/photos", summary="案件的全部照片 (上报、处置、核查)")
def list_photos(case_id: RowId, container: ContainerDep, actor: CurrentActor) -> list[dict[str, Any]]:
    with container.sessions() as session:
        queries.case_detail(session, case_id, actor, container.clock.now())  # 404 outside the actor's scope
        return photos_of_case(session, case_id)


@router.get("/photos/{photo_id}", summary="查看照片 (仅限可查看该案件的用户)")
def show(photo_id: RowId, container: ContainerDep, actor: CurrentActor) -> Response:
    case_id, kind, data = photo(container.sessions, photo_id, container.photo_storage)
    with container.sessions() as session:
        try:
            queries.case_detail(session, case_id, actor, container.clock.now())
        except NotFound:
            raise NotFound(f"照片不存在: {photo_id}") from None
    return Response(data, media_type=kind, headers={"Cache-Control": "private, max-age=3600"})
