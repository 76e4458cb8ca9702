"""HTTP routes for campaigns: the JSON API (/api/v1/campaigns…) and the public pages (/campaigns/{slug}…).

The public form is anonymous intake: it never reads the session cookie (so no signed-in authority can be
borrowed by another site), carries a signed, expiring form token and a honeypot field, and is rate-limited
per client address like case intake."""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.datastructures import UploadFile as FormFile

from gridgov.actor import Actor, Role
from gridgov.campaigns import queries, services
from gridgov.campaigns.domain import API_CHANNELS, PUBLIC_FORM_CHANNELS, AttachmentTooLarge, Channel
from gridgov.campaigns.excel import workbook
from gridgov.campaigns.mail import read_mail_bytes
from gridgov.campaigns.privacy import record_suggestion_view
from gridgov.campaigns.schemas import (
    CampaignCreate,
    CaseTargetIn,
    SuggestionCreate,
    SuggestionDecision,
    SuggestionField,
    SuggestionReply,
)
from gridgov.cases import queries as case_queries
from gridgov.errors import GridgovError, ValidationFailed
from gridgov.web.deps import ContainerDep, RowId, bearer, get_actor, limit_public_intake, require_role
from gridgov.web.render import PageRoute, templates

router = APIRouter(prefix="/api/v1/campaigns", tags=["征集 campaigns"])
pages = APIRouter(include_in_schema=False, route_class=PageRoute)  # errors as Chinese pages

Staff = Annotated[Actor, Depends(require_role(*services.STAFF_ROLES))]
Reader = Annotated[Actor, Depends(require_role(*services.READ_ROLES))]
ANONYMOUS = Actor(user_id=None, role=Role.RESIDENT, unit_id=None, name="anonymous")
FORM_TOKEN_SECONDS = 24 * 3600
UNMASKED = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})  # see submitters' data and files in full
PERSONAL_FIELDS = ("submitter_name", "submitter_phone", "submitter_email", "submitter_address")


def policy(container: ContainerDep) -> services.IntakePolicy:
    s = container.settings
    return services.IntakePolicy(s.campaign_attachment_max_bytes, s.campaign_duplicate_threshold)


