"""The screens of 安全生产, rendered on the server through web.render: the grid worker's inspection on the phone
(/safety/inspect: my tasks with each place's checklist; an inspection recorded offline waits in the phone's outbox
and is sent when the phone is back online), the street's hazard list with its map of places coloured by risk
(/safety/hazards), a hazard's page with its record (/safety/hazards/{id}), the bureau's 挂牌督办 list
(/safety/supervised) and the ledger (/safety/ledger). Small controllers in /static/safety/ send what the pages
offer; the server decides (the same guards as the API)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.actor import Actor, Role
from gridgov.indicator_sources import Period
from gridgov.safety import queries, views
from gridgov.safety.domain import (
    ACTION_LABELS,
    FOLLOWERS,
    HAZARD_STATUS_LABELS,
    INSPECTORS,
    MEASURE_LABELS,
    READERS,
    RISK_COLOURS,
    RISK_LABELS,
)
from gridgov.safety.events import HAZARD_STREAM
from gridgov.safety.guards import actions_for
from gridgov.safety.models import SafetyHazard
from gridgov.safety.queries import HazardFilter
from gridgov.safety.repository import SqlSafetyRepository
from gridgov.safety.rules import shipped_rules
from gridgov.safety.services.common import facts_of
from gridgov.web.deps import ContainerDep, RowId, Runtime
from gridgov.web.render import PageRoute, add_filters, page

router = APIRouter()
router.include_router(views.router)  # the entry point adds one router: the JSON routes and the pages
pages = APIRouter(include_in_schema=False, route_class=PageRoute)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


add_filters(sf_pct=percent)


def _street_of(actor: Actor) -> str | None:
    return (actor.unit_grid or "")[:9] or None if actor.role is Role.STREET else None


@pages.get("/safety/inspect", response_class=HTMLResponse)
def inspect_page(request: Request, container: ContainerDep) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            grids = queries.worker_grids(session, actor.user_id)
            tasks = queries.my_tasks(session, actor.user_id, grids)
        return {"tasks": tasks, "risk_colours": {k.value: v for k, v in RISK_COLOURS.items()}}

    return page(request, container, INSPECTORS, "safety/inspect.html", "安全检查", context)


@pages.get("/safety/hazards", response_class=HTMLResponse)
def hazards_page(
    request: Request,
    container: ContainerDep,
    status: Annotated[str | None, Query(pattern=r"^[a-z_,]{1,100}$")] = "open",
    grade: Annotated[str | None, Query(pattern=r"^(general|major)$")] = None,
) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        street = _street_of(actor)
        f = HazardFilter(street=street, status=status or None, grade=grade)
        with c.sessions() as session:
            found = queries.list_hazards(session, f, 1, 200)
        map_url = "/api/v1/safety/places/map.geojson?status=open" + (f"&street={street}" if street else "")
        return {
            "found": found,
            "street": street,
            "status": status,
            "grade": grade,
            "map_url": map_url,
            "risks": [(k.value, RISK_LABELS[k], RISK_COLOURS[k]) for k in RISK_COLOURS],
        }

    return page(request, container, READERS, "safety/hazards.html", "隐患清单", context)


@pages.get("/safety/supervised", response_class=HTMLResponse)
def supervised_page(request: Request, container: ContainerDep) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            found = queries.list_hazards(session, HazardFilter(supervised=True), 1, 500)
        return {"found": found}

    return page(request, container, FOLLOWERS | frozenset({Role.LEADER}), "safety/supervised.html", "挂牌督办", context)


@pages.get("/safety/hazards/{hazard_id}", response_class=HTMLResponse)
def hazard_page(request: Request, container: ContainerDep, hazard_id: RowId) -> Response:
    def context(_r: Request, c: Runtime, actor: Actor) -> dict[str, Any]:
        with c.sessions() as session:
            hazard = queries.hazard_detail(session, hazard_id)
            events = queries.events_of(session, HAZARD_STREAM, hazard_id)
            row = session.get(SafetyHazard, hazard_id)
            assert row is not None

            class _Reader:  # the guards' facts read through the repository (no transaction to hold)
                safety = SqlSafetyRepository(session)

            offered = actions_for(facts_of(_Reader(), row, shipped_rules()), actor)  # type: ignore[arg-type]
        return {
            "h": hazard,
            "events": events[::-1],
            "offered": [(a.value, a.label) for a in offered],
            "labels": {a.value: label for a, label in ACTION_LABELS.items()},
            "statuses": {k.value: label for k, label in HAZARD_STATUS_LABELS.items()},
            "referrals": [(k, r.label) for k, r in shipped_rules().referrals.items()],
        }

    return page(request, container, READERS, "safety/hazard.html", "隐患", context)


@pages.get("/safety/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    container: ContainerDep,
    period: Annotated[str, Query(pattern=r"^\d{4}(-\d{2}|Q[1-4])?$")] = "",
    by: Annotated[str, Query(pattern=r"^(district|street|type|grade)$")] = "district",
) -> Response:
    def context(_r: Request, c: Runtime, _a: Actor) -> dict[str, Any]:
        now = c.clock.now()
        p = Period.parse(period) if period else Period.parse(f"{now.year}Q{(now.month - 1) // 3 + 1}")
        with c.sessions() as session:
            stats = queries.statistics(session, p, by)
            rows = queries.ledger_rows(session, p, limit=100)
        return {
            "p": p,
            "by": by,
            "stats": stats,
            "rows": rows,
            "columns": queries.LEDGER_COLUMNS,
            "measures": list(MEASURE_LABELS.items()),
        }

    return page(request, container, READERS, "safety/ledger.html", "安全生产台账", context)


router.include_router(pages)
