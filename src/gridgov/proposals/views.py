"""/api/v1/proposals (人大代表建议, 政协提案, 社情民意): the list (each person's part), an item with its record,
the steps of 办理, batches and their reports (JSON and Excel), the overdue lists, the published answers, the
batch list imported from the office's workbook, members and liaison stations, and the case a 社情民意 became.

Thin: parse, call one service or query, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from gridgov.actor import Actor, Role
from gridgov.media.domain import UploadRefused
from gridgov.proposals import queries, services
from gridgov.proposals.commands import Refer
from gridgov.proposals.domain import ACTION_ROLES, AUTHORS, OFFICE, READ_ALL, READERS
from gridgov.proposals.excel import XLSX, read_proposal_list, report_workbook
from gridgov.proposals.queries import ProposalFilter
from gridgov.proposals.repository import SqlProposalsUnitOfWork
from gridgov.proposals.rules import limits_from
from gridgov.proposals.schemas import ActionIn, BatchCreate, MemberCreate, ProposalCreate, StationCreate
from gridgov.proposals.services.common import today_of
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role

router = APIRouter(prefix="/api/v1/proposals", tags=["建议提案 proposals"])
Reader = Annotated[Actor, Depends(require_role(*READERS))]
AllReader = Annotated[Actor, Depends(require_role(*READ_ALL))]
Office = Annotated[Actor, Depends(require_role(*OFFICE))]
Registrar = Annotated[Actor, Depends(require_role(*(OFFICE | AUTHORS)))]
ACTORS = frozenset().union(*ACTION_ROLES.values()) - {Role.SYSTEM}
Actioner = Annotated[Actor, Depends(require_role(*ACTORS))]
BatchCode = Annotated[str, Query(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-_]+$")]
IMPORT_MAX_BYTES = 16 * 1024 * 1024


def uow(container: Runtime) -> SqlProposalsUnitOfWork:
    return SqlProposalsUnitOfWork(container.uow())


def proposal_filter(
    batch: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9\-_]+$")] = None,
    kind: Annotated[str | None, Query(pattern=r"^(suggestion|proposal|opinion)$")] = None,
    status: Annotated[str | None, Query(pattern=r"^[a-z,]{1,200}$", description="状态或状态类别, 逗号分隔")] = None,
    unit: Annotated[str | None, Query(max_length=40, description="主办单位编码")] = None,
    focus: bool | None = None,
    overdue: bool | None = None,
    generated: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> ProposalFilter:
    return ProposalFilter(batch, kind, status, unit, focus, overdue, generated, q)


Filter = Annotated[ProposalFilter, Depends(proposal_filter)]


def detail(container: Runtime, actor: Actor, proposal_id: int) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.proposal_detail(session, actor, proposal_id, today_of(container.clock.now()))


@router.get("", summary="建议提案列表 (办公室与领导看全部, 承办单位看交办给本单位的, 代表委员看本人的)")
def list_proposals(
    container: ContainerDep,
    actor: Reader,
    f: Filter,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.list_proposals(session, actor, f, today_of(container.clock.now()), page, page_size)


@router.post("", status_code=201, summary="登记一件建议、提案; 代表委员本人报送社情民意")
def create_proposal(body: ProposalCreate, container: ContainerDep, actor: Registrar) -> dict[str, Any]:
    draft = services.ProposalDraft(**{**body.model_dump(), "authors": tuple(body.authors)})
    pid = services.register_proposal(uow(container), draft, actor, container.clock.now())
    return detail(container, actor, pid)


@router.post("/import", status_code=201, summary="导入一个批次的清单 (.xlsx; 全部成功或全部不导入, 指明出错的行)")
def import_list(container: ContainerDep, actor: Office, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    raw = file.file.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise UploadRefused(f"文件过大, 上限 {IMPORT_MAX_BYTES} 字节")
    drafts, problems = read_proposal_list(raw, file.filename or "list.xlsx")
    count = services.import_proposals(uow(container), drafts, actor, container.clock.now(), problems)
    return {"imported": count}


@router.get("/batches", summary="批次列表")
def list_batches(container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.batches(session)


@router.post("/batches", status_code=201, summary="新增批次 (会议期间或闭会期间)")
def create_batch(body: BatchCreate, container: ContainerDep, actor: Office) -> dict[str, Any]:
    bid = services.add_batch(uow(container), body.code, body.name, body.held_on, actor, container.clock.now())
    return {"id": bid, "code": body.code, "name": body.name, "held_on": body.held_on.isoformat()}


@router.get(
    "/batches/{code}/report",
    summary="批次办理情况: 按期答复率、见面率、满意率 (工作、结果)、A/B/C/D 分布、承诺兑现率, 分主办单位",
)
def batch_report(code: str, container: ContainerDep, _actor: AllReader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.report(session, code, today_of(container.clock.now()))


@router.get("/batches/{code}/report.xlsx", summary="批次办理情况 (Excel)")
def batch_report_xlsx(code: str, container: ContainerDep, _actor: AllReader) -> Response:
    with container.sessions() as session:
        rep = queries.report(session, code, today_of(container.clock.now()))
    name = quote(f"{rep['batch']['name']}办理情况.xlsx")
    return Response(
        report_workbook(rep),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store"},
    )


@router.get("/overdue", summary="逾期清单: 超期未答复、超期未面商、会办意见超期未送")
def overdue(container: ContainerDep, actor: Reader, batch: BatchCode | None = None) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.overdue(session, actor, today_of(container.clock.now()), batch)


@router.get("/published", summary="公开的答复 (标明不予公开的除外)", openapi_extra={"x-roles": "public"})
def published(container: ContainerDep, batch: BatchCode | None = None) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.published(session, batch)


@router.post("/members", status_code=201, summary="登记代表委员 (可关联其登录账号)")
def create_member(body: MemberCreate, container: ContainerDep, actor: Office) -> dict[str, Any]:
    mid = services.add_member(
        uow(container), body.body, body.name, actor, container.clock.now(), body.username, body.delegation
    )
    return {"id": mid, "body": body.body, "name": body.name}


@router.get("/stations", summary="人大代表联络站 (所在网格, 进站代表)")
def list_stations(
    container: ContainerDep, _actor: Reader, grid: Annotated[str | None, Query(pattern=r"^[0-9]{1,15}$")] = None
) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.stations(session, grid)


@router.post("/stations", status_code=201, summary="新增人大代表联络站 (挂在网格上, 列明进站代表)")
def create_station(body: StationCreate, container: ContainerDep, actor: Office) -> dict[str, Any]:
    sid = services.add_station(uow(container), body.name, body.grid_code, actor, body.address, body.members)
    return {"id": sid, "name": body.name, "grid_code": body.grid_code}


@router.get("/by-case/{case_id}", summary="案件对应的社情民意 (反向链接)")
def proposal_of_case(case_id: RowId, container: ContainerDep, _actor: AllReader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.proposal_of_case(session, case_id)


@router.get("/{proposal_id}", summary="一件建议提案: 提出人、交办、会办、面商、答复、承诺、评价、期限, 转办的案件")
def get_proposal(proposal_id: RowId, container: ContainerDep, actor: Reader) -> dict[str, Any]:
    return detail(container, actor, proposal_id)


@router.post(
    "/{proposal_id}/actions",
    summary="办理: 交办、退回、会办意见、办前面商、延期说明、答复、评价、承诺兑现; 社情民意转为案件",
)
def act(proposal_id: RowId, body: ActionIn, container: ContainerDep, actor: Actioner) -> dict[str, Any]:
    command = body.to_command()
    now = container.clock.now()
    if isinstance(command, Refer):
        services.refer_opinion(lambda: uow(container), proposal_id, command, actor, now, container.policy)
    else:
        services.apply_action(
            uow(container),
            proposal_id,
            command,
            actor,
            now,
            limits_from(container.settings),
            container.calendar.is_working_day,
            body.version,
        )
    return detail(container, actor, proposal_id)


@router.get("/{proposal_id}/events", summary="该件的责任链 (防篡改事件记录; 每个事件也是全市日志的一片叶子)")
def events(proposal_id: RowId, container: ContainerDep, actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.proposal_events(session, actor, proposal_id)
