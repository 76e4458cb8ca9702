"""Role × endpoint matrix generated from the OpenAPI schema (issue 12, finding 7): every operation of
`app.openapi()` has a decision saying which roles may call it, and every operation is called as every role
(and with no token) to hold the server to it — a refusal is 401/403, anything else is "let in" (a 404 out of
scope or a 422 for a thin request still means the role got past the door).

A decision comes, in this order, from:
1. the operation's ``x-roles`` (``openapi_extra={"x-roles": ["leader", …]}`` or ``"public"``/``"signed-in"``)
   next to the route;
2. the route's ``require_role(...)`` dependency, read from the route itself;
3. ``DECISIONS`` below, for routes that take any signed-in user (and decide scope inside) or the public.

An operation with none of these fails the test: a new endpoint cannot ship without a decision.
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from gridgov.accounts.services import add_user, issue_token
from gridgov.actor import COMMAND_ROLES, Role

from conftest import Api, World

ROLES = tuple(r for r in Role if r is not Role.SYSTEM)
PUBLIC = "public"
SIGNED_IN = "signed-in"
EVERYONE = frozenset(ROLES)
REPORTERS = EVERYONE - {Role.LEADER}  # cases.domain ACTION_ROLES[REPORT_CASE]

Decision = str | frozenset[Role]

# Routes whose door is "any signed-in user" (scope is decided inside: out of scope is 404) or "anyone", and
# routes that decide the role inside their handler (the role set is given here, with the request that reaches
# that check).
DECISIONS: dict[str, Decision] = {
    "GET /api/v1/cases.geojson": SIGNED_IN,
    "POST /api/v1/cases": REPORTERS,
    "GET /api/v1/cases": SIGNED_IN,
    "GET /api/v1/cases/near": SIGNED_IN,
    "GET /api/v1/cases/{case_id}": SIGNED_IN,
    "POST /api/v1/cases/{case_id}/actions": COMMAND_ROLES,  # called with action=register
    "GET /api/v1/cases/{case_id}/events": SIGNED_IN,
    "POST /api/v1/cases/bulk": SIGNED_IN,  # each case decided on its own, in the per-case results
    "GET /api/v1/grids/locate": SIGNED_IN,
    "GET /api/v1/grids/address": SIGNED_IN,
    "GET /api/v1/grids/divisions": SIGNED_IN,
    "GET /api/v1/grids/{code}/geometry": SIGNED_IN,
    "GET /api/v1/grids/{code}": SIGNED_IN,
    "GET /api/v1/grids/{code}/children": SIGNED_IN,
    "GET /api/v1/units/responsible": SIGNED_IN,
    "GET /api/v1/units": SIGNED_IN,
    "GET /api/v1/categories": SIGNED_IN,
    "POST /api/v1/classify": SIGNED_IN,
    "GET /api/v1/topics": SIGNED_IN,
    "GET /api/v1/me/data": SIGNED_IN,
    "POST /api/v1/me/erase": SIGNED_IN,
    "POST /api/v1/auth/login": PUBLIC,
    "POST /api/v1/auth/logout": SIGNED_IN,
    "GET /api/v1/auth/me": SIGNED_IN,
    "POST /api/v1/cases/{case_id}/photos": SIGNED_IN,
    "GET /api/v1/cases/{case_id}/photos": SIGNED_IN,
    "GET /api/v1/photos/{photo_id}": SIGNED_IN,
    "GET /api/v1/campaigns/cases/{case_id}": SIGNED_IN,
    "GET /api/v1/campaigns/{slug}": PUBLIC,
    "POST /api/v1/campaigns/{slug}/suggestions": PUBLIC,
    "GET /open311/v2/discovery.{ext}": PUBLIC,
    "GET /open311/v2/services.{ext}": PUBLIC,
    "GET /open311/v2/services/{service_code}.{ext}": PUBLIC,
    "POST /open311/v2/requests.{ext}": REPORTERS,  # the api_key is the caller's token
    "GET /open311/v2/requests.{ext}": PUBLIC,
    "GET /open311/v2/requests/{service_request_id}.{ext}": PUBLIC,
    "GET /open311/v2/tokens/{token}.{ext}": PUBLIC,
    "GET /open311/v2/servicerequestupdates.{ext}": PUBLIC,
    "POST /open311/v2/servicerequestupdates.{ext}": REPORTERS,  # a reporter updates its own cases (else 404)
    # scorecards: the door is any signed-in user; the service decides the role once the body is read
    # (indicators.services / air.services EDITORS: admin and dispatcher; values also a street's or a
    # department's own unit), which a thin request here does not reach
    "POST /api/v1/indicators": SIGNED_IN,
    "PUT /api/v1/indicators/schemes/{scheme_code}": SIGNED_IN,
    "PATCH /api/v1/indicators/{code}": SIGNED_IN,
    "PUT /api/v1/indicators/{code}/targets/{unit_code}": SIGNED_IN,
    "POST /api/v1/indicators/{code}/milestones": SIGNED_IN,
    "DELETE /api/v1/indicators/{code}/milestones/{milestone_id}": SIGNED_IN,
    "POST /api/v1/indicators/{code}/values": SIGNED_IN,
    "POST /api/v1/indicators/{code}/values/import": SIGNED_IN,
    "POST /api/v1/air/stations": SIGNED_IN,
    "POST /api/v1/air/hours": SIGNED_IN,
    "POST /api/v1/air/cities": SIGNED_IN,
    "GET /api/v1/air/composite": SIGNED_IN,
    "GET /api/v1/air/districts": SIGNED_IN,
    "GET /api/v1/air/ranking": SIGNED_IN,
    "GET /api/v1/air/daily": SIGNED_IN,
    "GET /api/v1/air/tables": SIGNED_IN,
}
DESTRUCTIVE_LAST = ("POST /api/v1/auth/logout", "POST /api/v1/me/erase")  # they end the session, the account


# -- reading the decisions ---------------------------------------------------------------------------------
def _routes(app: FastAPI) -> Iterator[APIRoute]:
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # FastAPI without included-router contexts: the routes are flat
        yield from (r for r in app.routes if isinstance(r, APIRoute))
        return
    for context in iter_route_contexts(app.routes):
        route = getattr(context, "route", None) or getattr(context, "original_route", None)
        if isinstance(route, APIRoute):
            yield route


def _dependency_calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _dependency_calls(dep)


def _required_roles(route: APIRoute) -> frozenset[Role] | None:
    for call in _dependency_calls(route.dependant):
        if getattr(call, "__qualname__", "") == "require_role.<locals>.check":
            return frozenset(inspect.getclosurevars(call).nonlocals["roles"])
    return None


def _declared(value: Any) -> Decision:
    if value in (PUBLIC, SIGNED_IN):
        return str(value)
    return frozenset(Role(v) for v in value)


def decisions(app: FastAPI) -> tuple[dict[str, Decision], list[str]]:
    """(operation → decision, operations without one) for every operation of the OpenAPI schema."""
    by_key = {f"{m} {r.path}": r for r in _routes(app) for m in (r.methods or ())}
    found: dict[str, Decision] = {}
    missing: list[str] = []
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            key = f"{method.upper()} {path}"
            route = by_key.get(key)
            roles = _required_roles(route) if route is not None else None
            if "x-roles" in op:
                found[key] = _declared(op["x-roles"])
            elif roles is not None:
                found[key] = roles
            elif key in DECISIONS:
                found[key] = DECISIONS[key]
            else:
                missing.append(key)
    return found, missing


# -- calling every operation as every role -----------------------------------------------------------------
@dataclass
class Samples:
    case_id: int
    tracking_code: str
    suggestion_id: int
    slug: str
    grid: str
    unit_code: str


def _path_value(name: str, s: Samples) -> str:
    values = {
        "case_id": str(s.case_id),
        "suggestion_id": str(s.suggestion_id),
        "slug": s.slug,
        "code": s.grid,
        "ext": "json",
        "service_code": "H05",
        "service_request_id": s.tracking_code,
        "token": s.tracking_code,
        "unit_code": s.unit_code,
    }
    return values.get(name, "1")


QUERY_SAMPLES = {
    "month": "2025-09",
    "lat": "34.75",
    "lon": "113.65",
    "bbox": "113.0,34.0,114.5,35.0",
    "text": "金水区花园路",
    "category": "H05",
    "grid": "",  # filled with the sample grid
    "days": "7",
}


def _query(op: dict[str, Any], s: Samples) -> dict[str, str]:
    out = {}
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required"):
            name = p["name"]
            value = QUERY_SAMPLES.get(name, "1" if p.get("schema", {}).get("type") == "integer" else "x")
            out[name] = value or s.grid
    return out


def _body(key: str, s: Samples, token: str | None) -> dict[str, Any]:
    """The request that reaches the role check of routes that decide inside; `{}` elsewhere (a 422 is fine)."""
    if key == "POST /api/v1/cases":
        return {"json": {"title": "矩阵检查", "grid_code": s.grid}}
    if key == "POST /api/v1/cases/{case_id}/actions":
        return {"json": {"action": "register"}}
    if key == "POST /api/v1/classify":
        return {"json": {"title": "路灯不亮"}}
    if key == "POST /api/v1/cases/bulk":
        return {"json": {"case_ids": [s.case_id], "action": "register"}}
    if key == "POST /open311/v2/requests.{ext}":
        return {"data": {"api_key": token or "", "service_code": "H05", "grid_code": s.grid, "description": "矩阵"}}
    if key == "POST /open311/v2/servicerequestupdates.{ext}":
        update = {"service_request_id": s.tracking_code, "update_id": uuid.uuid4().hex, "description": "矩阵"}
        return {"data": {"api_key": token or "", **update}}
    return {"json": {}}


STREAMS = ("GET /api/v1/dashboard/stream",)  # endless: asked over a socket, the status line is the answer


def _call(
    client: httpx.Client, live: str, key: str, op: dict[str, Any], s: Samples, token: str | None
) -> httpx.Response:
    method, path = key.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: _path_value(m.group(1), s), path)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key in STREAMS or op.get("responses", {}).get("200", {}).get("content", {}).get("text/event-stream"):
        with httpx.stream(method, live + url, headers=headers, params=_query(op, s), timeout=10) as r:
            return r
    kwargs = _body(key, s, token) if method in ("POST", "PUT", "PATCH") else {}
    return client.request(method, url, headers=headers, params=_query(op, s), **kwargs)


@pytest.fixture
def callers(clean: World) -> dict[Role, str]:
    """A fresh user per role (the matrix erases and signs out whoever it calls), in the world's units."""
    w = clean
    units = {
        Role.STREET: w.grid[:9],
        Role.COMMUNITY: w.grid[:12],
        Role.GRID_WORKER: w.grid[:12],
        Role.DEPARTMENT: f"{w.district}-cg",
        Role.OPERATOR: "4101",
        Role.DISPATCHER: "4101",
    }
    tag = uuid.uuid4().hex[:6]
    tokens = {}
    for role in ROLES:
        name = f"mx-{role.value}-{tag}"
        add_user(w.container.uow(), name, role.value, units.get(role), w.clock.now())
        tokens[role] = issue_token(w.container.uow(), name, w.clock.now())
    return tokens


