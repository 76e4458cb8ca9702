"""The screens of 建议提案, rendered on the server through web.render (Jinja + htmx): the list, which is the office's
tracking list, a unit's inbox or a deputy's "my items" by who signs in (/proposals); the overdue lists
(/proposals/overdue); a batch's report (/proposals/report); an item's page with the forms its guards offer
(/proposals/{id}), each form sent by htmx to /proposals/{id}/panel, which applies the step through the same
service as the API and draws the item again."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from gridgov.actor import Actor
from gridgov.errors import ValidationFailed
from gridgov.proposals import queries, services, views
from gridgov.proposals.commands import Refer
from gridgov.proposals.domain import (
    AUTHORS,
    CLASS_LABELS,
    CONTACT_LABELS,
    OFFICE,
    RATING_LABELS,
    READ_ALL,
    READERS,
    UNIT_ROLES,
    Action,
    StatusKind,
)
from gridgov.proposals.guards import actions_for
from gridgov.proposals.queries import ProposalFilter
from gridgov.proposals.repository import SqlProposalsUnitOfWork
from gridgov.proposals.rules import limits_from
from gridgov.proposals.schemas import ActionIn, ProposalCreate
from gridgov.proposals.services.common import facts_of, today_of
from gridgov.web.deps import ContainerDep, CurrentActor, RowId, Runtime
from gridgov.web.render import PageRoute, add_filters, fragment, page

router = APIRouter()
router.include_router(views.router)  # the entry point adds one router: the JSON routes and the pages
pages = APIRouter(include_in_schema=False, route_class=PageRoute)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


add_filters(pp_pct=percent)

STATUS_TABS = [
    ("", "全部"),
    (StatusKind.WAITING.value, "待交办"),
    (StatusKind.HANDLING.value, "办理中"),
    (StatusKind.ANSWERED.value, "已答复"),
    (StatusKind.CLOSED.value, "已办结/已转办"),
]


def heading(actor: Actor) -> str:
    if actor.role in AUTHORS:
        return "我的建议提案"
    if actor.role in UNIT_ROLES:
        return "承办件 · 待办"
    return "建议提案 · 交办与跟踪"


@pages.get("/proposals", response_class=HTMLResponse)
def list_page(
    request: Request,
    container: ContainerDep,
    f: Annotated[ProposalFilter, Depends(views.proposal_filter)],
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        today = today_of(c.clock.now())
        with c.sessions() as session:
            found = queries.list_proposals(session, actor, f, today, page_no, 50)
            batches = queries.batches(session)
            cases = {
                i["id"]: queries.case_status(session, i["case_id"]) for i in found["items"] if i["case_id"] is not None
            }
            stations = (
                queries.member_grids(session, actor.user_id)
                if actor.role in AUTHORS and actor.user_id is not None
                else []
            )
        pages_total = max(1, -(-found["total"] // 50))
        rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page" and v])
        return {
            "found": found,
            "f": f,
            "batches": batches,
            "tabs": STATUS_TABS,
            "heading": heading(actor),
            "office": actor.role in OFFICE,
            "deputy": actor.role in AUTHORS,
            "reader_all": actor.role in READ_ALL,
            "cases": cases,
            "stations": stations,
            "today": today.isoformat(),
            "page_no": page_no,
            "pages": pages_total,
            "rest": rest,
        }

    return page(request, container, READERS, "proposals/list.html", "建议提案", context)


@pages.get("/proposals/overdue", response_class=HTMLResponse)
def overdue_page(
    request: Request,
    container: ContainerDep,
    batch: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9\-_]*$")] = None,
) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            late = queries.overdue(session, actor, today_of(c.clock.now()), batch or None)
            batches = queries.batches(session)
        return {"late": late, "batches": batches, "batch": batch or ""}

    return page(request, container, READERS, "proposals/overdue.html", "建议提案 · 逾期清单", context)


@pages.get("/proposals/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    container: ContainerDep,
    batch: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9\-_]*$")] = None,
) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            batches = queries.batches(session)
            code = batch or (batches[0]["code"] if batches else None)
            rep = queries.report(session, code, today_of(c.clock.now())) if code else None
        return {"rep": rep, "batches": batches, "batch": code}

    return page(request, container, READ_ALL, "proposals/report.html", "建议提案 · 办理情况", context)


def panel_context(container: Runtime, actor: Actor, proposal_id: int) -> dict[str, Any]:
    today = today_of(container.clock.now())
    with container.sessions() as session:
        item = queries.proposal_detail(session, actor, proposal_id, today)
        events = queries.proposal_events(session, actor, proposal_id)
        units = queries.unit_options(session) if actor.role in OFFICE else []
    uow = SqlProposalsUnitOfWork(container.uow(write=False))
    with uow:
        row = uow.proposals.get(proposal_id)
        assert row is not None
        offered = actions_for(facts_of(uow, row), actor)
    return {
        "p": item,
        "record": events[::-1],
        "units": units,
        "offered": [a.value for a in offered],
        "labels": {a.value: a.label for a in Action},
        "classes": [(k.value, v) for k, v in CLASS_LABELS.items()],
        "ratings": [(k.value, v) for k, v in RATING_LABELS.items()],
        "methods": [(k.value, v) for k, v in CONTACT_LABELS.items()],
        "today": today.isoformat(),
    }


@pages.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def detail_page(request: Request, container: ContainerDep, proposal_id: RowId) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        return panel_context(c, actor, proposal_id)

    return page(request, container, READERS, "proposals/detail.html", "建议提案 · 详情", context)


def _promises(text: str) -> list[dict[str, str]]:
    """The answer form's promises: one a line, "YYYY-MM-DD 事项"."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, _, what = line.strip().partition(" ")
        if not what.strip():
            raise ValidationFailed(f"承诺事项第 {n} 行须为「YYYY-MM-DD 事项」", field="promises")
        out.append({"due_on": day, "text": what.strip()})
    return out


