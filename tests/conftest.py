"""Shared fixtures. The database is chosen by GRIDGOV_TEST_DATABASE_URL (CI runs the suite on SQLite
and on PostgreSQL); the default is a throw-away SQLite file. The schema is built by migrating."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from anyio.from_thread import BlockingPortal, start_blocking_portal
from sqlalchemy import text

from gridgov import migrate
from gridgov.accounts.services import add_user, issue_token
from gridgov.bootstrap import Container, bootstrap
from gridgov.clock import SHANGHAI, FixedClock
from gridgov.config import Settings
from gridgov.grids.divisions import load_city_divisions
from gridgov.grids.domain import GridLevel
from gridgov.models import Base
from gridgov.reference.services import initialise, small_city

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
START = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)  # a Friday before the 2025 National Day holiday
SMALL_COUNTS = {GridLevel.STREET: 5, GridLevel.COMMUNITY: 10, GridLevel.MICRO: 20}
CASE_TABLES = (
    # phone sign-in and following (issue 15)
    "follows",
    "sign_in_codes",
    "phone_accounts",
    "rate_buckets",
    "case_transfers",
    "open311_deliveries",
    "open311_updates",
    "open311_requests",
    "proposal_events",
    "proposal_ratings",
    "proposal_promises",
    "proposal_contacts",
    "proposal_handlers",
    "proposal_authors",
    "proposals",
    "proposal_station_members",
    "proposal_stations",
    "proposal_members",
    "proposal_batches",
    "knowledge_flags",  # 12345 operations (issue 17)
    "knowledge_events",
    "knowledge_versions",
    "knowledge_articles",
    "knowledge_synonyms",
    # 督办/催办/回访 (issue 15)
    "callback_attempts",
    "callbacks",
    "case_urges",
    "case_supervisions",
    "notify_messages",
    "notify_contacts",
    "safety_photos",
    "safety_events",
    "safety_hazards",
    "safety_inspections",
    "safety_tasks",
    "safety_plan_runs",
    "safety_places",
    "project_blockers",
    "project_evidence",
    "project_investments",
    "project_adjustments",
    "project_events",
    "projects",
    "project_phases",
    "campaign_events",
    "campaign_attachments",
    "campaign_suggestions",
    "campaigns",
    "case_photos",
    "pii_access_log",
    "admin_events",
    "admin_subjects",
    "audit_log",
    "audit_head",
    "audit_salts",
    "category_labels",
    "case_events",
    "case_tasks",
    "cases",
)


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/data not present: {path} (real-data checks need the shared folder beside the repo)")
    return path


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("GRIDGOV_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # intake limits are tested on their own (test_access.py); the other tests post freely
    return Settings(
        database_url=database_url,
        environment="test",
        escalation_interval_seconds=0,
        enrich_async=False,
        intake_rate_per_minute=1e6,
        intake_burst=1_000_000,
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> str:
    migrate.upgrade(settings.database_url)
    return settings.database_url


@dataclass
class World:
    """A small city (2 districts of 郑州 from the reference package) with users for every role."""

    container: Container
    clock: FixedClock
    tokens: dict[str, str]
    users: dict[str, int]
    grid: str  # the L3 grid most tests report in
    other_grid: str  # an L3 grid in another street
    app: Any = None  # the FastAPI app the `server` fixture serves

    @property
    def street_code(self) -> str:
        return self.grid[:9]

    @property
    def district(self) -> str:
        return self.grid[:6]


@pytest.fixture(scope="session")
def world(migrated: str, settings: Settings) -> Iterator[World]:
    clock = FixedClock(START)
    container = bootstrap(settings, clock=clock)
    _truncate(container, all_tables=True)
    divisions = small_city(load_city_divisions(), districts=2, streets_per_district=2)
    initialise(container.uow(), START, divisions=divisions, counts=SMALL_COUNTS, include_zones=False)
    with container.sessions() as s:
        micro = [r[0] for r in s.execute(text("SELECT code FROM grids WHERE level = 4 ORDER BY code"))]
    grid = micro[0]
    other = next(code for code in micro if code[:9] != grid[:9])
    district, city = grid[:6], "4101"
    people: list[tuple[str, str, str | None]] = [
        ("admin", "admin", None),
        ("leader", "leader", None),
        ("resident", "resident", None),
        ("resident2", "resident", None),
        ("operator", "operator", city),
        ("dispatcher", "dispatcher", city),
        ("street", "street", grid[:9]),
        ("other-street", "street", other[:9]),
        ("community", "community", grid[:12]),
        ("dept-cg", "department", f"{district}-cg"),
        ("dept-zj", "department", f"{district}-zj"),
        ("dept-sthj", "department", f"{district}-sthj"),
        ("city-cg", "department", f"{city}-cg"),
    ]
    tokens, users = {}, {}
    for name, role, unit in people:
        users[name] = add_user(container.uow(), name, role, unit, START)
        tokens[name] = issue_token(container.uow(), name, START)
    tokens["grid-worker"] = issue_token(container.uow(), f"gw{grid}", START)
    tokens["other-worker"] = issue_token(container.uow(), f"gw{other}", START)
    yield World(container, clock, tokens, users, grid, other)
    container.close()


def _pg_dirty_tables(conn: Any, tables: list[str]) -> list[str]:
    """The tables among ``tables`` that hold a row, or whose owned sequence has been used since its reset."""
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
    dirty = {r[0] for r in conn.execute(text(probe))}
    moved = conn.execute(
        text(
            "SELECT DISTINCT t.relname FROM pg_class t"
            " JOIN pg_depend d ON d.refobjid = t.oid AND d.deptype IN ('a', 'i')"
            " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
            " JOIN pg_namespace n ON n.oid = s.relnamespace"
            " JOIN pg_sequences q ON q.schemaname = n.nspname AND q.sequencename = s.relname"
            " WHERE t.relname = ANY(:tables) AND q.last_value IS NOT NULL"
        ),
        {"tables": tables},
    )
    dirty.update(r[0] for r in moved)
    return [t for t in tables if t in dirty]


def _truncate(container: Container, all_tables: bool = False) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)] if all_tables else list(CASE_TABLES)
    with container.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # TRUNCATE costs ~0.1 s even on empty tables, and most tests touch a few of them: truncate only those
            # holding rows or whose id sequence moved since it was last reset; the others are already as new
            dirty = _pg_dirty_tables(conn, tables)
            if dirty:
                conn.execute(text(f"TRUNCATE {', '.join(dirty)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def clean(world: World) -> Iterator[World]:
    """Each test starts with no cases, at the same fixed time."""
    _truncate(world.container)
    world.clock.set(START)
    yield world


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _create_app(settings: Settings, container: Container) -> Any:
    from gridgov.app import create_app

    return create_app(settings, container=container)


class InProcessTransport(httpx.BaseTransport):
    """httpx's ASGI transport (async only) driven from synchronous tests through an anyio portal: requests go to
    the app in this process, with no socket and no server thread. The whole response is read before it returns,
    so endless streams (SSE) need the live server."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 50000))
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(inner)
            raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            await response.aclose()
            return response.status_code, response.headers.raw, raw

        status, headers, raw = self._portal.call(send)
        return httpx.Response(status, headers=headers, content=raw, request=request)


