"""/api/v1/projects (三个一批): projects, phases and their three lists, stage actions with evidence, blockers sent
through the case loop, investment completed, the yearly list adjustment, the record, the four rates, the
ranking and the trend; an Excel export of every list and ranking; the list imported from the 发改委's workbook.

Thin: parse, call one service or query, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Response, UploadFile

from gridgov.actor import Actor
from gridgov.errors import ValidationFailed
from gridgov.media.domain import MAX_BYTES, UploadRefused
from gridgov.projects import queries, services
from gridgov.projects.domain import READERS, WRITERS, ListKind
from gridgov.projects.excel import XLSX, phase_workbook, projects_workbook, read_project_list
from gridgov.projects.queries import ProjectFilter
from gridgov.projects.repository import SqlProjectsUnitOfWork
from gridgov.projects.rules import shipped_rules
from gridgov.projects.schemas import (
    AdjustmentCreate,
    BlockerCreate,
    InvestmentIn,
    PhaseCreate,
    ProjectCreate,
    ProjectUpdate,
    StageAction,
)
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role

router = APIRouter(prefix="/api/v1/projects", tags=["三个一批 projects"])
Reader = Annotated[Actor, Depends(require_role(*READERS))]
Writer = Annotated[Actor, Depends(require_role(*WRITERS))]
PhaseNo = Annotated[int, Query(ge=1, le=999)]
IMPORT_MAX_BYTES = 16 * 1024 * 1024


def uow(container: Runtime, write: bool = True) -> SqlProjectsUnitOfWork:
    return SqlProjectsUnitOfWork(container.uow(write=write))


def project_filter(
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$", description="县(市、区) 区划代码")] = None,
    sector: Annotated[
        str | None, Query(pattern=r"^(manufacturing|emerging|infrastructure|services|livelihood)$")
    ] = None,
    status: Annotated[str | None, Query(pattern=r"^[a-z,]{1,100}$", description="状态, 逗号分隔")] = None,
    phase: Annotated[int | None, Query(ge=1, le=999, description="期次 (任一名单)")] = None,
    list_kind: Annotated[str | None, Query(alias="list", pattern=r"^(signed|started|producing)$")] = None,
    funding: Annotated[str | None, Query(pattern=r"^(foreign|out_of_province|local)$")] = None,
    size_band: Annotated[str | None, Query(pattern=r"^(small|10|50|100)$")] = None,
    attracted: bool | None = None,
    generated: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> ProjectFilter:
    return ProjectFilter(district, sector, status, phase, list_kind, funding, size_band, attracted, generated, q)


Filter = Annotated[ProjectFilter, Depends(project_filter)]


def excel(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"},
    )


def detail(container: Runtime, project_id: int) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.project_detail(session, project_id)


@router.get("", summary="项目列表 (可按县区、行业、状态、期次与名单、资金来源、规模、招商引资筛选)")
def list_projects(
    container: ContainerDep,
    _actor: Reader,
    f: Filter,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.list_projects(session, f, page, page_size)


@router.post("", status_code=201, summary="签约: 项目列入某期「签约一批」(低于行业入库门槛的拒绝并说明理由)")
def create_project(body: ProjectCreate, container: ContainerDep, actor: Writer) -> dict[str, Any]:
    draft = services.ProjectDraft(**body.model_dump())
    signed = services.sign_project(
        uow(container), draft, actor, container.clock.now(), shipped_rules(), locator=container.locator()
    )
    return detail(container, signed.id)


@router.post("/import", status_code=201, summary="导入发改委项目清单 (.xlsx; 全部成功或全部不导入, 指明出错的行)")
def import_list(container: ContainerDep, actor: Writer, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    raw = file.file.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise UploadRefused(f"文件过大, 上限 {IMPORT_MAX_BYTES} 字节")
    drafts, problems = read_project_list(raw, file.filename or "list.xlsx")
    count = services.import_projects(
        uow(container), drafts, actor, container.clock.now(), shipped_rules(), container.locator(), problems
    )
    return {"imported": count}


@router.get("/export.xlsx", summary="导出项目清单 (Excel, 按当前筛选)")
def export_projects(container: ContainerDep, _actor: Reader, f: Filter) -> Response:
    with container.sessions() as session:
        rows = queries.all_projects(session, f)
    return excel(projects_workbook(rows), "三个一批项目清单.xlsx")


@router.get("/map.geojson", summary="地图图层: 项目位置 (WGS-84 GeoJSON)")
def projects_map(
    container: ContainerDep, _actor: Reader, f: Filter, limit: Annotated[int, Query(ge=1, le=20_000)] = 5000
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.projects_geojson(session, f, limit)


@router.get("/phases", summary="期次列表 (每期三个名单的项目数)")
def list_phases(container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.phases(session)


@router.post("/phases", status_code=201, summary="新增下一期")
def create_phase(body: PhaseCreate, container: ContainerDep, actor: Writer) -> dict[str, Any]:
    p = services.add_phase(uow(container), body.number, body.held_on, actor, container.clock.now())
    return {"number": p.number, "name": p.name, "held_on": p.held_on.isoformat()}


@router.get("/trend", summary="历期趋势: 每期三个名单的项目数与总投资")
def trend(container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        latest = queries.latest_phase(session)
        return queries.trend(session, latest) if latest else []


@router.get("/phases/{number}", summary="一期的看板: 累计项目与总投资、三个名单、四率、投资、排名、趋势")
def phase_dashboard(number: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.phase_dashboard(session, number, shipped_rules().weights)


@router.get("/phases/{number}/lists/{kind}", summary="一期的某个名单 (签约一批 / 开工一批 / 投产一批)")
def phase_list(
    number: RowId,
    kind: Annotated[str, Path(pattern=r"^(signed|started|producing)$", description="signed / started / producing")],
    container: ContainerDep,
    _actor: Reader,
) -> list[dict[str, Any]]:
    try:
        list_kind = ListKind(kind)
    except ValueError:
        raise ValidationFailed("名单须为 signed / started / producing", field="kind") from None
    with container.sessions() as session:
        queries.phase_or_404(session, number)
        return queries.list_rows(session, number, list_kind, None)


@router.get(
    "/phases/{number}/rates",
    summary="四率 (签约项目履约率、履约项目开工率、开工项目投产率、投产项目达效率) 与投资, 按县区",
)
def phase_rates(number: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.rates(session, number)


@router.get("/phases/{number}/ranking", summary="县区排名 (四率与投资完成率的加权得分, 权重为数据)")
def phase_ranking(number: RowId, container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.ranking(queries.rates(session, number), shipped_rules().weights)


@router.get("/phases/{number}/export.xlsx", summary="导出一期的三个名单、四率、排名与趋势 (Excel)")
def export_phase(number: RowId, container: ContainerDep, _actor: Reader) -> Response:
    with container.sessions() as session:
        board = queries.phase_dashboard(session, number, shipped_rules().weights)
        lists = {k.value: queries.list_rows(session, number, k, None) for k in ListKind}
    return excel(phase_workbook(board, lists), f"三个一批{board['phase']['name']}.xlsx")


@router.get("/adjustments", summary="历年名单调整")
def list_adjustments(container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.adjustments(session)


@router.post("/adjustments", status_code=201, summary="年度名单调整 (每年一次; 调出项目或调整年度计划投资, 均记录在案)")
def create_adjustment(body: AdjustmentCreate, container: ContainerDep, actor: Writer) -> dict[str, Any]:
    changes = [services.ListChange(c.project_id, c.change, c.annual_investment) for c in body.changes]
    made = services.adjust_lists(uow(container), body.year, body.reason, changes, actor, container.clock.now())
    return {"id": made, "year": body.year, "changes": len(changes)}


@router.get("/evidence/{evidence_id}", summary="查看佐证材料 (文件或现场照片)")
def evidence_file(evidence_id: RowId, container: ContainerDep, _actor: Reader) -> Response:
    with container.sessions() as session:
        kind, data = queries.evidence_file(session, evidence_id)
    disposition = "inline" if kind.startswith("image/") or kind == "application/pdf" else "attachment"
    return Response(
        data, media_type=kind, headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": disposition}
    )


@router.get("/blockers/by-case/{case_id}", summary="案件对应的项目 (要素保障问题的反向链接)")
def project_of_case(case_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.project_of_case(session, case_id)


@router.get("/{project_id}", summary="项目详情: 阶段、佐证材料、要素保障问题 (含案件状态)")
def get_project(project_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    return detail(container, project_id)


@router.patch("/{project_id}", summary="修改项目信息 (记录修改前后; 仍须满足入库门槛)")
def update_project(project_id: RowId, body: ProjectUpdate, container: ContainerDep, actor: Writer) -> dict[str, Any]:
    services.amend_project(
        uow(container), project_id, body.changes(), actor, container.clock.now(), shipped_rules(), body.version
    )
    return detail(container, project_id)


@router.post("/{project_id}/actions", summary="阶段操作: 履约、开工 (列入某期开工一批)、投产 (列入某期投产一批)、达效")
def act(project_id: RowId, body: StageAction, container: ContainerDep, actor: Writer) -> dict[str, Any]:
    services.apply_stage(
        uow(container), project_id, body.to_command(), actor, container.clock.now(), shipped_rules(), body.version
    )
    return detail(container, project_id)


@router.get("/{project_id}/events", summary="项目的责任链 (防篡改事件记录; 每个事件也是全市日志的一片叶子)")
def events(project_id: RowId, container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.project_events(session, project_id)


@router.post(
    "/{project_id}/evidence", status_code=201, summary="上传佐证材料: 文件 (PDF/图片) 或现场照片 (须注明拍摄位置与时间)"
)
def upload_evidence(
    project_id: RowId,
    container: ContainerDep,
    actor: Writer,
    file: Annotated[UploadFile, File()],
    stage: Annotated[str, Form(pattern=r"^(sign|honour|start|produce|reach)$")],
    kind: Annotated[str, Form(pattern=r"^(document|photo)$")],
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Form(ge=-180, le=180)] = None,
    taken_at: Annotated[datetime | None, Form(description="拍摄时间, 带时区")] = None,
) -> dict[str, Any]:
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"文件过大, 上限 {MAX_BYTES} 字节")
    upload = services.EvidenceUpload(stage, kind, data, file.filename or "", lat, lon, taken_at)
    return services.add_evidence(uow(container), project_id, upload, actor, container.clock.now(), shipped_rules())


@router.post(
    "/{project_id}/blockers", status_code=201, summary="报送要素保障问题: 作为案件立案并派遣给负责部门 (带时限)"
)
def report_blocker(
    project_id: RowId,
    body: BlockerCreate,
    container: ContainerDep,
    actor: Writer,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=100)] = None,
) -> dict[str, Any]:
    done = services.report_blocker(
        lambda: uow(container),
        project_id,
        body.kind,
        body.description,
        actor,
        container.clock.now(),
        container.calendar,
        container.policy,
        shipped_rules(),
        idempotency_key,
    )
    return {
        "id": done.id,
        "project_id": done.project_id,
        "case_id": done.case_id,
        "tracking_code": done.tracking_code,
        "case_status": done.case_status,
        "unit_code": done.unit_code,
        "handle_due_at": done.handle_due_at.isoformat() if done.handle_due_at else None,
        "created": done.created,
    }


@router.post("/{project_id}/investments", status_code=201, summary="填报月度完成投资 (万元; 重报则替换)")
def report_investment(project_id: RowId, body: InvestmentIn, container: ContainerDep, actor: Writer) -> dict[str, Any]:
    replaced = services.report_investment(
        uow(container), project_id, body.year, body.month, body.amount, actor, container.clock.now()
    )
    return {
        "project_id": project_id,
        "year": body.year,
        "month": body.month,
        "amount": body.amount,
        "replaced": replaced,
    }
