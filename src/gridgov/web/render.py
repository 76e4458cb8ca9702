"""Pages rendered on the server: the one `Jinja2Templates`, its filters, the security headers every page and
partial carries, and the signed-in user of a page.

Kernel only (config, errors, clock, actor) and `web.deps`: a feature adds its own filters with `add_filters`
and the page shell (navigation, who is signed in) with `shell_context`; the entry points import the features,
so everything is registered before the first request. Nothing is fetched from outside the server: Leaflet,
ECharts and htmx ship in gridgov/web/static/vendor, and the Content-Security-Policy header says so (a
configured tile server is the one exception)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from gridgov.actor import Actor
from gridgov.clock import SHANGHAI
from gridgov.errors import GridgovError
from gridgov.web.deps import SESSION_COOKIE, Runtime, actor_for_token

templates = Jinja2Templates(directory=str(resources.files("gridgov.web").joinpath("templates")))

ShellContext = Callable[[Request, Runtime, Actor | None], Mapping[str, Any]]
_shell: list[ShellContext] = []


def shell_context(provider: ShellContext) -> ShellContext:
    """Register what every full page's shell shows (navigation, the signed-in user); later ones win."""
    _shell.append(provider)
    return provider


def add_filters(**filters: Callable[..., Any]) -> None:
    """A feature's own template filters (labels from its domain)."""
    templates.env.filters.update(filters)


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


add_filters(bj=beijing_time)


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


def page_actor(request: Request, container: Runtime) -> Actor | None:
    """The signed-in user of a page (session cookie, or a bearer token for scripts), or None."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        return actor_for_token(container, token)
    except GridgovError:
        return None


def secured(response: Response, container: Runtime) -> Response:
    response.headers["Content-Security-Policy"] = content_security_policy(container.settings.map_tile_url)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def base_config(container: Runtime) -> dict[str, Any]:
    """What the page's scripts read (#gg-config); the shell providers add the user and the city's grid."""
    s = container.settings
    return {
        "user": None,
        "home": "/login",
        "city": {"code": s.city_code, "name": s.city_name},
        "tiles": {"url": s.map_tile_url, "attribution": s.map_tile_attribution, "crs": s.map_tile_crs},
    }


def render(
    request: Request,
    container: Runtime,
    actor: Actor | None,
    template: str,
    status_code: int = 200,
    **ctx: Any,
) -> Response:
    """A full page: the shell (from the registered providers) around the template."""
    shell: dict[str, Any] = {"config": base_config(container), "nav": [], "actor": actor, "path": request.url.path}
    for provider in _shell:
        shell.update(provider(request, container, actor))
    response = templates.TemplateResponse(request, template, {**shell, **ctx}, status_code=status_code)
    return secured(response, container)


PageContext = Callable[[Request, Runtime, Actor], Mapping[str, Any]]


def page(
    request: Request,
    container: Runtime,
    roles: frozenset[Any],
    template: str,
    title: str,
    context: PageContext | None = None,
    **ctx: Any,
) -> Response:
    """A page for signed-in users of `roles`: anyone else signs in first (303) or is told no (403).
    `context` draws the page's first data once the user may see it."""
    actor = page_actor(request, container)
    if actor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if actor.role not in roles:
        return render(request, container, actor, "screens/forbidden.html", title=title, status_code=403)
    if context is not None:
        ctx.update(context(request, container, actor))
    return render(request, container, actor, template, title=title, **ctx)


def fragment(
    request: Request,
    container: Runtime,
    template: str,
    status_code: int = 200,
    events: Mapping[str, Any] | None = None,
    **ctx: Any,
) -> Response:
    """A partial for a page to swap in (no shell). `events` are fired in the page after the swap (HX-Trigger)."""
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if events:
        response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)  # headers are Latin-1
    response.headers["Cache-Control"] = "no-store"
    return secured(response, container)
