"""Server-rendered case page: details and the responsibility chain with its integrity (Jinja2 escapes all text)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gridgov.audit.services import verify_case
from gridgov.cases import queries
from gridgov.cases.views import log_personal_data_view
from gridgov.web.deps import ContainerDep, CurrentActor, RowId

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("gridgov.web").joinpath("templates")))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: RowId, request: Request, container: ContainerDep, actor: CurrentActor) -> Any:
    with container.sessions() as session:
        case = queries.case_detail(session, case_id, actor, container.clock.now())
        events = queries.case_events(session, case_id, actor)
        problem = verify_case(session, case_id)
    log_personal_data_view(container, actor, case)
    return templates.TemplateResponse(
        request,
        "cases/detail.html",
        {
            "case": case,
            "events": events,
            "chain_ok": problem is None,
            "chain_problem": problem.problem if problem else "",
        },
    )
