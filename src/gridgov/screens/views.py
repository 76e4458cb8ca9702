"""The people's screens: server-rendered shells whose scripts call the JSON API with the session cookie.

Nothing is fetched from outside the server: Leaflet and ECharts ship in gridgov/web/static/vendor, and a
Content-Security-Policy header tells the browser so (a configured tile server is the one exception)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from gridgov.accounts.domain import Actor, Role
from gridgov.accounts.queries import identity
from gridgov.bootstrap import Container
from gridgov.campaigns.domain import (
    DEFAULT_FIELDS,
    TRANSITIONS,
    UNCLASSIFIED,
    Channel,
    SuggestionAction,
    SuggestionStatus,
)
from gridgov.cases.domain import CaseStatus
from gridgov.errors import GridgovError
from gridgov.grids.domain import CODE_LENGTH
from gridgov.screens.domain import SCREENS, home_of, safe_next, screens_for
from gridgov.web.deps import SESSION_COOKIE, ContainerDep, actor_for_token

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("gridgov.web").joinpath("templates")))
SHANGHAI = ZoneInfo("Asia/Shanghai")
SOURCE_LABELS = {
    "web": "网站",
    "hotline": "12345 热线",
    "app": "App",
    "miniprogram": "小程序",
    "patrol": "网格员巡查",
    "open311": "Open311",
    "campaign": "意见征集",
    "other": "其他",
}
SATISFACTION_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}


def beijing_time(value: datetime | str | None) -> str:
    """A time as people read it here: Beijing time, to the minute."""
    if not value:
        return "—"
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    assert isinstance(moment, datetime)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def status_label(value: str | None) -> str:
    try:
        return CaseStatus(value).label if value else ""
    except ValueError:
        return value or ""


templates.env.filters["bj"] = beijing_time
templates.env.filters["status_label"] = status_label
templates.env.filters["source"] = lambda v: SOURCE_LABELS.get(v, v or "")
templates.env.filters["satisfaction"] = lambda v: SATISFACTION_LABELS.get(v, v or "")


def content_security_policy(tile_url: str) -> str:
    """Pages may load only from this server (plus the deployment's own tile server, when one is set)."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url)
        host = parts.netloc
        if "{s}" in host:  # Leaflet's subdomains a/b/c: allow them all
            host = "*." + host.split("{s}.", 1)[-1]
        tiles = f" {parts.scheme}://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{tiles}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def page_actor(request: Request, container: ContainerDep) -> Actor | None:
    """The signed-in user of a page (session cookie, or a bearer token for scripts), or None."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        return actor_for_token(container, token)
    except GridgovError:
        return None


def _config(container: ContainerDep, actor: Actor | None) -> dict[str, Any]:
    s = container.settings
    return {
        "user": identity(container.sessions, actor) if actor else None,
        "home": home_of(actor.role) if actor else "/login",
        "city": {"code": s.city_code, "name": s.city_name, "grid_code": s.city_code.ljust(CODE_LENGTH, "0")},
        "tiles": {"url": s.map_tile_url, "attribution": s.map_tile_attribution, "crs": s.map_tile_crs},
    }


def render(
    request: Request, container: ContainerDep, actor: Actor | None, template: str, status_code: int = 200, **ctx: Any
) -> Response:
    response = templates.TemplateResponse(
        request,
        template,
        {
            "config": _config(container, actor),
            "nav": screens_for(actor.role) if actor else [],
            "actor": actor,
            "path": request.url.path,
            **ctx,
        },
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = content_security_policy(container.settings.map_tile_url)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def screen(name: str, request: Request, container: ContainerDep, **ctx: Any) -> Response:
    """A screen for the signed-in user: sign in first, and only the roles the screen is for."""
    actor = page_actor(request, container)
    target = SCREENS[name]
    if actor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if actor.role not in target.roles:
        return render(request, container, actor, "screens/forbidden.html", title=target.title, status_code=403)
    return render(request, container, actor, f"screens/{name}.html", title=target.title, **ctx)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, container: ContainerDep, next: str | None = None) -> Response:  # noqa: A002
    actor = page_actor(request, container)
    return render(request, container, actor, "screens/login.html", title="登录", next=safe_next(next) or "")


@router.get("/home")
def home(request: Request, container: ContainerDep) -> Response:
    actor = page_actor(request, container)
    return RedirectResponse(home_of(actor.role) if actor else "/login", status_code=303)


def _screen_page(name: str) -> Callable[[Request, Container], Response]:
    def page(request: Request, container: ContainerDep) -> Response:
        return screen(name, request, container)

    page.__name__ = f"{name}_page"
    return page


for _name in ("report", "my", "hotline", "queue", "inbox", "worker"):  # a shell each; the data comes from the API
    router.add_api_route(SCREENS[_name].path, _screen_page(_name), methods=["GET"], response_class=HTMLResponse)


def campaign_labels() -> dict[str, Any]:
    """Labels and the status table for the campaigns screen, from the campaign rules (not repeated in JS)."""
    decisions = [a for a in SuggestionAction if a is not SuggestionAction.CONVERT]
    return {
        "fields": list(DEFAULT_FIELDS),
        "unclassified": UNCLASSIFIED,
        "channels": {c.value: c.label for c in Channel},
        "statuses": {s.value: s.label for s in SuggestionStatus},
        "actions": {a.value: a.label for a in decisions},
        "event_actions": {a.value: a.label for a in SuggestionAction},
        "roles": {r.value: r.label for r in Role},
        "allowed": {s.value: [a.value for a in decisions if (s, a) in TRANSITIONS] for s in SuggestionStatus},
        "convertible": [s.value for s in SuggestionStatus if (s, SuggestionAction.CONVERT) in TRANSITIONS],
    }


@router.get("/campaigns-admin", response_class=HTMLResponse)
def campaigns_page(request: Request, container: ContainerDep) -> Response:
    return screen("campaigns", request, container, labels=campaign_labels())