@pytest.fixture
def samples(api: Api, clean: World) -> Samples:
    case = api.post("operator", "/api/v1/cases", {"title": "楼道堆物", "grid_code": clean.grid, "category_code": "H05"})
    assert case.status_code == 201, case.text
    clean.clock.set(clean.clock.now().replace(year=2024, month=2, day=10))
    body = {"slug": f"mx-{uuid.uuid4().hex[:6]}", "title": "矩阵", "organiser": "改革办"}
    body |= {"opens_on": "2024-02-01", "closes_on": "2024-02-29"}
    assert api.post("admin", "/api/v1/campaigns", body).status_code == 201
    sug = api.post(None, f"/api/v1/campaigns/{body['slug']}/suggestions", {"content": "建议加装遮雨棚"})
    assert sug.status_code == 201, sug.text
    return Samples(
        case.json()["id"], case.json()["tracking_code"], sug.json()["id"], body["slug"], clean.grid, clean.district
    )


def test_every_operation_has_a_decision(app: FastAPI) -> None:
    found, missing = decisions(app)
    assert not missing, f"operations without a role decision (add x-roles, require_role or DECISIONS): {missing}"
    stale = set(DECISIONS) - set(found)
    assert not stale, f"DECISIONS names operations that no longer exist: {sorted(stale)}"
    assert found["GET /api/v1/metrics/units"] == found["GET /api/v1/dashboard/ranking"]  # metrics follow the dashboard


