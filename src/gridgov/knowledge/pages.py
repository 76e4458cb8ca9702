"""The knowledge base's screens, rendered on the server: the list with the department's review queue and 纠错
tasks (/knowledge), an article with its published text, every version and its record (/knowledge/articles/{id}),
and the live suggestions the hotline console swaps in as the operator types (/knowledge/suggest, htmx)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.actor import Actor, Role
from gridgov.errors import ValidationFailed
from gridgov.knowledge import queries, services, views
from gridgov.knowledge.domain import AUTHORS, FLAGGERS, READERS, Action, ArticleStatus, actions_for, refusal
from gridgov.knowledge.models import KnowledgeArticle
from gridgov.knowledge.services import facts_of
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role
from gridgov.web.render import PageRoute, fragment, page

router = APIRouter()
router.include_router(views.router)  # the entry point adds one router: the JSON routes and the pages
pages = APIRouter(include_in_schema=False, route_class=PageRoute)
Reader = Annotated[Actor, Depends(require_role(*READERS))]


@pages.get("/knowledge", response_class=HTMLResponse)
def knowledge_page(
    request: Request,
    container: ContainerDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(pattern="^(draft|in_review|published|expired)$")] = None,
) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        mine = actor.unit_id if actor.role is Role.DEPARTMENT else None
        with c.sessions() as session:
            found = queries.list_articles(session, status, None, q, 1, 200)
            queue = queries.review_queue(session, mine)
            flags = queries.flags_for(session, mine)
        hits = views.suggestions(c, q) if q else []
        return {
            "found": found,
            "queue": queue,
            "flags": flags,
            "hits": hits,
            "q": q or "",
            "status": status or "",
            "statuses": [(s.value, s.label) for s in ArticleStatus],
        }

    return page(request, container, READERS, "knowledge/list.html", "知识库", context)


@pages.get("/knowledge/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, container: ContainerDep, article_id: RowId) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        a = views.detail(c, article_id)
        with c.sessions() as session:
            row = session.get(KnowledgeArticle, article_id)
            assert row is not None
            facts = facts_of(row)
            offered = actions_for(facts, actor)
        may_resolve = refusal(Action.RESOLVE_FLAG, facts, actor) is None  # the owning department answers 纠错
        return {"a": a, "offered": [(x.value, x.label) for x in offered], "may_resolve": may_resolve}

    return page(request, container, READERS, "knowledge/article.html", "知识库 · 条目", context)


# -- the article page's buttons (issue 17): the review steps, 纠错 and its answer, through the API's own services --
STEPS = frozenset({Action.SUBMIT, Action.APPROVE, Action.SEND_BACK, Action.EXPIRE})
Author = Annotated[Actor, Depends(require_role(*AUTHORS))]
Flagger = Annotated[Actor, Depends(require_role(*FLAGGERS))]
Department = Annotated[Actor, Depends(require_role(Role.DEPARTMENT, Role.ADMIN))]


async def _field(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value.strip() if isinstance(value, str) else ""


def _reload() -> Response:
    return Response(status_code=204, headers={"HX-Refresh": "true"})  # htmx draws the page again


@pages.post("/knowledge/articles/{article_id}/steps", response_class=HTMLResponse)
async def step_form(request: Request, container: ContainerDep, article_id: RowId, actor: Author) -> Response:
    raw = await _field(request, "action")
    try:
        action = Action(raw)
    except ValueError:
        action = None
    if action not in STEPS:
        raise ValidationFailed(f"未知的审核步骤: {raw}", field="action")
    assert action is not None
    reason = await _field(request, "reason")
    services.review_step(views.uow(container), article_id, action, actor, container.clock.now(), reason, None)
    return _reload()


@pages.post("/knowledge/articles/{article_id}/flags", response_class=HTMLResponse)
async def flag_form(request: Request, container: ContainerDep, article_id: RowId, actor: Flagger) -> Response:
    reason = await _field(request, "reason")
    now = container.clock.now()
    days = views.flag_days(container)
    services.flag_article(views.uow(container), article_id, reason, actor, now, container.calendar, days=days)
    return _reload()


@pages.post("/knowledge/flags/{flag_id}/resolve", response_class=HTMLResponse)
async def resolve_form(request: Request, container: ContainerDep, flag_id: RowId, actor: Department) -> Response:
    resolution = await _field(request, "resolution")
    services.resolve_flag(views.uow(container), flag_id, resolution, actor, container.clock.now())
    return _reload()


@pages.get("/knowledge/suggest", response_class=HTMLResponse)
def suggest(
    request: Request,
    container: ContainerDep,
    _actor: Reader,
    title: Annotated[str, Query(max_length=200)] = "",
    description: Annotated[str, Query(max_length=5000)] = "",
) -> Response:
    """The five best articles for the caller's words so far (the operator picks one to answer from)."""
    text = f"{title} {description}".strip()[:500]
    hits = views.suggestions(container, text) if text else []
    return fragment(request, container, "knowledge/_suggest.html", hits=hits, asked=bool(text))


router.include_router(pages)