def api_actor(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """An app's bearer token when sent (checked as everywhere), else an anonymous resident. Cookies are ignored."""
    if credentials is None:
        return ANONYMOUS
    return get_actor(request, container, credentials)


# -- JSON API ------------------------------------------------------------------------------------------
@router.post("", status_code=201, summary="新建征集活动 (时间以北京时间计, 首尾两日均含)")
def create(body: CampaignCreate, container: ContainerDep, actor: Staff) -> dict[str, Any]:
    draft = services.CampaignDraft(**body.model_dump())
    return services.create_campaign(container.uow(), draft, actor, container.clock.now())


@router.get("", summary="征集活动列表")
def list_all(container: ContainerDep, actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as s:
        return queries.list_campaigns(s, container.clock.now())


@router.get("/suggestions/{suggestion_id}", summary="建议详情 (附件、处理记录、关联案件)")
def suggestion(suggestion_id: RowId, container: ContainerDep, actor: Reader) -> dict[str, Any]:
    with container.sessions() as s:
        detail = queries.suggestion_detail(s, suggestion_id, actor.role in UNMASKED)
    shown = [f for f in PERSONAL_FIELDS if detail.get(f) and "*" not in str(detail[f])]
    if shown and actor.role in UNMASKED:  # every view of unmasked personal data is recorded, as for cases
        record_suggestion_view(container.uow(), actor, suggestion_id, shown, container.clock.now())
    return detail


@router.post(
    "/suggestions/{suggestion_id}/actions", summary="审核与决定: review, adopt, partly_adopt, not_adopt, reconsider"
)
def decide(suggestion_id: RowId, body: SuggestionDecision, container: ContainerDep, actor: Staff) -> dict[str, Any]:
    services.decide(container.uow(), suggestion_id, body.action, actor, container.clock.now(), body.reply, body.note)
    return suggestion(suggestion_id, container, actor)


@router.post("/suggestions/{suggestion_id}/reply", summary="公开答复")
def reply(suggestion_id: RowId, body: SuggestionReply, container: ContainerDep, actor: Staff) -> dict[str, Any]:
    services.set_reply(container.uow(), suggestion_id, body.reply, actor, container.clock.now())
    return suggestion(suggestion_id, container, actor)


@router.post("/suggestions/{suggestion_id}/field", summary="人工改定领域")
def set_field(suggestion_id: RowId, body: SuggestionField, container: ContainerDep, actor: Staff) -> dict[str, Any]:
    services.set_field(container.uow(), suggestion_id, body.field, actor, container.clock.now())
    return suggestion(suggestion_id, container, actor)


@router.post("/suggestions/{suggestion_id}/case", status_code=201, summary="转为案件 (进入案件闭环, 双向关联)")
def to_case(suggestion_id: RowId, body: CaseTargetIn, container: ContainerDep, actor: Staff) -> dict[str, Any]:
    deps = services.CaseServices(
        locator=container.locator(),
        classifier=container.classifier,
        policy=container.policy,
        enrich_later=container.enricher.submit if container.enricher is not None else None,
        city_name=container.settings.city_name,
    )
    target = services.CaseTarget(**body.model_dump())
    return services.convert_to_case(container.uow, suggestion_id, target, actor, container.clock.now(), deps)


@router.get("/cases/{case_id}", summary="由案件查来源建议 (该案件可见者可查)")
def suggestion_of_case(
    case_id: RowId, container: ContainerDep, actor: Annotated[Actor, Depends(get_actor)]
) -> dict[str, Any]:
    with container.sessions() as s:
        case_queries.case_detail(s, case_id, actor, container.clock.now())  # 404 outside the actor's scope
        return queries.suggestion_of_case(s, case_id)


@router.get("/attachments/{attachment_id}", summary="下载附件或信件扫描件 (仅工作人员; 领导只看脱敏信息)")
def attachment(attachment_id: RowId, container: ContainerDep, actor: Staff) -> Response:
    """Files carry personal data that cannot be masked (a letter's scan shows the sender's name and address),
    so only the roles that see submitters unmasked may download them."""
    with container.sessions() as s:
        name, kind, data = queries.attachment(s, attachment_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "X-Original-Content-Type": kind.encode("ascii", "replace").decode(),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{slug}", summary="征集活动信息 (公开)")
def info(slug: str, container: ContainerDep) -> dict[str, Any]:
    with container.sessions() as s:
        return queries.campaign_info(queries.campaign_by_slug(s, slug, public_only=True), container.clock.now())


@router.post("/{slug}/suggestions", status_code=201, summary="提交建议 (App、小程序; 无需登录, 按来源地址限流)")
def submit_api(
    slug: str,
    body: SuggestionCreate,
    request: Request,
    container: ContainerDep,
    actor: Annotated[Actor, Depends(api_actor)],
) -> dict[str, Any]:
    limit_public_intake(request, container, actor)
    if Channel(body.channel) not in API_CHANNELS:
        raise ValidationFailed("渠道须为 web、app 或 wechat", field="channel")
    draft = services.SuggestionDraft(
        channel=body.channel,
        title=body.title,
        content=body.content,
        field=body.field,
        submitter_name=body.name,
        submitter_phone=body.phone,
        submitter_email=body.email,
    )
    result = services.submit(container.uow(), slug, draft, actor, container.clock.now(), policy(container))
    return {**asdict(result), "status_url": f"/campaigns/{slug}/s/{result.ref}"}


@router.get("/{slug}/suggestions", summary="建议列表 (按状态、领域、渠道、重复类筛选)")
def suggestions(
    slug: str,
    container: ContainerDep,
    actor: Reader,
    status: str | None = None,
    field: Annotated[str | None, Query(max_length=20)] = None,
    channel: Annotated[str | None, Query(pattern="^(web|app|wechat|email|letter)$")] = None,
    cluster_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with container.sessions() as s:
        campaign = queries.campaign_by_slug(s, slug)
        return queries.list_suggestions(
            s,
            campaign,
            status=status,
            field=field,
            channel=channel,
            cluster_id=cluster_id,
            page=page,
            page_size=page_size,
            unmasked=actor.role in UNMASKED,
        )


async def _read_upload(file: FormFile | None, limit: int) -> bytes:
    if file is None:
        return b""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise AttachmentTooLarge(f"文件「{file.filename or ''}」过大，上限 {limit} 字节", limit=limit)
    return data


@router.post(
    "/{slug}/letters", status_code=201, summary="登记来信 (含扫描件 PDF/JPEG/PNG/TIFF, 寄信地址、邮编、信封字样)"
)
async def register_letter(
    slug: str,
    container: ContainerDep,
    actor: Staff,
    content: Annotated[str, Form(max_length=10000)],
    scan: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form(max_length=200)] = "",
    sender_name: Annotated[str, Form(max_length=100)] = "",
    sender_address: Annotated[str, Form(max_length=300)] = "",
    sender_phone: Annotated[str, Form(max_length=30)] = "",
    postcode: Annotated[str, Form(max_length=6)] = "",
    marking: Annotated[str, Form(max_length=100)] = "",
    field: Annotated[str | None, Form(max_length=20)] = None,
    postmarked_on: Annotated[str | None, Form(description="邮戳日期 YYYY-MM-DD (以邮戳为准)")] = None,
) -> dict[str, Any]:
    p = policy(container)
    data = await _read_upload(scan, p.max_attachment_bytes)
    postmark = None
    if postmarked_on:
        try:
            postmark = datetime.strptime(postmarked_on, "%Y-%m-%d").date()
        except ValueError:
            raise ValidationFailed("邮戳日期须为 YYYY-MM-DD", field="postmarked_on") from None
    letter = services.SuggestionDraft(
        channel=Channel.LETTER.value,
        title=title,
        content=content,
        field=field or None,
        submitter_name=sender_name,
        submitter_phone=sender_phone,
        submitter_address=sender_address,
        postcode=postcode,
        letter_marking=marking,
    )
    name = (scan.filename or "scan") if scan is not None else ""
    now = container.clock.now()
    result = await run_in_threadpool(
        services.register_letter, container.uow(), slug, letter, data, name, postmark, actor, now, p
    )
    return asdict(result)


@router.post("/{slug}/mail", summary="导入邮件文件 (.eml 或 mbox; 有错误则全部不导入, skip_bad=true 跳过错误邮件)")
async def import_mail(
    slug: str,
    container: ContainerDep,
    actor: Staff,
    file: Annotated[UploadFile, File()],
    skip_bad: bool = False,
) -> dict[str, Any]:
    data = await _read_upload(file, container.settings.campaign_import_max_bytes)
    messages = await run_in_threadpool(read_mail_bytes, file.filename or "upload.eml", data)
    report = await run_in_threadpool(
        services.import_mail, container.uow(), slug, messages, actor, container.clock.now(), policy(container), skip_bad
    )
    return {
        "imported": [asdict(r) for r in report.imported],
        "repeated": [asdict(r) for r in report.repeated],
        "failed": report.failed,
    }


@router.get("/{slug}/report", summary="统计报表: 按领域、渠道、日期; 重复建议; 采纳率")
def report(slug: str, container: ContainerDep, actor: Reader) -> dict[str, Any]:
    with container.sessions() as s:
        return queries.report(s, queries.campaign_by_slug(s, slug), container.clock.now())


@router.get("/{slug}/report.xlsx", summary="报表导出 Excel")
def report_xlsx(slug: str, container: ContainerDep, actor: Reader) -> Response:
    with container.sessions() as s:
        campaign = queries.campaign_by_slug(s, slug)
        data = workbook(queries.report(s, campaign, container.clock.now()), queries.export_rows(s, campaign))
    filename = f"{slug}-report.xlsx"
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


# -- public pages ----------------------------------------------------------------------------------------
def form_token(secret: str, slug: str, now: datetime) -> str:
    stamp = str(int(now.timestamp()))
    sig = hmac.new(secret.encode(), f"campaign-form:{slug}:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{stamp}.{sig}"


def form_token_ok(secret: str, slug: str, token: str, now: datetime) -> bool:
    stamp, _, sig = token.partition(".")
    if not stamp.isdigit():
        return False
    expected = hmac.new(secret.encode(), f"campaign-form:{slug}:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]
    age = now.timestamp() - int(stamp)
    return hmac.compare_digest(sig, expected) and -300 <= age <= FORM_TOKEN_SECONDS


def public_url(container: ContainerDep, slug: str) -> str:
    """The form's address printed in QR codes: `campaign_public_url`, else the server's own host and port.
    Never the request's Host header, which the client chooses."""
    s = container.settings
    base = s.campaign_public_url or f"http://{s.host}:{s.port}"
    return f"{base.rstrip('/')}/campaigns/{slug}?via=wechat"


def _form_page(
    request: Request,
    container: ContainerDep,
    slug: str,
    values: dict[str, str] | None = None,
    error: GridgovError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = container.clock.now()
    with container.sessions() as s:
        campaign = queries.campaign_info(queries.campaign_by_slug(s, slug, public_only=True), now)
    via = (values or {}).get("channel") or request.query_params.get("via", "web")
    return templates.TemplateResponse(
        request,
        "campaigns/form.html",
        {
            "c": campaign,
            "v": values or {},
            "channel": via if via in {c.value for c in PUBLIC_FORM_CHANNELS} else "web",
            "error": error,
            "error_field": (error.details.get("field") if error else None),
            "token": form_token(container.settings.secret_key, slug, now),
            "max_mb": container.settings.campaign_attachment_max_bytes // (1024 * 1024),
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


class FormTooLarge(GridgovError):
    code = "form_too_large"
    status = 413
    message = "提交内容过大"


FORM_TEXT_BYTES = 256 * 1024  # the text fields and multipart framing, on top of one attachment


def _refuse_oversize_form(request: Request, limit: int) -> None:
    """Refuse by Content-Length before anything is read or spooled to disk."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FormTooLarge(f"提交内容过大 ({int(declared)} 字节)，附件上限 {limit - FORM_TEXT_BYTES} 字节", limit=limit)


@pages.get("/campaigns/{slug}", response_class=HTMLResponse)
def form(slug: str, request: Request, container: ContainerDep) -> HTMLResponse:
    return _form_page(request, container, slug)


@pages.post("/campaigns/{slug}", response_class=HTMLResponse)
async def form_submit(slug: str, request: Request, container: ContainerDep) -> HTMLResponse:
    """Plain POST form (works without JavaScript). A refused submission shows the form again with what was
    typed and the reason; nothing typed is lost."""
    limit_public_intake(request, container, ANONYMOUS)
    p = policy(container)
    _refuse_oversize_form(request, p.max_attachment_bytes + FORM_TEXT_BYTES)
    async with request.form(max_files=1, max_fields=20) as form:
        values = {k: str(form.get(k) or "") for k in ("title", "content", "field", "name", "phone", "email", "channel")}
        token, honeypot = str(form.get("form_token") or ""), str(form.get("website") or "")
        upload = form.get("attachment")
        try:
            if honeypot:
                raise ValidationFailed("提交被拒绝")
            if not form_token_ok(container.settings.secret_key, slug, token, container.clock.now()):
                raise ValidationFailed("表单已过期，请确认内容后再次提交", field="form_token")
            files: tuple[services.NewAttachment, ...] = ()
            if isinstance(upload, FormFile) and upload.filename:
                data = await _read_upload(upload, p.max_attachment_bytes)
                if data:
                    files = (services.NewAttachment(upload.filename, upload.content_type or "", data),)
            channel = values["channel"] if values["channel"] in {c.value for c in PUBLIC_FORM_CHANNELS} else "web"
            draft = services.SuggestionDraft(
                channel=channel,
                title=values["title"],
                content=values["content"],
                field=values["field"] or None,
                submitter_name=values["name"],
                submitter_phone=values["phone"],
                submitter_email=values["email"],
                attachments=files,
            )
            result = await run_in_threadpool(
                services.submit, container.uow(), slug, draft, ANONYMOUS, container.clock.now(), p
            )
        except GridgovError as exc:
            if exc.status >= 500 or exc.status == 429:
                raise
            return _form_page(request, container, slug, values, exc, exc.status)
    with container.sessions() as s:
        status = queries.public_status(s, slug, result.ref)
    return templates.TemplateResponse(
        request, "campaigns/status.html", {"s": status, "slug": slug, "new": True}, status_code=201
    )


@pages.get("/campaigns/{slug}/s/{ref}", response_class=HTMLResponse)
def status_page(slug: str, ref: str, request: Request, container: ContainerDep) -> HTMLResponse:
    with container.sessions() as s:
        status = queries.public_status(s, slug, ref)
    return templates.TemplateResponse(request, "campaigns/status.html", {"s": status, "slug": slug, "new": False})


@pages.get("/campaigns/{slug}/qr.{kind}")
def qr(slug: str, kind: str, request: Request, container: ContainerDep) -> Response:
    """A printable QR code pointing to the public form (PNG for print shops, SVG for posters)."""
    if kind not in ("png", "svg"):
        raise ValidationFailed("二维码格式须为 png 或 svg")
    with container.sessions() as s:
        queries.campaign_by_slug(s, slug, public_only=True)
    code = segno.make(public_url(container, slug), error="m")
    out = io.BytesIO()
    headers = {"Cache-Control": "private, max-age=3600"}  # no shared cache keeps one site's code for another
    if kind == "png":
        code.save(out, kind="png", scale=10, border=4)
        return Response(out.getvalue(), media_type="image/png", headers=headers)
    code.save(out, kind="svg", scale=10, border=4, title="扫码提交建议")
    return Response(out.getvalue(), media_type="image/svg+xml", headers=headers)


@pages.get("/campaigns/{slug}/report", response_class=HTMLResponse)
def report_page(slug: str, request: Request, container: ContainerDep, actor: Reader) -> HTMLResponse:
    with container.sessions() as s:
        data = queries.report(s, queries.campaign_by_slug(s, slug), container.clock.now())
    return templates.TemplateResponse(request, "campaigns/report.html", {"r": data, "slug": slug})
