"""The screens' case lists as partials rendered on the server: the dispatcher's queue, the inbox of a
department, street or community, a resident's own cases and a grid worker's cases.

Each screen draws its list into the page on the first load; the list then refreshes itself (htmx) after a
filter changes, a page turns or a case changes. The statuses each list shows live in screens.domain."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from gridgov.accounts.queries import identity
from gridgov.actor import Actor, Role
from gridgov.cases import queries, search
from gridgov.cases.facts import case_facts
from gridgov.cases.guards import ActorFacts, actions_for
from gridgov.cases.models import Case, CaseTask
from gridgov.categories.models import Category
from gridgov.errors import GridgovError, PermissionDenied
from gridgov.grids.domain import prefix_of
from gridgov.notify import follows
from gridgov.screens.domain import (
    INBOX_FILTERS,
    QUEUE_FILTERS,
    QUEUE_REVIEW,
    SCREENS,
    TO_RATE,
    WAITING,
    WORKER_ACTIONS,
    WORKER_OPEN,
    WORKER_VERIFY,
)
from gridgov.units.models import Unit
from gridgov.web.deps import MAX_ID, PageNo, Runtime, get_actor, get_container
from gridgov.web.render import PageRoute, fragment

router = APIRouter(include_in_schema=False, route_class=PageRoute)
QUEUE_PAGE_SIZE = 50
MY_PAGE_SIZE = 50


def reader(name: str) -> Any:
    """The screen's own readers only (the API checks each case's scope as well)."""

    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        if actor.role not in SCREENS[name].roles:
            raise PermissionDenied()
        return actor

    return Depends(check)


Container = Annotated[Runtime, Depends(get_container)]


def _cases(container: Runtime, actor: Actor, f: queries.CaseFilter, page: int, page_size: int) -> dict[str, Any]:
    """A page of the list, each case with the names of its category, grid and unit beside the codes."""
    with container.sessions() as session:
        found = queries.list_cases(session, f, actor, container.clock.now(), page, page_size)
        return {**found, "items": search.with_names(session, found["items"])}


def _search(container: Runtime, actor: Actor, q: str) -> dict[str, Any]:
    """The cases in scope that match `q` (查询编号, phone, text), newest first; a bad query is its message."""
    try:
        with container.sessions() as session:
            return {**search.search_cases(session, actor, q), "error": ""}
    except GridgovError as exc:
        return {"query": q, "kind": "", "items": [], "more": False, "error": exc.message}


# -- the dispatcher's queue ----------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueFilters:
    status: str = WAITING
    district: str = ""
    street: str = ""
    unit: str = ""
    category: str = ""
    overdue: bool = False
    needs_review: bool = False
    page: int = 1
    selected: frozenset[int] = field(default_factory=frozenset)  # kept ticked after a bulk action
    q: str = ""  # a search (查询编号, phone, text) instead of the filters

    def query(self, **changes: Any) -> str:
        f = replace(self, **changes)
        params: list[tuple[str, str]] = [("status", f.status)]
        params += [(k, getattr(f, k)) for k in ("district", "street", "unit", "category", "q") if getattr(f, k)]
        params += [(k, "true") for k in ("overdue", "needs_review") if getattr(f, k)]
        params += [("page", str(f.page))] + [("selected", str(i)) for i in sorted(f.selected)]
        return urlencode(params)


def queue_context(container: Runtime, actor: Actor, f: QueueFilters) -> dict[str, Any]:
    error = ""
    if f.q.strip():
        found = _search(container, actor, f.q)
        return {
            "cases": found["items"],
            "total": len(found["items"]),
            "error": found["error"],
            "searched": found,
            "page": 1,
            "pages": 1,
            "selected": f.selected,
            "here": f.query(selected=frozenset()),
            "prev": "",
            "next": "",
        }
    try:
        # a street of another district (the district just changed, the street list not yet) is not used
        street = f.street if f.street and (not f.district or f.street.startswith(prefix_of(f.district))) else ""
        case_filter = queries.CaseFilter(
            status=f.status or None,
            grid=street or f.district or None,
            unit=f.unit.strip() or None,
            category=f.category.strip() or None,
            overdue=True if f.overdue else None,
            needs_review=True if f.needs_review else None,
        )
        found = _cases(container, actor, case_filter, f.page, QUEUE_PAGE_SIZE)
    except (GridgovError, ValueError, KeyError) as exc:  # e.g. an unknown unit code typed into the filter
        error = exc.message if isinstance(exc, GridgovError) else "网格编码不合法"
        found = {"items": [], "total": 0, "page": f.page, "page_size": QUEUE_PAGE_SIZE}
    pages = max(1, -(-found["total"] // QUEUE_PAGE_SIZE))
    return {
        "cases": found["items"],
        "total": found["total"],
        "error": error,
        "searched": None,
        "page": f.page,
        "pages": pages,
        "selected": f.selected,
        "here": f.query(selected=frozenset()),
        "prev": f.query(page=f.page - 1, selected=frozenset()),
        "next": f.query(page=f.page + 1, selected=frozenset()),
    }


def queue_page(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
    return {
        "filters": QUEUE_FILTERS,
        "waiting": WAITING,
        "review_status": QUEUE_REVIEW,
        **queue_context(container, actor, QueueFilters()),
    }


Code = Annotated[str, Query(max_length=40)]
SearchText = Annotated[str, Query(max_length=search.MAX_QUERY)]
Flag = Annotated[str, Query(pattern="^(true|false|)$")]  # a form sends an empty field as ""


@router.get("/queue/rows", response_class=HTMLResponse)
def queue_rows(
    request: Request,
    container: Container,
    actor: Annotated[Actor, reader("queue")],
    status: Annotated[str, Query(max_length=200)] = "",
    district: Code = "",
    street: Code = "",
    unit: Code = "",
    category: Code = "",
    overdue: Flag = "",
    needs_review: Flag = "",
    page: PageNo = 1,
    selected: Annotated[list[Annotated[int, Query(ge=1, le=MAX_ID)]] | None, Query(max_length=200)] = None,
    q: SearchText = "",
) -> Response:
    ticked = frozenset(selected or ())
    f = QueueFilters(
        status, district, street, unit, category, overdue == "true", needs_review == "true", page, ticked, q
    )
    return fragment(request, container, "screens/_queue_list.html", **queue_context(container, actor, f))


# -- the inbox of a department, street office or community ---------------------------------------------
def actionable(container: Runtime, actor: Actor, ids: list[int]) -> set[int]:
    """The cases among `ids` on which this person can do something now (the same guards as the case panel's
    allowed_actions), worked out for the whole list at once: the cases, their tasks and categories in three
    queries."""
    if not ids:
        return set()
    with container.sessions() as session:
        cases = session.scalars(select(Case).where(Case.id.in_(ids))).all()
        tasks: dict[int, list[tuple[CaseTask, str | None]]] = {}
        for task, name in session.execute(
            select(CaseTask, Unit.name).join(Unit, Unit.id == CaseTask.unit_id).where(CaseTask.case_id.in_(ids))
        ):
            tasks.setdefault(task.case_id, []).append((task, name))
        codes = {c.category_code for c in cases if c.category_code}
        categories = {c.code: c for c in session.scalars(select(Category).where(Category.code.in_(codes)))}
        grids = identity(container.sessions, actor)["grid_prefixes"] if actor.role is Role.GRID_WORKER else []
    me = ActorFacts.of(actor, grids)
    return {
        c.id
        for c in cases
        if actions_for(case_facts(c, tasks.get(c.id, []), categories.get(c.category_code or "")), me)
    }


def inbox_context(container: Runtime, actor: Actor, status: str, q: str = "") -> dict[str, Any]:
    if q.strip():
        found = _search(container, actor, q)
        items, searched = found["items"], found
    else:
        items, searched = _cases(container, actor, queries.CaseFilter(status=status), 1, 200)["items"], None
    mine = actionable(container, actor, [c["id"] for c in items])
    return {
        "cases": items,
        "to_act": [c for c in items if c["id"] in mine],  # what this unit can act on now
        "watching": [c for c in items if c["id"] not in mine],  # in its area or on its record, nothing to do
        "status": status,
        "q": q if searched else "",
        "searched": searched,
    }


def inbox_page(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
    return {"filters": INBOX_FILTERS, **inbox_context(container, actor, INBOX_FILTERS[0][0])}


@router.get("/inbox/items", response_class=HTMLResponse)
def inbox_items(
    request: Request,
    container: Container,
    actor: Annotated[Actor, reader("inbox")],
    status: Annotated[str, Query(max_length=200)] = INBOX_FILTERS[0][0],
    q: SearchText = "",
) -> Response:
    return fragment(request, container, "screens/_inbox_list.html", **inbox_context(container, actor, status, q))


# -- a resident's own cases ------------------------------------------------------------------------------
def my_context(container: Runtime, actor: Actor, shown: int) -> dict[str, Any]:
    found = _cases(container, actor, queries.CaseFilter(), 1, MY_PAGE_SIZE * shown)
    followed = follows.of_user(container.sessions, actor.user_id) if actor.user_id else []
    return {"cases": found["items"], "total": found["total"], "shown": shown, "to_rate": TO_RATE, "follows": followed}


def my_page(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
    return my_context(container, actor, 1)


@router.get("/my/items", response_class=HTMLResponse)
def my_items(
    request: Request,
    container: Container,
    actor: Annotated[Actor, reader("my")],
    shown: Annotated[int, Query(ge=1, le=10)] = 1,
) -> Response:
    return fragment(request, container, "screens/_my_list.html", **my_context(container, actor, shown))


# -- a grid worker's cases -------------------------------------------------------------------------------
def worker_context(container: Runtime, actor: Actor) -> dict[str, Any]:
    handled = _cases(container, actor, queries.CaseFilter(status=WORKER_VERIFY), 1, 100)
    running = _cases(container, actor, queries.CaseFilter(status=WORKER_OPEN), 1, 100)
    # only the grids assigned to me are mine to verify (the rest of the community's cases are for reading)
    mine = identity(container.sessions, actor)["grid_prefixes"]
    verifiable = [c for c in handled["items"] if c["grid_code"] and any(c["grid_code"].startswith(p) for p in mine)]
    return {"to_verify": verifiable, "running": running["items"], "panel_query": f"?only={WORKER_ACTIONS}"}


def worker_page(request: Request, container: Runtime, actor: Actor) -> dict[str, Any]:
    return worker_context(container, actor)


@router.get("/worker/items", response_class=HTMLResponse)
def worker_items(request: Request, container: Container, actor: Annotated[Actor, reader("worker")]) -> Response:
    return fragment(request, container, "screens/_worker_lists.html", **worker_context(container, actor))


# -- search from any staff screen (the hotline console's look-up) ------------------------------------------
SEARCH_SCREENS = ("queue", "inbox", "hotline", "worker", "dashboard")


def searcher(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    if not any(actor.role in SCREENS[name].roles for name in SEARCH_SCREENS):
        raise PermissionDenied()
    return actor


@router.get("/search/items", response_class=HTMLResponse)
def search_items(
    request: Request,
    container: Container,
    actor: Annotated[Actor, Depends(searcher)],
    q: SearchText = "",
) -> Response:
    """The matching cases as a list of links to their pages (the hotline console: 该号码/该地址的已有案件)."""
    found = _search(container, actor, q) if q.strip() else None
    return fragment(request, container, "screens/_search_results.html", searched=found)
