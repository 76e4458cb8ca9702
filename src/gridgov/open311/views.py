"""HTTP routes of Open311 GeoReport v2 at /open311/v2, each as `.json` and `.xml`.

Errors are answered here, in the spec's format for the requested extension, rather than by the app-wide
handler (which speaks gridgov's own JSON envelope). Query arguments are taken as plain strings so that
a bad one becomes a spec-format 400 and never a FastAPI 422.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.exc import OperationalError

from gridgov.accounts.domain import Actor
from gridgov.errors import GridgovError, Unauthenticated
from gridgov.logging import get_logger
from gridgov.open311 import queries, render, services, updates
from gridgov.web.deps import ContainerDep, Runtime, actor_for_token, limit_public_intake

log = get_logger(__name__)

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])

Ext = Annotated[str, Path(description="json 或 xml")]
Jurisdiction = Annotated[str | None, Query(description="城市代码 (4101 或 410100)，可省略")]
Payload = tuple[Any, str, str | None]  # data, XML root element, XML item element


def _answer(ext: str, build: Callable[[render.Format], Payload], status_code: int = 200) -> Response:
    fmt = render.parse_format(ext)
    if fmt is None:
        body = render.render_error("json", 404, f"不支持的格式 .{ext}，请用 .json 或 .xml")
        return Response(body.content, status_code=404, media_type=body.media_type)
    try:
        data, root, item = build(fmt)
    except GridgovError as exc:
        status = services.http_status(exc)
        log.info("open311_refused", status=status, code=exc.code)
        body = render.render_error(fmt, status, exc.message)
        return Response(body.content, status_code=status, media_type=body.media_type)
    except OperationalError as exc:  # as the app-wide handler: busy → 503 (no SQL or parameters logged)
        log.warning("database_busy", api="open311", error=type(exc.orig).__name__)
        body = render.render_error(fmt, 503, "系统繁忙，请稍后重试")
        return Response(body.content, status_code=503, media_type=body.media_type, headers={"Retry-After": "1"})
    body = render.render(fmt, data, root, item)
    return Response(body.content, status_code=status_code, media_type=body.media_type)


def _actor(container: Runtime, api_key: str | None) -> Actor:
    if not api_key:
        raise services.InvalidApiKey("缺少 api_key")
    try:
        return actor_for_token(container, api_key)
    except Unauthenticated:
        raise services.InvalidApiKey() from None


@dataclass(frozen=True, slots=True)
class Posted:
    """A POST's body as it came: its media type and bytes, or (multipart) its fields and file parts. A type
    outside the accepted ones is kept as `refused` (a 415 before anything is decoded)."""

    content_type: str
    body: bytes = b""
    form: dict[str, str] | None = None
    files: tuple[bytes, ...] = ()
    refused: str | None = None
    broken: bool = False


MAX_PARTS = 10  # photo parts per POST
PART_BYTES = 16 * 1024 * 1024  # read at most this much of a part; gridgov.media refuses past its own limit


async def _posted(request: Request) -> Posted:
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind not in services.POST_KINDS:
        return Posted(content_type, refused=kind)
    if kind != "multipart/form-data":
        return Posted(content_type, await request.body())
    try:
        form = await request.form(max_files=MAX_PARTS, max_fields=200)
    except Exception:  # a malformed multipart body (python-multipart's errors), too many parts
        return Posted(content_type, broken=True)
    fields: dict[str, str] = {}
    files: list[bytes] = []
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields[name] = value
        else:
            data = await value.read(PART_BYTES)
            if data:
                files.append(data)
    await form.close()
    return Posted(content_type, form=fields, files=tuple(files))


PostedBody = Annotated[Posted, Depends(_posted)]


def _fields(posted: Posted, request: Request) -> dict[str, str]:
    if posted.refused is not None:
        raise services.UnsupportedMediaType(f"不支持的请求体类型: {posted.refused or '(无)'}")
    if posted.broken:
        raise services.BadArgument("multipart/form-data 请求体无法解析")
    if posted.form is not None:
        return services.form_fields(posted.form, request.query_params)
    return services.parse_fields(posted.content_type, posted.body, request.query_params)


_POST_MEDIA = ("application/x-www-form-urlencoded", "application/json", "multipart/form-data")
_POST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        name: {"type": "string"}
        for name in (
            "api_key",
            "service_code",
            "jurisdiction_id",
            "lat",
            "long",
            "address_string",
            "grid_code",
            "description",
            "first_name",
            "last_name",
            "phone",
            "email",
            "media_url",
            "attribute[external_id]",
        )
    },
}


@router.get("/discovery.{ext}", summary="Open311 服务发现")
def discovery(ext: Ext, request: Request, container: ContainerDep) -> Response:
    url = str(request.url_for("open311_services", ext="json")).rsplit("/", 1)[0]
    return _answer(ext, lambda fmt: (services.discovery(url, container.settings.city_name), "discovery", None))


@router.get("/services.{ext}", name="open311_services", summary="服务类型列表 (案件类别)")
def service_list(ext: Ext, container: ContainerDep, jurisdiction_id: Jurisdiction = None) -> Response:
    def build(fmt: render.Format) -> Payload:
        services.check_jurisdiction(jurisdiction_id, container.settings.city_code)
        with container.sessions() as session:
            records = services.service_records(queries.categories(session))
        return records, "services", "service"

    return _answer(ext, build)


@router.get("/services/{service_code}.{ext}", summary="服务类型定义 (属性)")
def service_definition(
    service_code: str, ext: Ext, container: ContainerDep, jurisdiction_id: Jurisdiction = None
) -> Response:
    def build(fmt: render.Format) -> Payload:
        services.check_jurisdiction(jurisdiction_id, container.settings.city_code)
        with container.sessions() as session:
            code = services.clean_text("service_code", service_code)
            record = services.service_definition(queries.category(session, code), code)
        return record, "service_definition", None

    return _answer(ext, build)


@router.post(
    "/requests.{ext}",
    status_code=201,
    summary="提交服务请求 (表单或 JSON；api_key 为 gridgov 访问令牌)",
    description="字段: api_key, service_code, lat+long | address_string | grid_code, description, first_name, "
    "last_name, phone, email, attribute[…] (attribute[external_id]: 提交方编号, 重发返回同一案件); multipart 可附照片。"
    "media_url 接受但不保存。成功返回 201。",
    openapi_extra={"requestBody": {"content": {media: {"schema": _POST_SCHEMA} for media in _POST_MEDIA}}},
)
def create_request(ext: Ext, request: Request, posted: PostedBody, container: ContainerDep) -> Response:
    def build(fmt: render.Format) -> Payload:
        fields = _fields(posted, request)
        services.check_jurisdiction(fields.get("jurisdiction_id"), container.settings.city_code)
        actor = _actor(container, fields.get("api_key"))
        if "write" not in actor.scopes:
            raise services.InvalidApiKey("该 api_key 只读，不能提交请求")
        limit_public_intake(request, container, actor)
        with container.sessions() as session:
            draft = services.request_draft(fields, queries.category(session, fields.get("service_code", "").strip()))
        reported = services.submit_request(
            container.uow(),
            draft,
            actor,
            container.clock.now(),
            locator=container.locator(),
            classifier=container.classifier,
            policy=container.policy,
            enrich_later=container.enricher.submit if container.enricher is not None else None,
            extra=services.request_extra(fields, posted.files),
            photos=container.photos,
        )
        return [services.created_record(reported)], "service_requests", "request"

    return _answer(ext, build, status_code=201)


@router.get("/requests.{ext}", summary="查询服务请求 (默认最近90天，最多1000条，支持 page/page_size)")
def request_list(
    ext: Ext,
    container: ContainerDep,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(description="受理编号，逗号分隔；给出时忽略其他条件")] = None,
    service_code: Annotated[str | None, Query(description="服务类型，逗号分隔")] = None,
    start_date: Annotated[str | None, Query(description="ISO 8601，无时区按北京时间")] = None,
    end_date: Annotated[str | None, Query(description="ISO 8601，无时区按北京时间")] = None,
    status: Annotated[str | None, Query(description="open 或 closed，逗号分隔")] = None,
    page: Annotated[str | None, Query(description="扩展: 页码，从1开始")] = None,
    page_size: Annotated[str | None, Query(description="扩展: 每页条数，最多1000")] = None,
) -> Response:
    def build(fmt: render.Format) -> Payload:
        services.check_jurisdiction(jurisdiction_id, container.settings.city_code)
        q = services.request_query(
            container.clock.now(), service_request_id, service_code, start_date, end_date, status, page, page_size
        )
        with container.sessions() as session:
            records = services.request_records(queries.requests(session, q))
        return records, "service_requests", "request"

    return _answer(ext, build)


@router.get("/requests/{service_request_id}.{ext}", summary="查询单个服务请求")
def request_detail(
    service_request_id: str, ext: Ext, container: ContainerDep, jurisdiction_id: Jurisdiction = None
) -> Response:
    def build(fmt: render.Format) -> Payload:
        services.check_jurisdiction(jurisdiction_id, container.settings.city_code)
        q = queries.RequestQuery(
            tracking_codes=(services.clean_text("service_request_id", service_request_id),), limit=1
        )
        with container.sessions() as session:
            records = services.one_request(queries.requests(session, q), service_request_id)
        return records, "service_requests", "request"

    return _answer(ext, build)


@router.get("/tokens/{token}.{ext}", summary="由令牌查询受理编号 (同步受理: 令牌即受理编号)")
def token(token: str, ext: Ext, container: ContainerDep, jurisdiction_id: Jurisdiction = None) -> Response:
    def build(fmt: render.Format) -> Payload:
        services.check_jurisdiction(jurisdiction_id, container.settings.city_code)
        with container.sessions() as session:
            exists = queries.tracking_code_exists(session, services.clean_text("token", token))
        return services.token_record(exists, token), "service_requests", "request"

    return _answer(ext, build)


@router.get(
    "/servicerequestupdates.{ext}",
    summary="服务请求更新 (mySociety 扩展): 案件事件, 默认最近2小时",
    description="start_date 与 end_date 须同时提供或同时省略 (W3CDTF)。状态对照见 docs/open311.md。",
)
def update_list(
    ext: Ext,
    container: ContainerDep,
    jurisdiction_id: Jurisdiction = None,
    api_key: Annotated[str | None, Query(description="可省略: 更新是公开信息")] = None,
    start_date: Annotated[str | None, Query(description="W3CDTF, 例如 2026-12-02T05:00:00Z")] = None,
    end_date: Annotated[str | None, Query(description="W3CDTF, 例如 2026-12-02T06:00:00Z")] = None,
) -> Response:
    def build(fmt: render.Format) -> Payload:
        services.check_jurisdiction(jurisdiction_id, container.settings.city_code)
        start, end = updates.update_window(container.clock.now(), start_date, end_date)
        with container.sessions() as session:
            rows = queries.updates(session, start, end, updates.QUIET, updates.MAX_UPDATES)
        return updates.update_records(rows), "service_requests_updates", "request_update"

    return _answer(ext, build)


@router.post(
    "/servicerequestupdates.{ext}",
    summary="提交服务请求更新 (评论、重启、已解决; 同一 update_id 只记一次)",
    description="字段: api_key, service_request_id, update_id, status (OPEN/CLOSED/FIXED/REOPEN…), description, "
    "updated_datetime; multipart 可附照片。返回 update_id, 即 GET 列出的编号。",
    openapi_extra={"requestBody": {"content": {media: {"schema": {"type": "object"}} for media in _POST_MEDIA}}},
)
def post_update(ext: Ext, request: Request, posted: PostedBody, container: ContainerDep) -> Response:
    def build(fmt: render.Format) -> Payload:
        fields = _fields(posted, request)
        services.check_jurisdiction(fields.get("jurisdiction_id"), container.settings.city_code)
        actor = _actor(container, fields.get("api_key"))
        if "write" not in actor.scopes:
            raise services.InvalidApiKey("该 api_key 只读，不能提交更新")
        draft = updates.update_draft(fields, posted.files)
        update_id = updates.post_update(
            container.uow(),
            draft,
            actor,
            container.clock.now(),
            container.calendar,
            container.policy,
            container.photos,
        )
        return [updates.posted_record(update_id)], "service_request_updates", "request_update"

    return _answer(ext, build)


@router.api_route(
    "/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False, name="open311_unknown"
)
def unknown(path: str) -> Response:
    """Any other path or method under /open311/v2: a 404 in the spec's format (XML when the path ends in .xml)."""
    fmt: render.Format = "xml" if path.endswith(".xml") else "json"
    body = render.render_error(fmt, 404, f"不存在的 Open311 接口: /open311/v2/{path}")
    return Response(body.content, status_code=404, media_type=body.media_type)
