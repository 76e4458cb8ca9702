"""HTTP routes for cases: thin — parse, call a service or a query, shape the answer."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from gridgov.accounts.privacy import record_view
from gridgov.cases import queries, services
from gridgov.cases.domain import Action, check_role
from gridgov.cases.postgis_pool import cases_near_postgis
from gridgov.cases.schemas import CaseAction, CaseCreate, CaseCreated, CasePage, CasePublic, EventPublic
from gridgov.errors import ValidationFailed
from gridgov.geo.crs import to_canonical
from gridgov.signing import upload_token
from gridgov.web.deps import ContainerDep, CurrentActor, PageNo, RowId, limit_public_intake

router = APIRouter(prefix="/api/v1/cases", tags=["案件 cases"])


@router.post("", response_model=CaseCreated, status_code=201, summary="上报案件 (支持 Idempotency-Key)")
def create_case(
    body: CaseCreate,
    container: ContainerDep,
    actor: CurrentActor,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=100)] = None,
) -> dict[str, Any]:
    limit_public_intake(request, container, actor)
    draft = services.CaseDraft(**body.model_dump())
    result = services.report_case(
        container.intake_uow(),  # group commit: answered once the transaction holding the case commits
        draft,
        actor,
        container.clock.now(),
        idempotency_key,
        locator=container.locator(),
        classifier=container.classifier,
        policy=container.policy,
        enrich_later=container.enricher.submit if container.enricher is not None else None,
    )
    if not result.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    answer = asdict(result)
    # the reporter may attach photos for half an hour, even where the case falls outside their scope (an
    # anonymous case keeps no account; a grid worker may report beyond their grids)
    issued = int(container.clock.now().timestamp())
    answer["upload_token"] = upload_token(container.settings.secret_key, result.id, issued)
    return answer


@router.get("", response_model=CasePage, summary="案件列表")
def list_cases(
    container: ContainerDep,
    actor: CurrentActor,
    status: Annotated[str | None, Query(description="状态或 open/closed，逗号分隔")] = None,
    grid: Annotated[str | None, Query(description="网格编码 (含下级)")] = None,
    unit: Annotated[str | None, Query(description="单位编码 (承办或参与)")] = None,
    category: Annotated[str | None, Query(pattern="^[A-Za-z0-9]{1,20}$", description="类别编码 (含下级)")] = None,
    overdue: bool | None = None,
    needs_review: Annotated[bool | None, Query(description="分类置信度低、需人工确认的案件")] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    for name, value in (("created_from", created_from), ("created_to", created_to)):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed("时间须带时区, 例如 2025-10-01T00:00:00+08:00", field=name)
        if value is not None and not 1900 <= value.year <= 9000:
            raise ValidationFailed("时间超出范围", field=name)
    f = queries.CaseFilter(status, grid, unit, category, overdue, created_from, created_to, needs_review)
    with container.sessions() as session:
        return queries.list_cases(session, f, actor, container.clock.now(), page, page_size)


@router.get("/near", summary="附近案件 (R 米、T 天内; 用于重复提示)")
def near(
    container: ContainerDep,
    actor: CurrentActor,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    crs: Annotated[str, Query(pattern="^(wgs84|gcj02|bd09|cgcs2000)$")] = "wgs84",
    radius_m: Annotated[float, Query(gt=0, le=5000)] = 200,
    days: Annotated[int, Query(ge=1, le=365)] = 7,
) -> list[dict[str, Any]]:
    wlat, wlon = to_canonical(lat, lon, crs)
    now = container.clock.now()
    with container.sessions() as session:
        near = cases_near_postgis if container.settings.geo_backend == "postgis" else queries.cases_near
        return near(session, actor, wlat, wlon, radius_m, now - timedelta(days=days))


@router.get("/{case_id}", response_model=CasePublic, summary="案件详情 (查看未脱敏个人信息会被记录)")
def get_case(case_id: RowId, container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    with container.sessions() as session:
        detail = queries.case_detail(session, case_id, actor, container.clock.now())
    log_personal_data_view(container, actor, detail)
    return detail


def log_personal_data_view(container: ContainerDep, actor: CurrentActor, detail: dict[str, Any]) -> None:
    """Record the view when unmasked personal data is shown (API and pages alike)."""
    shown = [f for f in ("reporter_name", "reporter_phone") if detail[f] and "*" not in detail[f]]
    if shown and actor.role in queries.UNMASKED_ROLES:
        record_view(container.uow(), actor, detail["id"], shown, container.clock.now())


@router.post("/{case_id}/actions", response_model=CasePublic, summary="对案件执行操作 (状态流转)")
def act(case_id: RowId, body: CaseAction, container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    now = container.clock.now()
    check_role(Action(body.action), actor.role)  # a wrong role is 403 before its fields are looked at
    services.apply_action(
        container.uow(),
        case_id,
        body.to_command(),
        actor,
        now,
        container.calendar,
        container.policy,
        expected_version=body.version,
    )
    with container.sessions() as session:
        detail = queries.case_detail(session, case_id, actor, now)
    log_personal_data_view(container, actor, detail)
    return detail


@router.get("/{case_id}/events", response_model=list[EventPublic], summary="案件责任链 (防篡改事件记录)")
def events(case_id: RowId, container: ContainerDep, actor: CurrentActor) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.case_events(session, case_id, actor)


geojson_router = APIRouter(tags=["案件 cases"])


@geojson_router.get("/api/v1/cases.geojson", summary="地图图层: 范围内的案件点 (WGS-84 GeoJSON)")
def cases_geojson(
    container: ContainerDep,
    actor: CurrentActor,
    bbox: Annotated[str, Query(description="minlon,minlat,maxlon,maxlat (WGS-84)")],
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 2000,
) -> dict[str, Any]:
    try:
        parts = [float(p) for p in bbox.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not (parts[0] < parts[2] and parts[1] < parts[3]):
        raise ValidationFailed("bbox 须为 minlon,minlat,maxlon,maxlat", field="bbox")
    with container.sessions() as session:
        return queries.cases_geojson(session, actor, (parts[0], parts[1], parts[2], parts[3]), status, limit)
