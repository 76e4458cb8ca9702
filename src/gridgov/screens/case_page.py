"""The case page: details, the photos, the suggestion it came from, the responsibility chain with its
integrity, and the case panel (the actions this user may take now) drawn in place. It draws on several
features (cases, audit, media, campaigns), so it lives with the screens, above them all."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.callers.domain import READ_ROLES as CALLER_READERS
from gridgov.callers.views import case_card as caller_card
from gridgov.campaigns import queries as campaign_queries
from gridgov.campaigns.services import READ_ROLES as CAMPAIGN_READERS
from gridgov.cases import queries
from gridgov.cases.audit import verify_case
from gridgov.cases.pages import PanelView, panel_context
from gridgov.cases.search import public_timeline
from gridgov.cases.views import log_personal_data_view
from gridgov.errors import NotFound
from gridgov.media.queries import photos_of_case
from gridgov.notify import follows
from gridgov.transfers.domain import TRANSFER_ROLES
from gridgov.transfers.views import section_context as transfer_section
from gridgov.web.deps import ContainerDep, RowId
from gridgov.web.render import PageRoute, page_actor, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

DEADLINE_KEYS = {
    "response_due_at": "响应时限",
    "handle_due_at": "处置时限",
    "report_due_at": "报到时限",
    "due_at": "时限",
}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: RowId, request: Request, container: ContainerDep) -> Response:
    actor = page_actor(request, container)
    if actor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    with container.sessions() as session:
        case = queries.case_detail(session, case_id, actor, container.clock.now())
        events = queries.case_events(session, case_id, actor)
        problem = verify_case(session, case_id)
        photos = photos_of_case(session, case_id)
        origin = campaign_origin(session, case, actor.role in CAMPAIGN_READERS)
        # a resident follows the public timeline: no staff names, no internal notes, no audit wording
        public = {"timeline": public_timeline(session, case_id)} if actor.role in queries.PUBLIC_ROLES else None
    log_personal_data_view(container, actor, case)
    panel = panel_context(container, case, PanelView(heading=False, facts=False), actor)
    # 转办 (issue 17): staff of the 12345 centre see the section and its forms
    transfers = transfer_section(container, case_id, case["status"], actor) if actor.role in TRANSFER_ROLES else None
    caller = caller_card(container, case_id, actor) if actor.role in CALLER_READERS else None  # 重复来电
    return render(
        request,
        container,
        actor,
        "cases/detail.html",
        title=f"案件 {case['tracking_code']}",
        case=case,
        events=events,
        photos=photos,
        deadline_keys=DEADLINE_KEYS,
        chain_ok=problem is None,
        chain_problem=problem.problem if problem else "",
        origin=origin,
        public=public,
        transfer_section=transfers,
        caller_card=caller,
        following=follows.following_case(container.sessions, actor.user_id, case_id) if actor.user_id else None,
        **panel,
    )


def campaign_origin(session: Session, case: dict[str, Any], staff: bool) -> dict[str, Any] | None:
    """The suggestion a case was made from, if any: campaign staff and leaders get the staff screen, everyone else
    the public status page (reference and status only, no personal data)."""
    if case.get("source") != "campaign":
        return None
    try:
        found = campaign_queries.suggestion_of_case(session, case["id"])
    except NotFound:
        return None
    slug = found["campaign"]["slug"]
    url = f"/campaigns-admin?c={slug}&s={found['suggestion_id']}" if staff else f"/campaigns/{slug}/s/{found['ref']}"
    return {"ref": found["ref"], "title": found["campaign"]["title"], "url": url}
