"""The people's screens: pages rendered on the server (gridgov.web.render) with small controllers that swap in
partials (htmx) and call the JSON API with the session cookie.

This module also gives every page its shell: the navigation a role sees and who is signed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.accounts.domain import CITY_WIDE_ROLES
from gridgov.accounts.queries import identity
from gridgov.actor import Actor, Role
from gridgov.campaigns.domain import (
    ADOPTED_STATUSES,
    DEFAULT_FIELDS,
    TRANSITIONS,
    UNCLASSIFIED,
    Channel,
    SuggestionAction,
    SuggestionStatus,
    Window,
)
from gridgov.campaigns.services import STAFF_ROLES
from gridgov.grids.domain import CODE_LENGTH
from gridgov.media.domain import MAX_BYTES
from gridgov.screens import case_page, dashboard_page, lists, pickers, pwa, track
from gridgov.screens.domain import SCREENS, home_of, safe_next, screens_for
from gridgov.web.deps import ContainerDep, Runtime
from gridgov.web.render import PageContext, PageRoute, base_config, page, page_actor, render, shell_context

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PHOTO_MAX_SIDE = 2560  # a phone's photo is drawn at most this many pixels on its longer side, as JPEG
router.include_router(lists.router)
router.include_router(case_page.router)
router.include_router(track.router)
router.include_router(dashboard_page.router)  # the dashboard, its wall mode and the full rankings
router.include_router(pickers.router)  # JSON: the pickers' look-ups
router.include_router(pwa.router)  # the grid worker's screen as an offline web app (manifest, service worker)


@shell_context
def shell(request: Request, container: Runtime, actor: Actor | None) -> dict[str, Any]:
    """The navigation and the signed-in user every page shows (and its scripts read from #gg-config)."""
    config = base_config(container)
    config["city"]["grid_code"] = container.settings.city_code.ljust(CODE_LENGTH, "0")
    config["photos"] = {"max_side": PHOTO_MAX_SIDE, "max_bytes": MAX_BYTES}  # photos are made fit before upload
    if actor is not None:
        config["user"] = identity(container.sessions, actor) | {"city_wide": actor.role in CITY_WIDE_ROLES}
        config["home"] = home_of(actor.role)
    return {"config": config, "nav": screens_for(actor.role) if actor else []}


def screen(
    name: str, request: Request, container: ContainerDep, context: PageContext | None = None, **ctx: Any
) -> Response:
    """A screen for the signed-in user: sign in first, and only the roles the screen is for."""
    target = SCREENS[name]
    return page(request, container, target.roles, f"screens/{name}.html", target.title, context, **ctx)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, container: ContainerDep, next: str | None = None) -> Response:  # noqa: A002
    actor = page_actor(request, container)
    return render(request, container, actor, "screens/login.html", title="登录", next=safe_next(next) or "")


@router.get("/home")
def home(request: Request, container: ContainerDep) -> Response:
    actor = page_actor(request, container)
    return RedirectResponse(home_of(actor.role) if actor else "/login", status_code=303)


def _screen_page(name: str, context: PageContext | None) -> Callable[[Request, Runtime], Response]:
    def page(request: Request, container: ContainerDep) -> Response:
        return screen(name, request, container, context)

    page.__name__ = f"{name}_page"
    return page


for _name, _context in (
    ("report", None),
    ("my", lists.my_page),
    ("hotline", None),
    ("queue", lists.queue_page),
    ("inbox", lists.inbox_page),
    ("worker", lists.worker_page),
):
    router.add_api_route(
        SCREENS[_name].path, _screen_page(_name, _context), methods=["GET"], response_class=HTMLResponse
    )

WINDOW_LABELS = {Window.EARLY: "未开始", Window.OPEN: "征集中", Window.LATE: "已截止"}
FIELD_SOURCE_LABELS = {"submitter": "提交人选择", "keywords": "按关键词", "staff": "工作人员改定", "none": "未分类"}
CREATE_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})  # campaigns.services.create_campaign's check


def campaign_labels(actor: Actor | None = None) -> dict[str, Any]:
    """Labels, the status table and what this user may do on the campaigns screen, from the campaign rules
    (the script keeps no label, status or role list of its own)."""
    decisions = [a for a in SuggestionAction if a is not SuggestionAction.CONVERT]
    role = actor.role if actor else None
    return {
        "fields": list(DEFAULT_FIELDS),
        "unclassified": UNCLASSIFIED,
        "channels": {c.value: c.label for c in Channel},
        "statuses": {s.value: s.label for s in SuggestionStatus},
        "adopted": [s.value for s in SuggestionStatus if s in ADOPTED_STATUSES],
        "actions": {a.value: a.label for a in decisions},
        "event_actions": {"receive": "收到", "reply": "公开答复", "set_field": "改定领域"}
        | {a.value: a.label for a in SuggestionAction},
        "windows": {w.value: label for w, label in WINDOW_LABELS.items()},
        "field_sources": FIELD_SOURCE_LABELS,
        "roles": {r.value: r.label for r in Role},
        "allowed": {s.value: [a.value for a in decisions if (s, a) in TRANSITIONS] for s in SuggestionStatus},
        "convertible": [s.value for s in SuggestionStatus if (s, SuggestionAction.CONVERT) in TRANSITIONS],
        "can_write": role in STAFF_ROLES,
        "can_create": role in CREATE_ROLES,
    }


@router.get("/campaigns-admin", response_class=HTMLResponse)
def campaigns_page(request: Request, container: ContainerDep) -> Response:
    return screen("campaigns", request, container, lambda _r, _c, actor: {"labels": campaign_labels(actor)})