@pytest.fixture(scope="session")
def app(world: World, settings: Settings) -> Iterator[Any]:
    """The FastAPI app on the test's container, its lifespan run once; `world.app` is this app."""
    application = _create_app(settings, world.container)
    world.app = application
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(application.router.lifespan_context(application)),
    ):
        application.state.test_portal = portal
        yield application


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[httpx.Client]:
    """An httpx client that calls the app in process (functional tests that need no socket)."""
    transport = InProcessTransport(app, app.state.test_portal)
    with httpx.Client(transport=transport, base_url="http://testserver", timeout=30) as c:
        yield c


@pytest.fixture
def new_client(app: Any) -> Iterator[Callable[[], httpx.Client]]:
    """Makes fresh in-process clients with their own cookies (a browser's session, a client with no token)."""
    made: list[httpx.Client] = []

    def make() -> httpx.Client:
        c = httpx.Client(transport=InProcessTransport(app, app.state.test_portal), base_url="http://testserver")
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def live_server(world: World, settings: Settings) -> Iterator[str]:
    """A real uvicorn server on loopback, sharing the test's container (and its fixed clock), for what needs a
    socket: schemathesis, the browser, races between concurrent requests, SSE, clients from PyPI."""
    port = _free_port()
    application = _create_app(settings, world.container)
    if world.app is None:
        world.app = application
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        if time.time() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(live_server: str) -> str:
    """The live server's base URL (the name the browser tier and the page tests use)."""
    return live_server


class Api:
    """Small HTTP helper: requests as a named demo user, in process (an httpx.Client) or to a live base URL."""

    def __init__(self, base: str | httpx.Client, tokens: dict[str, str]) -> None:
        self.owned = isinstance(base, str)
        self.client = httpx.Client(base_url=base, timeout=30) if isinstance(base, str) else base
        self.tokens = tokens

    def close(self) -> None:
        if self.owned:
            self.client.close()

    def _h(self, who: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return {**h, **(extra or {})}

    def get(self, who: str | None, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, headers=self._h(who), params=params)

    def post(self, who: str | None, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.client.post(path, headers=self._h(who, headers), json=body)

    def act(self, who: str, case_id: int, action: str, **params: Any) -> httpx.Response:
        return self.post(who, f"/api/v1/cases/{case_id}/actions", {"action": action, **params})

    def ok(self, who: str, case_id: int, action: str, **params: Any) -> dict[str, Any]:
        r = self.act(who, case_id, action, **params)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


@pytest.fixture
def api(client: httpx.Client, clean: World) -> Iterator[Api]:
    """The API in process: every functional test that does not need a socket."""
    a = Api(client, clean.tokens)
    client.cookies.clear()
    yield a
    a.close()


@pytest.fixture
def live_api(live_server: str, clean: World) -> Iterator[Api]:
    """The API over a real socket (concurrent requests, streams)."""
    a = Api(live_server, clean.tokens)
    yield a
    a.close()


def inner_point(w: World, code: str) -> tuple[float, float]:
    """(lat, lon) of a point well inside a grid of the active version."""
    import shapely  # type: ignore[import-untyped]

    sql = text(
        "SELECT geom_wkb FROM grids g JOIN grid_versions v ON v.id = g.version_id WHERE v.active AND g.code = :c"
    )
    with w.container.sessions() as s:
        wkb = s.execute(sql, {"c": code}).scalar_one()
    p = shapely.from_wkb(wkb).representative_point()
    return p.y, p.x


def png_bytes(colour: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real PNG for photo and scan uploads."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()
