"""The case panel rendered on the server, and the queue's bulk endpoint.

The panel shows a case's facts and tasks and one form for each action the server lets this person take now
(`allowed_actions`, decided by gridgov.cases.domain.actions_for): a page swaps it in (htmx), its forms post
back here, and the panel comes back drawn again. Every label comes from the case domain. Jinja2 escapes all
text."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from gridgov.accounts.domain import Actor, Role
from gridgov.cases import queries, search, services
from gridgov.cases.bulk import MAX_CASES, BulkAction, BulkResult, run_bulk
from gridgov.cases.domain import (
    ACTION_LABELS,
    STATUS_LABELS,
    Action,
    AppealKind,
    CaseStatus,
    Satisfaction,
    StatusKind,
    check_role,
)
from gridgov.cases.schemas import CaseAction
from gridgov.cases.views import log_personal_data_view
from gridgov.clock import TimeUnit
from gridgov.errors import ValidationFailed
from gridgov.grids.models import Grid
from gridgov.units.queries import list_unit_rows
from gridgov.web import messages
from gridgov.web.deps import MAX_ID, ContainerDep, CurrentActor, RowId, Runtime
from gridgov.web.pinyin import initials
from gridgov.web.render import PageRoute, add_filters, fragment

router = APIRouter(route_class=PageRoute)

# labels the case domain does not carry yet (kept here once, on the server; no page script has a copy)
TASK_ROLE_LABELS = {"primary": "主办", "assist": "协办", "whistle": "吹哨报到"}
TASK_STATUS_LABELS = {
    "pending": "待签收/待报到",
    "accepted": "已签收/已报到",
    "fed_back": "已反馈",
    "returned": "已退回",
    "cancelled": "已撤销",
}
TIME_UNIT_LABELS = {TimeUnit.WORKING_DAYS: "工作日", TimeUnit.HOURS: "小时", TimeUnit.MINUTES: "分钟"}
SOURCE_LABELS = {
    "web": "网站",
    "hotline": "12345 热线",
    "app": "App",
    "miniprogram": "小程序",
    "patrol": "网格员巡查",
    "open311": "Open311",
    "campaign": "意见征集",
    "transfer": "外部转入",
    "other": "其他",
}
RATINGS = [("5", "5 很好"), ("4", "4 好"), ("3", "3 一般"), ("2", "2 差"), ("1", "1 很差")]
LIST_FIELDS = frozenset({"evidence", "department_codes", "assist_unit_codes"})


def status_label(value: str | None) -> str:
    try:
        return STATUS_LABELS[CaseStatus(value)] if value else ""
    except ValueError:
        return value or ""


def status_closed(value: str | None) -> bool:
    try:
        return CaseStatus(value or "").kind is StatusKind.CLOSED
    except ValueError:
        return False


def action_label(value: str) -> str:
    try:
        return ACTION_LABELS[Action(value)]
    except ValueError:
        return value


def satisfaction_label(value: str | None) -> str:
    try:
        return Satisfaction(value or "").label
    except ValueError:
        return value or ""


add_filters(
    status_label=status_label,
    status_closed=status_closed,
    action_label=action_label,
    satisfaction=satisfaction_label,
    source=lambda v: SOURCE_LABELS.get(v, v or ""),
    task_role=lambda v: TASK_ROLE_LABELS.get(v, v),
    task_status=lambda v: TASK_STATUS_LABELS.get(v, v),
    time_unit=lambda v: TIME_UNIT_LABELS.get(v, v),
)


class PanelView(BaseModel):
    """How a screen shows the panel: only some of the actions (the grid worker verifies), without the heading
    and the facts (the case page shows those itself)."""

    only: frozenset[str] | None = None
    heading: bool = True
    facts: bool = True

    @classmethod
    def parse(cls, only: str | None, heading: bool, facts: bool) -> PanelView:
        wanted = frozenset(a for a in (only or "").split(",") if a) or None
        return cls(only=wanted, heading=heading, facts=facts)

    def query(self) -> str:
        params: dict[str, str] = {}
        if self.only:
            params["only"] = ",".join(sorted(self.only))
        if not self.heading:
            params["heading"] = "false"
        if not self.facts:
            params["facts"] = "false"
        return urlencode(params)


def _departments(container: Runtime, case: dict[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    """Whom a whistle may summon, grouped for the searchable picker: the city's departments, then the bureaus of
    the case's district (each option with its pinyin initials, worked out here, for the filter box)."""
    district = case["grid_code"][:6] if case.get("grid_code") else None
    groups: list[tuple[str, list[dict[str, str]]]] = []
    name = None
    with container.sessions() as session:
        city = list_unit_rows(session, "city_department", None, None, 500)
        bureaus = []
        if district:
            try:
                bureaus = list_unit_rows(session, "district_bureau", district, None, 500)
            except ValidationFailed:  # no such district unit
                bureaus = []
            name = session.scalars(select(Grid.name).where(Grid.code == district.ljust(15, "0"))).first()

    def options(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{"code": u["code"], "name": u["name"], "initials": initials(u["name"])} for u in rows]

    if city:
        groups.append(("市级部门", options(city)))
    if bureaus:
        groups.append((name or district or "区级部门", options(bureaus)))
    return groups


