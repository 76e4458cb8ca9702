"""/api/v1/transfers and the case page's 转办 form: transfer a case, export and import the exchanged documents,
record the outcome reported back. Thin: parse, call one service or query, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from gridgov.actor import Actor
from gridgov.cases.domain import Action, CaseStatus
from gridgov.errors import ValidationFailed
from gridgov.transfers import queries, services
from gridgov.transfers.domain import TRANSFER_ROLES, targets_of
from gridgov.transfers.repository import SqlTransfersUnitOfWork
from gridgov.transfers.schemas import OutcomeIn, TransferIn
from gridgov.web import messages
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role
from gridgov.web.render import PageRoute, fragment

router = APIRouter(prefix="/api/v1", tags=["转办 transfers"])
pages = APIRouter(include_in_schema=False, route_class=PageRoute)
Transferrer = Annotated[Actor, Depends(require_role(*TRANSFER_ROLES))]
Document = Annotated[dict[str, Any], Body(description="转办文档 (docs/hotline.md#转办-transfers)")]


def uow(container: Runtime) -> SqlTransfersUnitOfWork:
    return SqlTransfersUnitOfWork(container.uow())


def policy(container: Runtime) -> services.TransferPolicy:
    return services.TransferPolicy(container.settings.instance_code, targets_of(container.settings.transfer_targets))


def _found(container: Runtime, transfer_id: int) -> dict[str, Any]:
    with container.sessions() as session:
        found = queries.transfer(session, transfer_id)
    if found is None:
        raise services.TransferNotFound(f"转办记录不存在: {transfer_id}")
    return found


@router.get("/transfers/targets", summary="转办对象 (GRIDGOV_TRANSFER_TARGETS)")
def targets(container: ContainerDep, actor: Transferrer) -> list[dict[str, str]]:
    return [{"code": t.code, "name": t.name} for t in policy(container).targets.values()]


@router.post("/cases/{case_id}/transfers", status_code=201, summary="转办: 案件转至其他热线或系统")
def transfer(case_id: RowId, body: TransferIn, container: ContainerDep, actor: Transferrer) -> dict[str, Any]:
    transfer_id = services.transfer_case(
        uow(container),
        case_id,
        body.target_code,
        body.reason,
        actor,
        container.clock.now(),
        policy(container),
        body.external_ref,
    )
    return _found(container, transfer_id)


@router.get("/cases/{case_id}/transfers", summary="案件的转办记录")
def of_case(case_id: RowId, container: ContainerDep, actor: Transferrer) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.transfers_of_case(session, case_id)


@router.get("/transfers/{transfer_id}/document", summary="转出文档 (gridgov.transfer v1), 交给接收方导入")
def document(transfer_id: RowId, container: ContainerDep, actor: Transferrer) -> dict[str, Any]:
    return services.export_case(uow(container), transfer_id, actor, policy(container))


@router.post("/transfers/import", status_code=201, summary="导入转来的案件 (按发送方编号幂等)")
def import_case(body: Document, container: ContainerDep, actor: Transferrer, response: Response) -> dict[str, Any]:
    reported = services.import_case(
        uow(container),
        container.uow(),
        body,
        actor,
        container.clock.now(),
        container.policy,
        locator=container.locator(),
        classifier=container.classifier,
    )
    if not reported.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    with container.sessions() as session:
        inbound = [t for t in queries.transfers_of_case(session, reported.id) if t["direction"] == "in"]
    return {
        "case_id": reported.id,
        "tracking_code": reported.tracking_code,
        "created": reported.created,
        "transfer_id": inbound[0]["id"] if inbound else None,
    }


@router.get("/transfers/{transfer_id}/outcome-document", summary="反馈文档 (gridgov.transfer-outcome v1)")
def outcome_document(transfer_id: RowId, container: ContainerDep, actor: Transferrer) -> dict[str, Any]:
    return services.outcome_of(uow(container), transfer_id, actor, policy(container))


@router.post("/transfers/outcomes", summary="记录接收方反馈的办理结果 (重复发送不重复记录)")
def record_outcome(body: Document, container: ContainerDep, actor: Transferrer) -> dict[str, Any]:
    case_id, recorded = services.record_outcome(uow(container), body, actor, container.clock.now())
    return {"case_id": case_id, "recorded": recorded}


@router.post("/transfers/{transfer_id}/outcome", summary="手工记录转办结果 (电话、公文反馈)")
def outcome_by_hand(transfer_id: RowId, body: OutcomeIn, container: ContainerDep, actor: Transferrer) -> dict[str, Any]:
    services.record_outcome_by_hand(
        uow(container), transfer_id, body.outcome, actor, container.clock.now(), body.status, body.external_ref
    )
    return _found(container, transfer_id)


# -- the case page's 转办 section (htmx) -------------------------------------------------------------------------
def section_context(container: Runtime, case_id: int, status: str, actor: Actor | None) -> dict[str, Any]:
    with container.sessions() as session:
        rows = queries.transfers_of_case(session, case_id)
    may = actor is not None and actor.role in TRANSFER_ROLES
    return {
        "case_id": case_id,
        "transfers": rows,
        "may_transfer": may and (CaseStatus(status), Action.TRANSFER) in _TRANSFERABLE,
        "may_record": may,
        "targets": list(policy(container).targets.values()),
    }


_TRANSFERABLE = frozenset(
    (s, Action.TRANSFER) for s in (CaseStatus.REPORTED, CaseStatus.REGISTERED, CaseStatus.RETURNED)
)


async def _form(request: Request, model: type[Any]) -> Any:
    form = await request.form()
    try:
        return model.model_validate({k: v for k, v in form.items() if isinstance(v, str) and v != ""})
    except ValidationError as exc:
        raise ValidationFailed("请求参数不合法", problems=messages.problems(exc.errors())) from None


@pages.post("/cases/{case_id}/transfers", response_class=HTMLResponse)
async def transfer_form(case_id: RowId, request: Request, container: ContainerDep, actor: Transferrer) -> Response:
    body = await _form(request, TransferIn)
    now = container.clock.now()
    services.transfer_case(uow(container), case_id, body.target_code, body.reason, actor, now, policy(container))
    ctx = section_context(container, case_id, CaseStatus.TRANSFERRED.value, actor)
    return fragment(request, container, "transfers/_section.html", events={"gg-toast": "已转办"}, **ctx)


@pages.post("/transfers/{transfer_id}/outcome", response_class=HTMLResponse)
async def outcome_form(transfer_id: RowId, request: Request, container: ContainerDep, actor: Transferrer) -> Response:
    body = await _form(request, OutcomeIn)
    now = container.clock.now()
    services.record_outcome_by_hand(uow(container), transfer_id, body.outcome, actor, now, body.status)
    found = _found(container, transfer_id)
    ctx = section_context(container, found["case_id"], CaseStatus.TRANSFERRED.value, actor)
    return fragment(request, container, "transfers/_section.html", events={"gg-toast": "已记录转办结果"}, **ctx)
