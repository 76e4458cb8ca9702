"""Pages rendered on the server: the one `Jinja2Templates`, its filters, the security headers every page and
partial carries, and the signed-in user of a page.

Kernel only (config, errors, clock, actor) and `web.deps`: a feature adds its own filters with `add_filters`
and the page shell (navigation, who is signed in) with `shell_context`; the entry points import the features,
so everything is registered before the first request. Nothing is fetched from outside the server: Leaflet,
ECharts and htmx ship in gridgov/web/static/vendor, and the Content-Security-Policy header says so (a
configured tile server is the one exception)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from gridgov.actor import Actor
from gridgov.basemap import Layer, basemap, tile_hosts
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


def content_security_policy(tile_hosts: Sequence[str] = ()) -> str:
    """Pages may load only from this server, plus exactly the tile hosts the deployment configured
    (`gridgov.basemap.tile_hosts`: each 天地图 or {s} subdomain spelled out, never a wildcard)."""
    tiles = "".join(f" {host}" for host in tile_hosts)
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
    response.headers["Content-Security-Policy"] = content_security_policy(tile_hosts(container.settings))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def base_config(container: Runtime) -> dict[str, Any]:
    """What the page's scripts read (#gg-config); the shell providers add the user and the city's grid."""
    s = container.settings
    bm = basemap(s)
    first = bm.layers[0] if bm.layers else Layer("")
    return {
        "user": None,
        "home": "/login",
        "city": {"code": s.city_code, "name": s.city_name},
        "tiles": {"url": first.url, "attribution": first.attribution, "crs": bm.crs},
        "basemap": bm.client(),
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


ERROR_TITLES = {
    400: "请求有误",
    403: "无权查看",
    404: "没有找到",
    409: "操作冲突",
    422: "地址或参数有误",
    429: "请求过多",
}


def is_page(request: Request) -> bool:
    """A page a person opened in the browser (not the JSON API, not a partial that a page script swaps in):
    its errors are drawn as a Chinese page, never as raw JSON."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.include_in_schema:
        return False
    html = isinstance(route.response_class, type) and issubclass(route.response_class, HTMLResponse)
    return html and request.headers.get("HX-Request") != "true" and request.method in ("GET", "HEAD")


def error_page(
    request: Request,
    container: Runtime,
    status_code: int,
    message: str,
    problems: list[dict[str, str]] | None = None,
) -> Response:
    """The error of a page, in Chinese, inside the shell (the navigation still works)."""
    actor = page_actor(request, container)
    title = ERROR_TITLES.get(status_code, "出错了")
    return render(
        request,
        container,
        actor,
        "screens/error.html",
        status_code=status_code,
        title=title,
        code=status_code,
        message=message,
        problems=problems or [],
    )


def page_error(request: Request, container: Runtime, exc: GridgovError) -> Response:
    """A domain error (not found, out of scope, refused) met while drawing a page."""
    return error_page(request, container, exc.status, exc.message)


class PageRoute(APIRoute):
    """A route whose pages show their errors as a Chinese page: a case that does not exist or is out of scope
    (404), a refusal (403, 409 …). The JSON API keeps its error body, and a
    partial that a page script swaps in (htmx) keeps it too, since the script reads the message from it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except GridgovError as exc:
                if not is_page(request) or exc.status >= 500 or exc.status == 401:
                    raise  # a missing sign-in stays 401 (pages themselves send the reader to /login)
                container = request.app.state.container
                return await run_in_threadpool(page_error, request, container, exc)

        return handle