@pytest.mark.slow
def test_every_role_is_let_in_or_refused_as_decided(
    app: FastAPI, client: httpx.Client, live_server: str, samples: Samples, callers: dict[Role, str]
) -> None:
    found, missing = decisions(app)
    assert not missing, missing
    ops = {f"{m.upper()} {p}": op for p, methods in app.openapi()["paths"].items() for m, op in methods.items()}
    order = sorted(
        found, key=lambda k: (k in DESTRUCTIVE_LAST, DESTRUCTIVE_LAST.index(k) if k in DESTRUCTIVE_LAST else 0)
    )
    wrong = []
    calls = 0
    for key in order:
        decision = found[key]
        for role in (None, *ROLES):
            token = callers[role] if role is not None else None
            if decision == PUBLIC:
                allowed = True
            elif decision == SIGNED_IN:
                allowed = role is not None
            else:
                allowed = role is not None and role in decision
            client.cookies.clear()
            r = _call(client, live_server, key, ops[key], samples, token)
            calls += 1
            refused = r.status_code in (401, 403)
            if refused == allowed:
                wrong.append(f"{key} as {role.value if role else 'anonymous'}: {r.status_code} (allowed={allowed})")
    assert calls >= len(found) * (len(ROLES) + 1)
    assert not wrong, "\n".join(wrong)


def test_unit_metrics_are_refused_to_the_roles_the_dashboard_refuses(api: Api, clean: World) -> None:
    for who in ("resident", "community", "grid-worker", "dept-cg"):
        for path in ("/api/v1/metrics/units", "/api/v1/dashboard/ranking"):
            r = api.get(who, path, month="2025-09")
            assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied", (who, path, r.text)
    for who in ("leader", "street", "operator", "dispatcher", "admin"):
        assert api.get(who, "/api/v1/metrics/units", month="2025-09").status_code == 200, who
