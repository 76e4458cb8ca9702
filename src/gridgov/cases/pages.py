"""Server-rendered case page: details and the responsibility chain with its integrity (Jinja2 escapes all text)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from gridgov.audit.domain import verify_chain
from gridgov.cases import queries
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.views import log_personal_data_view
from gridgov.web.deps import ContainerDep, CurrentActor, RowId

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("gridgov.web").joinpath("templates")))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: RowId, request: Request, container: ContainerDep, actor: CurrentActor) -> Any:
    with container.sessions() as session:
        case = queries.case_detail(session, case_id, actor, container.clock.now())
        events = queries.case_events(session, case_id, actor)
        raw = (
            session.execute(
                select(
                    CaseEvent.id,
                    CaseEvent.seq,
                    CaseEvent.event_type,
                    CaseEvent.tag,
                    CaseEvent.action,
                    CaseEvent.from_status,
                    CaseEvent.to_status,
                    CaseEvent.actor_id,
                    CaseEvent.actor_role,
                    CaseEvent.unit_id,
                    CaseEvent.occurred_at,
                    CaseEvent.payload,
                    CaseEvent.prev_hash,
                    CaseEvent.hash,
                )
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.seq)
            )
            .mappings()
            .all()
        )
        head = session.scalar(select(Case.last_event_hash).where(Case.id == case_id)) or ""
    problem = verify_chain(case_id, case["tracking_code"], [dict(r) for r in raw], case["event_count"], head)
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
