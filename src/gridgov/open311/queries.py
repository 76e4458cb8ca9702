"""Read-only selects behind the Open311 GET endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely.wkb  # type: ignore[import-untyped]
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case, CaseEvent
from gridgov.categories.models import Category
from gridgov.grids.models import Grid
from gridgov.units.models import Unit

STATUS_CHANGED = "case:status:changed"


@dataclass(frozen=True, slots=True)
class RequestQuery:
    """What GET requests asks for. `tracking_codes`, when given, overrides every other filter (spec)."""

    tracking_codes: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()
    offset: int = 0
    limit: int = 1000


@dataclass(frozen=True, slots=True)
class RequestRow:
    case: Case
    service_name: str | None
    agency: str | None
    note: str | None  # the note or reason of the change that set the current status
    approx: tuple[float, float] | None = None  # (lat, lon) of the case's grid's centroid, for a case without a point


def categories(session: Session) -> list[Category]:
    return list(
        session.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.taxonomy, Category.code))
    )


def category(session: Session, code: str) -> Category | None:
    return session.scalars(select(Category).where(Category.code == code, Category.active.is_(True))).first()


def requests(session: Session, q: RequestQuery) -> list[RequestRow]:
    stmt = (
        select(Case, Category.name, Unit.name)
        .outerjoin(Category, Category.code == Case.category_code)
        .outerjoin(Unit, Unit.id == Case.owner_unit_id)
    )
    if q.tracking_codes:
        stmt = stmt.where(Case.tracking_code.in_(q.tracking_codes))
    else:
        if q.service_codes:
            stmt = stmt.where(Case.category_code.in_(q.service_codes))
        if q.start is not None:
            stmt = stmt.where(Case.created_at >= q.start)
        if q.end is not None:
            stmt = stmt.where(Case.created_at <= q.end)
        if q.statuses:
            stmt = stmt.where(Case.status.in_(q.statuses))
    rows = session.execute(stmt.order_by(Case.created_at.desc(), Case.id.desc()).offset(q.offset).limit(q.limit)).all()
    notes = _status_notes(session, [case.id for case, _, _ in rows])
    centroids = _centroids(session, [case.grid_id for case, _, _ in rows if case.lat is None and case.grid_id])
    return [
        RequestRow(
            case, service, agency, notes.get(case.id), centroids.get(case.grid_id or 0) if case.lat is None else None
        )
        for case, service, agency in rows
    ]


def _centroids(session: Session, grid_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    """(lat, lon) of each grid's centroid (of its polygon; the middle of its box when it has none)."""
    if not grid_ids:
        return {}
    found: dict[int, tuple[float, float]] = {}
    rows = session.execute(
        select(Grid.id, Grid.geom_wkb, Grid.min_lat, Grid.min_lon, Grid.max_lat, Grid.max_lon).where(
            Grid.id.in_(set(grid_ids))
        )
    ).all()
    for grid_id, wkb, min_lat, min_lon, max_lat, max_lon in rows:
        if wkb:
            point = shapely.wkb.loads(bytes(wkb)).centroid
            found[grid_id] = (round(point.y, 6), round(point.x, 6))
        elif min_lat is not None and min_lon is not None and max_lat is not None and max_lon is not None:
            found[grid_id] = (round((min_lat + max_lat) / 2, 6), round((min_lon + max_lon) / 2, 6))
    return found


def _status_notes(session: Session, case_ids: Sequence[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    last = (
        select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.tag == STATUS_CHANGED)
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    events = session.execute(
        select(CaseEvent.case_id, CaseEvent.payload).join(
            last, (CaseEvent.case_id == last.c.case_id) & (CaseEvent.seq == last.c.seq)
        )
    ).all()
    notes: dict[int, str] = {}
    for case_id, payload in events:
        text = (payload or {}).get("note") or (payload or {}).get("reason")
        if isinstance(text, str) and text.strip():
            notes[case_id] = text.strip()
    return notes


def tracking_code_exists(session: Session, code: str) -> bool:
    return session.scalar(select(Case.id).where(Case.tracking_code == code)) is not None


# -- servicerequestupdates ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UpdateRow:
    """One case event as the update feed reads it."""

    event_id: int
    tracking_code: str
    action: str
    from_status: str | None
    to_status: str
    occurred_at: datetime
    payload: dict[str, object]


EventSelect = Select[tuple[int, str, str, str | None, str, datetime, Any]]


def _update_select() -> EventSelect:
    return select(
        CaseEvent.id,
        Case.tracking_code,
        CaseEvent.action,
        CaseEvent.from_status,
        CaseEvent.to_status,
        CaseEvent.occurred_at,
        CaseEvent.payload,
    ).join(Case, Case.id == CaseEvent.case_id)


def _update_rows(
    session: Session, stmt: Select[tuple[int, str, str, str | None, str, datetime, Any]]
) -> list[UpdateRow]:
    return [UpdateRow(i, code, a, f, t, at, dict(p or {})) for i, code, a, f, t, at, p in session.execute(stmt).all()]


def updates(session: Session, start: datetime, end: datetime, quiet: Sequence[str], limit: int) -> list[UpdateRow]:
    """The events of every case in [start, end] (the event's own time), oldest first, without the quiet ones."""
    stmt = (
        _update_select()
        .where(CaseEvent.occurred_at >= start, CaseEvent.occurred_at <= end, CaseEvent.action.not_in(quiet))
        .order_by(CaseEvent.occurred_at, CaseEvent.id)
        .limit(limit)
    )
    return _update_rows(session, stmt)


def updates_by_id(session: Session, event_ids: Sequence[int]) -> list[UpdateRow]:
    if not event_ids:
        return []
    return _update_rows(session, _update_select().where(CaseEvent.id.in_(event_ids)).order_by(CaseEvent.id))
