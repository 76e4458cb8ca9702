"""The admin screen (/admin): users (create, role, unit, grids, password, unlock, deactivate, tokens) and the
responsibility tester. Drawn on the server; admin.js calls /api/v1/admin with the session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.accounts.services import ROLE_UNIT_KINDS
from gridgov.actor import Actor, Role
from gridgov.admin import queries
from gridgov.admin.domain import LABELS, TARGET_LABELS, UNIT_KIND_LABELS, scope_of
from gridgov.web.deps import ContainerDep, Runtime
from gridgov.web.render import PageRoute, page

router = APIRouter(include_in_schema=False, route_class=PageRoute)
ROLES = frozenset({Role.ADMIN})


def _context(request: Request, container: Runtime, actor: Actor) -> dict[str, object]:
    scope = scope_of(actor)
    q = request.query_params.get("q", "").strip()[:80]  # 查找用户: by user name or name
    with container.sessions() as session:
        users = queries.users(session, scope, q)
    roles = [r for r in Role if r is not Role.SYSTEM and scope.may_give(r)]
    return {
        "users": users,
        "q": q,
        "district": scope.district,
        "roles": [(r.value, r.label) for r in roles],
        "unit_kinds": {r.value: sorted(k) if k else None for r, k in ROLE_UNIT_KINDS.items() if r in roles},
        "actions": {a.value: a.label for a in LABELS},
        "targets": list(TARGET_LABELS.items()),
        "unit_kind_labels": list(UNIT_KIND_LABELS.items()),
    }


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, container: ContainerDep) -> Response:
    return page(request, container, ROLES, "admin/index.html", "系统管理", _context)