def panel_context(container: Runtime, case: dict[str, Any], view: PanelView, actor: Actor) -> dict[str, Any]:
    actions = [a for a in case["allowed_actions"] if view.only is None or a in view.only]
    working = ("pending", "accepted")
    query = view.query()
    return {
        "c": case,
        "view": view,
        "actions": actions,
        "post_url": f"/cases/{case['id']}/panel" + (f"?{query}" if query else ""),
        "panel_url": f"/cases/{case['id']}/panel" + (f"?{query}" if query else ""),
        "helpers_open": case["status"] == CaseStatus.HANDLED.value
        and any(t["role"] != "primary" and t["status"] in working for t in case["tasks"]),
        "departments": _departments(container, case) if "whistle" in actions else [],
        "satisfaction": [(s.value, s.label) for s in Satisfaction],
        "time_units": list(TIME_UNIT_LABELS.items()),
        "ratings": RATINGS,
        "appeal_kinds": [(k.value, k.label) for k in AppealKind],  # 12345 operations (issue 17)
        # the reporter adds photos while the case is open, signed in (a resident sees only their own cases);
        # the one-off right of an anonymous report is for the receipt page
        "add_photos": actor.role is Role.RESIDENT and case["status_kind"] == StatusKind.OPEN.value,
        "staff": actor.role not in queries.PUBLIC_ROLES,  # the classifier's proposals are for staff only
    }


def _panel(
    request: Request, container: Runtime, actor: CurrentActor, case_id: int, view: PanelView, **extra: Any
) -> Response:
    with container.sessions() as session:
        case = queries.case_detail(session, case_id, actor, container.clock.now())
    log_personal_data_view(container, actor, case)  # the panel shows what the API would
    return fragment(request, container, "cases/_panel.html", **panel_context(container, case, view, actor), **extra)


Only = Annotated[str | None, Query(max_length=400, pattern="^[a-z_,]*$")]


@router.get("/cases/{case_id}/panel", response_class=HTMLResponse, include_in_schema=False)
def case_panel(
    case_id: RowId,
    request: Request,
    container: ContainerDep,
    actor: CurrentActor,
    only: Only = None,
    heading: bool = True,
    facts: bool = True,
) -> Response:
    return _panel(request, container, actor, case_id, PanelView.parse(only, heading, facts))


ACTION_BODY: TypeAdapter[Any] = TypeAdapter(CaseAction)


def _action_from_form(form: Any) -> Any:
    """A panel form → the API's action body (the same validation as POST /api/v1/cases/{id}/actions)."""
    body: dict[str, Any] = {}
    for name in form:
        values = [v for v in form.getlist(name) if isinstance(v, str) and v != ""]
        if name in LIST_FIELDS:
            body[name] = values
        elif values:
            body[name] = values[0]
    try:
        action = Action(str(body.get("action", "")))
    except ValueError:
        raise ValidationFailed(f"未知操作: {body.get('action')}", field="action") from None
    return action, body