def _body(form: dict[str, str]) -> ActionIn:
    fields: dict[str, Any] = {k: v for k, v in form.items() if v != ""}
    if "co_units" in fields:
        fields["co_units"] = [u for u in fields["co_units"].replace("，", ",").split(",") if u.strip()]
    if "promises" in fields:
        fields["promises"] = _promises(fields["promises"])
    if "public" in fields:
        fields["public"] = fields["public"] == "yes"
    for key in ("version", "promise_id"):
        if key in fields:
            try:
                fields[key] = int(fields[key])
            except ValueError:
                raise ValidationFailed(f"{key} 须为数字", field=key) from None
    try:
        return ActionIn.model_validate(fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(map(str, problem["loc"]))
        raise ValidationFailed(f"请求参数不合法: {where}", field=str(problem["loc"][0])) from None


@router.post("/proposals/opinions", response_class=HTMLResponse, include_in_schema=False)
async def report_opinion(request: Request, container: ContainerDep, actor: CurrentActor) -> Response:
    """A deputy's 社情民意 from their page (numbered as it comes in); the list is drawn again."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    try:
        body = ProposalCreate.model_validate(
            {"batch": form.get("batch", ""), "kind": "opinion", "title": form.get("title", ""),
             "body": form.get("body", ""), "grid_code": form.get("grid_code") or None}
        )  # fmt: skip
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ValidationFailed(f"请填写: {problem['loc'][0]}", field=str(problem["loc"][0])) from None
    draft = services.ProposalDraft(**{**body.model_dump(), "authors": ()})
    pid = await run_in_threadpool(
        services.register_proposal, SqlProposalsUnitOfWork(container.uow()), draft, actor, container.clock.now()
    )
    response = fragment(
        request, container, "proposals/_reported.html", events={"gg-toast": "社情民意已报送"}, proposal_id=pid
    )
    response.headers["HX-Refresh"] = "true"
    return response


@router.post("/proposals/{proposal_id}/panel", response_class=HTMLResponse, include_in_schema=False)
async def panel_action(proposal_id: RowId, request: Request, container: ContainerDep, actor: CurrentActor) -> Response:
    """One step from the item's page (the browser session sends its CSRF token, as for the API)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    body = _body(form)

    def apply() -> dict[str, Any]:
        command = body.to_command()
        now = container.clock.now()
        if isinstance(command, Refer):
            services.refer_opinion(
                lambda: SqlProposalsUnitOfWork(container.uow()), proposal_id, command, actor, now, container.policy
            )
        else:
            services.apply_action(
                SqlProposalsUnitOfWork(container.uow()),
                proposal_id,
                command,
                actor,
                now,
                limits_from(container.settings),
                container.calendar.is_working_day,
                body.version,
            )
        return panel_context(container, actor, proposal_id)

    ctx = await run_in_threadpool(apply)
    label = Action(body.action).label
    events = {"gg-toast": f"{label} 成功 · {ctx['p']['status_label']}"}
    return fragment(request, container, "proposals/_panel.html", events=events, **ctx)


router.include_router(pages)
