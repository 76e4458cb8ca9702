"""The screens of 三个一批, rendered on the server through web.render: the project list with its filters and map
(/projects), a project's page with its stages, evidence and blockers (/projects/{id}) and a phase's dashboard
(/projects/phases/{n}). Small controllers in /static/projects/ draw the map and the charts from the data the
page carries and send the forms the server chose to offer (the same guards that decide the API)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.actor import Actor
from gridgov.projects import queries, views
from gridgov.projects.domain import (
    BLOCKER_LABELS,
    FUNDING_LABELS,
    LIST_LABELS,
    READERS,
    SECTOR_LABELS,
    SIZE_LABELS,
    STATUS_LABELS,
    WAN_PER_YI,
    Action,
    BlockerKind,
)
from gridgov.projects.guards import actions_for
from gridgov.projects.models import Project
from gridgov.projects.queries import ProjectFilter
from gridgov.projects.rules import shipped_rules
from gridgov.projects.services.common import facts_of
from gridgov.web.deps import ContainerDep, RowId, Runtime
from gridgov.web.render import PageRoute, add_filters, page

router = APIRouter()
router.include_router(views.router)  # the entry point adds one router: the JSON routes and the pages
pages = APIRouter(include_in_schema=False, route_class=PageRoute)


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def yi_text(wan: int | float | None) -> str:
    """万元 → 亿元 as the pages show it: two decimals."""
    return "—" if wan is None else f"{wan / WAN_PER_YI:,.2f}"


add_filters(pj_pct=percent, pj_yi=yi_text)


@pages.get("/projects", response_class=HTMLResponse)
def project_list_page(
    request: Request,
    container: ContainerDep,
    f: Annotated[ProjectFilter, Depends(views.project_filter)],
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            found = queries.list_projects(session, f, page_no, 50)
            districts = queries.district_options(session)
            phases = queries.phase_numbers(session)
        query = str(request.url.query)
        rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page" and v])
        pages_total = max(1, -(-found["total"] // 50))

        def link(n: int) -> str | None:
            return f"/projects?{rest}{'&' if rest else ''}page={n}" if 1 <= n <= pages_total else None

        return {
            "found": found,
            "f": f,
            "districts": districts,
            "phases": phases,
            "sectors": [(k.value, v) for k, v in SECTOR_LABELS.items()],
            "statuses": [(k.value, v) for k, v in STATUS_LABELS.items()],
            "fundings": [(k.value, v) for k, v in FUNDING_LABELS.items()],
            "sizes": [(k.value, v) for k, v in SIZE_LABELS.items()],
            "lists": [(k.value, v) for k, v in LIST_LABELS.items()],
            "query": query,
            "latest": phases[-1] if phases else None,
            "pages": pages_total,
            "page_no": page_no,
            "prev_url": link(page_no - 1),
            "next_url": link(page_no + 1),
        }

    return page(request, container, READERS, "projects/list.html", "三个一批", context)


@pages.get("/projects/phases", response_class=HTMLResponse)
def latest_phase_page(request: Request, container: ContainerDep) -> Response:
    with container.sessions() as session:
        latest = queries.latest_phase(session)
    if latest is None:
        return RedirectResponse("/projects", status_code=303)
    return RedirectResponse(f"/projects/phases/{latest}", status_code=303)


@pages.get("/projects/phases/{number}", response_class=HTMLResponse)
def phase_page(request: Request, container: ContainerDep, number: RowId) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            board = queries.phase_dashboard(session, number, shipped_rules().weights)
            numbers = queries.phase_numbers(session)
        chart = {
            "districts": [d["district_name"] for d in board["rates"]["districts"]],
            "rates": [
                {"key": m["key"], "label": m["label"], "values": [d[m["key"]] for d in board["rates"]["districts"]]}
                for m in board["four"]
            ],
            "plan": [d["plan_yi"] for d in board["rates"]["districts"]],
            "done": [d["done_yi"] for d in board["rates"]["districts"]],
            "trend": board["trend"],
        }
        return {"board": board, "chart": chart, "numbers": numbers}

    return page(request, container, READERS, "projects/phase.html", "三个一批 · 期次看板", context)


@pages.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, container: ContainerDep, project_id: RowId) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            project = queries.project_detail(session, project_id)
            events = queries.project_events(session, project_id)
            phases = queries.phase_numbers(session)
            row = session.get(Project, project_id)
            assert row is not None
            offered = actions_for(facts_of(row), actor)
        rules = shipped_rules()
        return {
            "p": project,
            "events": events[::-1],
            "offered": [a.value for a in offered],
            "labels": {a.value: a.label for a in Action},
            "phases": phases,
            "blocker_kinds": [(k.value, BLOCKER_LABELS[k]) for k in BlockerKind],
            "required": {a.value: list(kinds) for a, kinds in rules.evidence_required.items()},
            "photo_limit": rules.photo_max_distance_m,
            "page_data": {
                "id": project["id"],
                "version": project["version"],
                "lat": project["lat"],
                "lon": project["lon"],
                "name": project["name"],
            },
        }

    return page(request, container, READERS, "projects/detail.html", "三个一批 · 项目", context)


router.include_router(pages)
