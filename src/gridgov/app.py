"""The web entry point: `create_app(settings)` composes the app from each feature's routers and pages, the
error handlers and the offline API docs, and starts and stops, with the app's lifespan, the background threads
of `gridgov.worker` (in-process queue only: with the procrastinate queue they belong to `gridgov worker`) and
the process's one LISTEN connection. `serve_app()` is the factory `gridgov serve --workers N` hands uvicorn.
It holds no SQL of its own beyond the health check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from starlette.datastructures import URL
from starlette.types import ASGIApp, Receive, Scope, Send

from gridgov import __version__
from gridgov.accounts import views as account_views
from gridgov.admin import pages as admin_pages
from gridgov.admin import views as admin_views
from gridgov.air import views as air_views
from gridgov.basemap import basemap
from gridgov.bootstrap import Container, bootstrap
from gridgov.callbacks import pages as callback_pages  # 督办/催办/回访 (issue 15)
from gridgov.callers import views as caller_views  # 重复来电 (issue 17)
from gridgov.campaigns import views as campaign_views
from gridgov.cases import pages as case_pages
from gridgov.cases import topics_views
from gridgov.cases import views as case_views
from gridgov.cases.routing import route_cache
from gridgov.categories import views as category_views
from gridgov.classify import views as classify_views
from gridgov.config import Settings, get_settings
from gridgov.dashboard import views as dashboard_views
from gridgov.dashboard.queries import home_counts
from gridgov.geo import views as grid_views
from gridgov.indicators import pages as indicator_pages
from gridgov.knowledge import pages as knowledge_pages
from gridgov.knowledge.index import index_for
from gridgov.media import views as media_views
from gridgov.metrics import views as metric_views
from gridgov.notify import pages as notify_pages
from gridgov.notify import views as notify_views
from gridgov.open311 import views as open311_views
from gridgov.privacy import views as privacy_views
from gridgov.projects import pages as project_pages
from gridgov.proposals import pages as proposal_pages
from gridgov.residents import views as resident_views
from gridgov.safety import pages as safety_pages
from gridgov.screens import views as screen_views
from gridgov.transfers import views as transfer_views  # 转办 (issue 17)
from gridgov.units import views as unit_views
from gridgov.web import errors, limits
from gridgov.web.render import templates
from gridgov.worker import DeadlineScheduler, Enricher, QueuedEnrichment, notify_thread


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI served from files shipped in the fastapi-offline package: no CDN."""
    static = resources.files("fastapi_offline").joinpath("static")
    app.mount("/_docs_static", StaticFiles(directory=str(static)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - 文档",
            swagger_js_url="/_docs_static/swagger-ui-bundle.js",
            swagger_css_url="/_docs_static/swagger-ui.css",
            swagger_favicon_url="/_docs_static/favicon.png",
        )


class RefuseControlCharacters:
    """NUL and other control characters in the path or query are refused before any handler runs
    (PostgreSQL cannot store or compare NUL). A plain ASGI middleware: Starlette's `@app.middleware("http")`
    (BaseHTTPMiddleware) costs every request a task and a stream of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            url = URL(scope=scope)
            raw = unquote(url.path + "?" + url.query)
            if any(ord(ch) < 32 for ch in raw) and not url.path.startswith("/open311/"):  # Open311: own format
                body = errors.error_body("validation_error", "地址或参数含有不可见控制字符")
                await JSONResponse(body, status_code=422)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings, container: Container | None = None, scheduler: bool = False) -> FastAPI:
    owned = container is None
    basemap(settings)  # a missing or unreadable MBTiles package stops the start, not the first page
    box = container or bootstrap(settings)
    here = box.runs_background_here  # else the job queue's worker (gridgov worker) does the background work
    enricher = Enricher(box) if settings.enrich_async and here else None
    box.enricher = enricher if here else (QueuedEnrichment() if settings.enrich_async else None)
    sched = DeadlineScheduler(box, enricher) if scheduler and here else None
    notifier = notify_thread(box) if scheduler and here and settings.notify_enabled else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        box.locator()  # build the point-in-grid index before the first request
        _ = box.classifier  # and load the model
        with box.sessions() as s:  # and fold the dispatch history, so the first case page does not read it all
            route_cache(s).learner(s)
            index_for(box.sessions).refresh(s)  # and build the knowledge index, so the first search is fast (issue 17)
        box.start_listening()  # PostgreSQL: one LISTEN connection (live streams, reference changes)
        if enricher is not None:
            enricher.start()
        if sched is not None:
            sched.start()
        if notifier is not None:
            notifier.start()
        yield
        if notifier is not None:
            notifier.stop()
        if sched is not None:
            sched.stop()
        if enricher is not None:
            enricher.stop()
        if owned:
            box.close()

    app = FastAPI(
        title="gridgov 网格化治理平台 API",
        version=__version__,
        description="案件从上报到评价的闭环 (GB/T 30428)，街道吹哨、部门报到，工作日时限与逐级升级，防篡改责任链。"
        "所有接口需 `Authorization: Bearer <token>`。",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    _offline_docs(app)
    app.state.container = box
    app.state.intake_limiter = box.intake_limiter()  # shared by every process (GRIDGOV_SHARED_STATE)
    app.state.stream_leases = box.stream_leases
    errors.install(app)

    app.add_middleware(RefuseControlCharacters)
    limits.install(app, settings)  # body limits before everything else: added last, it runs first

    app.include_router(case_views.geojson_router)
    app.include_router(case_views.router)
    app.include_router(grid_views.router)
    app.include_router(grid_views.tiles_router)
    app.include_router(metric_views.router)
    app.include_router(unit_views.router)
    app.include_router(open311_views.router)
    app.include_router(classify_views.router)
    app.include_router(topics_views.router)
    app.include_router(privacy_views.router)
    app.include_router(resident_views.router)
    app.include_router(account_views.auth_router)
    app.include_router(media_views.router)
    app.include_router(campaign_views.router)
    app.include_router(campaign_views.pages)
    app.include_router(case_pages.router)
    app.include_router(category_views.router)
    app.include_router(screen_views.router)
    app.include_router(dashboard_views.router)
    app.include_router(indicator_pages.router)
    app.include_router(air_views.router)
    app.include_router(project_pages.router)
    app.include_router(proposal_pages.router)
    app.include_router(knowledge_pages.router)
    app.include_router(callback_pages.router)  # 督办/催办/回访 (issue 15)
    app.include_router(transfer_views.router)  # 转办 (issue 17)
    app.include_router(transfer_views.pages)
    app.include_router(caller_views.router)  # 重复来电 (issue 17)
    app.include_router(caller_views.pages)
    app.include_router(notify_pages.router)
    app.include_router(notify_views.router)
    app.include_router(notify_views.follows_router)
    app.include_router(safety_pages.router)
    app.include_router(admin_views.router)
    app.include_router(admin_pages.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("gridgov.web").joinpath("static"))), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> Any:
        with box.sessions() as session:
            counts = home_counts(session)
        return templates.TemplateResponse(request, "index.html", {**counts, "city": settings.city_name})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:  # browsers ask for it on every page that names none (Swagger UI, files)
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        with box.sessions() as session:
            session.execute(select(1))
        return {"status": "ok"}

    return app


def serve_app() -> FastAPI:
    """The app of one `gridgov serve` worker process, from the environment (uvicorn's factory: each worker
    process builds its own container, engine and LISTEN connection)."""
    from gridgov.logging import configure_logging

    settings = get_settings()
    configure_logging(settings)
    return create_app(settings, scheduler=settings.serve_background)
