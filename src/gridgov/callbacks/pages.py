"""The operators' 回访 screen (/callbacks): the queue drawn on the server; each call is a form that posts back
(htmx) and the queue comes back drawn again. Who may see it and who may call: callbacks.domain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from gridgov.accounts.privacy import record_view
from gridgov.actor import Actor
from gridgov.callbacks import queries
from gridgov.callbacks.domain import CALLBACK_ROLES, OUTCOME_LABELS, READ_ROLES
from gridgov.callbacks.repository import SqlCallbacksUnitOfWork
from gridgov.callbacks.schemas import AttemptIn
from gridgov.callbacks.services import record_attempt
from gridgov.cases.domain import Satisfaction
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.web import messages
from gridgov.web.deps import ContainerDep, CurrentActor, RowId, Runtime
from gridgov.web.render import PageRoute, fragment, page

router = APIRouter(include_in_schema=False, route_class=PageRoute)
TITLE = "回访"


def _context(container: Runtime, actor: Actor) -> dict[str, Any]:
    with container.sessions() as session:
        found = queries.queue(session, container.clock.now())
    if actor.role in CALLBACK_ROLES:  # the numbers are shown to call them: each view is on the access log
        now = container.clock.now()
        for row in found["open"]:
            if row["reporter_phone"]:
                record_view(container.uow(), actor, row["case_id"], ["reporter_name", "reporter_phone"], now)
    else:
        for row in found["open"] + found["done"]:
            row["reporter_phone"] = ""
    return {
        **found,
        "may_call": actor.role in CALLBACK_ROLES,
        "due_days": container.settings.callback_due_working_days,
        "outcomes": list(OUTCOME_LABELS.items()),
        "satisfaction": [(s.value, s.label) for s in Satisfaction],
    }


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks_page(request: Request, container: ContainerDep) -> Response:
    return page(request, container, READ_ROLES, "callbacks/queue.html", TITLE, lambda _r, c, a: _context(c, a))


@router.post("/callbacks/{callback_id}/attempts", response_class=HTMLResponse)
async def attempt(callback_id: RowId, request: Request, container: ContainerDep, actor: CurrentActor) -> Response:
    if actor.role not in CALLBACK_ROLES:
        raise PermissionDenied("只有话务员可以办理回访")
    form = await request.form()
    try:
        body = AttemptIn.model_validate({k: v for k, v in form.items() if isinstance(v, str) and v != ""})
    except ValidationError as exc:
        raise ValidationFailed("请求参数不合法", problems=messages.problems(exc.errors())) from None
    status = record_attempt(
        SqlCallbacksUnitOfWork(container.uow()),
        callback_id,
        body.outcome_value(),
        actor,
        container.clock.now(),
        container.calendar,
        container.policy,
        answers=body.answers(),
        note=body.note,
    )
    events = {"gg-toast": f"已记录: {body.outcome_value().label} · {status.label}"}
    return fragment(request, container, "callbacks/_queue.html", events=events, **_context(container, actor))