def _case_id_of(container: Runtime, actor: CurrentActor, code: str) -> int:
    """The case a 查询编号 names, within the reader's scope (a bare number is taken as the case's id)."""
    typed = code.strip()
    if typed.isdigit():
        return int(typed)
    with container.sessions() as session:
        try:
            found = search.search_cases(session, actor, typed, limit=1)
        except ValidationFailed:
            found = {"kind": "", "items": []}
    if found["kind"] != "tracking_code" or not found["items"]:
        raise ValidationFailed(f"主案不存在或不在您的范围内: {typed}", field="into_case_id")
    return int(found["items"][0]["id"])


def _validated(body: dict[str, Any]) -> Any:
    try:
        return ACTION_BODY.validate_python(body)
    except ValidationError as exc:
        raise ValidationFailed("请求参数不合法", problems=messages.problems(exc.errors())) from None


@router.post("/cases/{case_id}/panel", response_class=HTMLResponse, include_in_schema=False)
async def case_panel_action(
    case_id: RowId,
    request: Request,
    container: ContainerDep,
    actor: CurrentActor,  # a browser session sends its CSRF token (X-CSRF-Token), as for the API
    only: Only = None,
    heading: bool = True,
    facts: bool = True,
) -> Response:
    action, fields = _action_from_form(await request.form())
    check_role(action, actor.role)  # a wrong role is 403 before its fields are looked at, as for the API
    if "into_tracking_code" in fields:  # 并案 names the main case by its 查询编号 (or a pick from the hints)
        fields["into_case_id"] = await run_in_threadpool(
            _case_id_of, container, actor, fields.pop("into_tracking_code")
        )
    body = _validated(fields)
    return _apply_and_draw(request, container, actor, case_id, body, PanelView.parse(only, heading, facts))


def _apply_and_draw(
    request: Request, container: Runtime, actor: CurrentActor, case_id: int, body: Any, view: PanelView
) -> Response:
    services.apply_action(
        container.uow(),
        case_id,
        body.to_command(),
        actor,
        container.clock.now(),
        container.calendar,
        container.policy,
        expected_version=body.version,
    )
    with container.sessions() as session:
        case = queries.case_detail(session, case_id, actor, container.clock.now())
    log_personal_data_view(container, actor, case)
    events = {
        "gg-toast": f"{action_label(body.action)} 成功 · {case['status_label']}",
        "gg-changed": {"case_id": case_id, "status": case["status"]},
    }
    context = panel_context(container, case, view, actor)
    return fragment(request, container, "cases/_panel.html", events=events, **context)


# -- the queue's bulk register / dispatch / merge --------------------------------------------------------
class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=MAX_CASES)
    action: BulkAction = Field(description="register、register_dispatch (未立案的先立案再派遣) 或 merge")
    unit_code: str | None = Field(default=None, min_length=1, max_length=40, description="派遣单位; 不填按权属")
    into_case_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="merge: 并入的主案")


class BulkItem(BaseModel):
    case_id: int
    ok: bool
    error_code: str | None = None
    message: str | None = None


@router.post(
    "/api/v1/cases/bulk",
    response_model=list[BulkItem],
    tags=["案件 cases"],
    summary="批量立案 / 立案并派遣 / 并案 (逐件办理, 逐件返回结果)",
)
def bulk(body: BulkRequest, container: ContainerDep, actor: CurrentActor) -> list[BulkResult]:
    now = container.clock.now()

    def look(case_id: int) -> dict[str, Any]:
        with container.sessions() as session:
            return queries.case_detail(session, case_id, actor, now)

    return run_bulk(
        container.uow_factory,
        look,
        body.case_ids,
        body.action,
        actor,
        now,
        container.calendar,
        container.policy,
        unit_code=body.unit_code,
        into_case_id=body.into_case_id,
    )
