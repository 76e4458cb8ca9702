"""Read-only queries for case pages, lists and timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from gridgov.accounts.domain import Actor, Role, Scope, scope_of
from gridgov.accounts.models import PhoneAccount, User
from gridgov.cases.domain import (
    ACTION_LABELS,
    Action,
    CaseStatus,
    StatusKind,
    SupervisionStatus,  # 督办/催办 (issue 15)
    statuses_of_kind,
)
from gridgov.cases.facts import case_facts
from gridgov.cases.guards import ActorFacts, actions_for
from gridgov.cases.models import Case, CaseEvent, CaseSupervision, CaseTask
from gridgov.cases.routing import BASIS_LABELS, propose_unit
from gridgov.categories.models import Category
from gridgov.errors import NotFound, ValidationFailed
from gridgov.grids.domain import CODE_LENGTH, check_code, prefix_of
from gridgov.grids.models import Grid
from gridgov.units.models import GridAssignment, Unit
from gridgov.units.queries import responsible_unit_in_session
from gridgov.units.services import NoResponsibleUnit

UNMASKED_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})
# who sees only that a similar case exists nearby, never which: a resident must not learn another resident's
# case (its id, tracking code or text) from a duplicate hint
PUBLIC_ROLES = frozenset({Role.RESIDENT})
DUPLICATE_NOTICE = "附近已有类似问题正在处理"


def duplicate_view(
    candidates: list[dict[str, Any]] | None, actor: Actor
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """(the hints, the notice) as `actor` may see them: staff get the candidates (ids, tracking codes,
    scores); a resident gets None and the notice alone."""
    if not candidates:
        return None, None
    if actor.role in PUBLIC_ROLES:
        return None, DUPLICATE_NOTICE
    return candidates, DUPLICATE_NOTICE


def _event_payload(payload: dict[str, Any] | None, actor: Actor) -> dict[str, Any] | None:
    """A classify event names the duplicate candidates by id: a resident sees only whether there were any."""
    if actor.role in PUBLIC_ROLES and payload and payload.get("duplicates"):
        return {**payload, "duplicates": DUPLICATE_NOTICE}
    return payload


def _location_conflict(session: Session, case_id: int) -> dict[str, Any] | None:
    """The pin's district against the district the typed address names, as recorded when the case came in."""
    payload = session.scalar(select(CaseEvent.payload).where(CaseEvent.case_id == case_id, CaseEvent.seq == 1))
    conflict = payload.get("location_conflict") if isinstance(payload, dict) else None
    return conflict if isinstance(conflict, dict) else None


def _assigned_grids(session: Session, actor: Actor) -> list[str]:
    if actor.role is not Role.GRID_WORKER or actor.user_id is None:
        return []
    return list(session.scalars(select(GridAssignment.grid_code).where(GridAssignment.user_id == actor.user_id)))


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "****" if digits else ""


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """The SQL condition for "this case is in the actor's scope" (see accounts.domain.scope_of)."""
    if scope.everything:
        return true()
    conds: list[ColumnElement[bool]] = []
    if scope.own_user_id is not None:
        conds.append(Case.reporter_user_id == scope.own_user_id)
        # earlier cases reported with the phone this account signed up with (matched on the keyed digest cases
        # keep, never the number; a case whose reporter was erased has no phone left and is not matched)
        conds.append(
            and_(
                Case.reporter_user_id.is_(None),
                Case.reporter_phone != "",
                exists().where(PhoneAccount.user_id == scope.own_user_id, PhoneAccount.phone_key == Case.caller_key),
            )
        )
    for prefix in scope.grid_prefixes:
        conds.append(
            and_(Case.grid_code >= prefix.ljust(CODE_LENGTH, "0"), Case.grid_code <= prefix.ljust(CODE_LENGTH, "9"))
        )
    if scope.unit_ids:
        # a correlated EXISTS, not IN (subquery): inside the OR the planner would otherwise hash every task case
        # of the unit first; EXISTS is probed per candidate row through ix_tasks_case
        conds.append(exists().where(CaseTask.case_id == Case.id, CaseTask.unit_id.in_(scope.unit_ids)))
        conds.append(Case.owner_unit_id.in_(scope.unit_ids))
    return or_(*conds) if conds else false()


def _visible(stmt: Select[Any], actor: Actor) -> Select[Any]:
    return stmt.where(in_scope(scope_of(actor)))


def _unit_ref(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind} if unit else None


CLOCKED = (CaseStatus.DISPATCHED.value, CaseStatus.ACCEPTED.value)


def _is_overdue(case: Case, now: datetime) -> bool:
    """A running deadline has passed (suspended and finished cases are never overdue)."""
    return case.status in CLOCKED and case.clock_due is not None and now > case.clock_due


def _suggested_unit(session: Session, case: Case) -> dict[str, Any] | None:
    """The unit to propose for dispatch: the responsibility matrix's for the case's (or the proposed) category
    and its grid, unless the settled dispatches of that category nearby say better (cases.routing), with the
    basis of the proposal in words."""
    category = case.category_code or case.suggested_category_code
    if not category or not case.grid_code or case.status not in ("reported", "registered", "returned", "reopened"):
        return None
    try:
        matrix: Unit | None = responsible_unit_in_session(session, category, case.grid_code)
    except NoResponsibleUnit:
        matrix = None
    proposal = propose_unit(session, category, case.grid_code, matrix.code if matrix else None)
    unit, basis = matrix, proposal.basis  # "matrix-returned": the matrix's unit, shown with the warning
    if proposal.unit and (matrix is None or proposal.unit != matrix.code):
        found = session.scalars(select(Unit).where(Unit.code == proposal.unit)).first()
        unit, basis = (found, basis) if found else (matrix, "matrix")
    ref = _unit_ref(unit)
    if ref is None:
        return None
    return {**ref, "basis": basis, "basis_label": BASIS_LABELS.get(basis, basis), "confidence": proposal.confidence}


def case_detail(session: Session, case_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    case = session.scalars(_visible(select(Case).where(Case.id == case_id), actor)).first()
    if case is None:
        raise NotFound(f"案件不存在: {case_id}")
    tasks = session.execute(
        select(CaseTask, Unit)
        .join(Unit, Unit.id == CaseTask.unit_id)
        .where(CaseTask.case_id == case.id)
        .order_by(CaseTask.id)
    ).all()
    category = (
        session.scalars(select(Category).where(Category.code == case.category_code)).first()
        if case.category_code
        else None
    )
    grid = session.get(Grid, case.grid_id) if case.grid_id else None
    owner = session.get(Unit, case.owner_unit_id) if case.owner_unit_id else None
    escalated = session.get(Unit, case.escalated_to_unit_id) if case.escalated_to_unit_id else None
    own = actor.role is Role.RESIDENT and case.reporter_user_id == actor.user_id
    unmasked = actor.role in UNMASKED_ROLES or own
    status = CaseStatus(case.status)
    return {
        **{
            k: getattr(case, k)
            for k in (
                "id",
                "tracking_code",
                "version",
                "title",
                "description",
                "source",
                "category_code",
                "urgency",
                "grid_code",
                "address",
                "lat",
                "lon",
                "input_crs",
                "location_source",
                "location_confidence",
                "status",
                "parent_case_id",
                "created_at",
                "updated_at",
                "registered_at",
                "dispatched_at",
                "handled_at",
                "closed_at",
                "response_due_at",
                "handle_due_at",
                "alarm_level",
                "escalation_level",
                "rework_count",
                "return_count",
                "postponed",
                "postpone_request",
                "resolved",
                "satisfaction",
                "evaluated_at",
                "event_count",
                "suggested_category_code",
                "suggestion_confidence",
                "suggestion_source",
                "suggestion_model",
                "suggestions",
                "category_source",
                "needs_review",
            )
        },
        **dict(
            zip(
                ("duplicate_candidates", "duplicate_notice"),
                duplicate_view(case.duplicate_candidates, actor),
                strict=True,
            )
        ),
        "category_name": category.name if category else None,
        "suggested_unit": _suggested_unit(session, case),
        "grid_name": grid.name if grid else None,
        "reporter_name": case.reporter_name if unmasked else mask_name(case.reporter_name),
        "reporter_phone": case.reporter_phone if unmasked else mask_phone(case.reporter_phone),
        "status_label": status.label,
        "status_kind": status.kind.value,
        "owner_unit": _unit_ref(owner),
        "escalated_to": _unit_ref(escalated),
        "overdue": _is_overdue(case, now),
        "suspended": status is CaseStatus.SUSPENDED,
        "location_conflict": None if actor.role in PUBLIC_ROLES else _location_conflict(session, case.id),
        "allowed_actions": [
            a.value
            for a in actions_for(
                case_facts(case, [(t, u.name) for t, u in tasks], category, _open_supervision(session, case.id)),
                ActorFacts.of(actor, _assigned_grids(session, actor)),
            )
        ],
        "supervisions": supervision_rows(session, case.id),  # 督办/催办 (issue 15)
        "tasks": [
            {
                **{
                    k: getattr(t, k)
                    for k in (
                        "id",
                        "role",
                        "status",
                        "assigned_at",
                        "response_due_at",
                        "handle_due_at",
                        "responded_at",
                        "response_late",
                        "handled_at",
                        "feedback",
                        "evidence",
                        "return_reason",
                        "rework_count",
                        "postponed",
                        "rating",
                        "appeal_status",  # 12345 operations (issue 17): the panel's 申诉 decision forms
                        "appeal_kind",
                    )
                },
                "unit": _unit_ref(u),
            }
            for t, u in tasks
        ],
    }


def _statuses(text: str) -> set[str]:
    """'open', 'closed' or status names, comma-separated → status values."""
    values: set[str] = set()
    for w in (part.strip() for part in text.split(",")):
        if not w:
            continue
        if w in {k.value for k in StatusKind}:
            values |= {s.value for s in statuses_of_kind(StatusKind(w))}
        elif w in {s.value for s in CaseStatus}:
            values.add(w)
        else:
            raise ValidationFailed(f"未知状态: {w}", field="status")
    return values


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str | None = None
    grid: str | None = None
    unit: str | None = None
    category: str | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    needs_review: bool | None = None


def list_cases(
    session: Session, f: CaseFilter, actor: Actor, now: datetime, page: int, page_size: int
) -> dict[str, Any]:
    stmt = _visible(select(Case), actor)
    if f.status:
        stmt = stmt.where(Case.status.in_(_statuses(f.status)))
    if f.grid:
        p = prefix_of(check_code(f.grid))
        stmt = stmt.where(Case.grid_code >= p.ljust(CODE_LENGTH, "0"), Case.grid_code <= p.ljust(CODE_LENGTH, "9"))
    if f.unit:
        unit = session.scalars(select(Unit).where(Unit.code == f.unit)).first()
        if unit is None:
            raise ValidationFailed(f"单位不存在: {f.unit}", field="unit")
        task_cases = select(CaseTask.case_id).where(CaseTask.unit_id == unit.id)
        stmt = stmt.where(or_(Case.owner_unit_id == unit.id, Case.id.in_(task_cases)))
    if f.category:
        stmt = stmt.where(or_(Case.category_code == f.category, Case.category_code.like(f"{f.category}%")))
    if f.overdue is not None:
        is_overdue = Case.clock_due.is_not(None) & (Case.clock_due < now) & Case.status.in_(CLOCKED)
        not_overdue = or_(Case.clock_due.is_(None), Case.clock_due >= now, Case.status.not_in(CLOCKED))
        stmt = stmt.where(is_overdue if f.overdue else not_overdue)
    if f.needs_review is not None:
        stmt = stmt.where(Case.needs_review.is_(f.needs_review))
    if f.created_from:
        stmt = stmt.where(Case.created_at >= f.created_from)
    if f.created_to:
        stmt = stmt.where(Case.created_at < f.created_to)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(Case.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    owners = {
        u.id: u.code
        for u in session.scalars(select(Unit).where(Unit.id.in_({r.owner_unit_id for r in rows if r.owner_unit_id})))
    }
    items = [
        {
            "id": c.id,
            "tracking_code": c.tracking_code,
            "title": c.title,
            "status": c.status,
            "status_label": CaseStatus(c.status).label,
            "category_code": c.category_code,
            "grid_code": c.grid_code,
            "urgency": c.urgency,
            "owner_unit_code": owners.get(c.owner_unit_id) if c.owner_unit_id else None,
            "alarm_level": c.alarm_level,
            "overdue": _is_overdue(c, now),
            "created_at": c.created_at,
            "handle_due_at": c.handle_due_at,
        }
        for c in rows
    ]
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def case_events(session: Session, case_id: int, actor: Actor) -> list[dict[str, Any]]:
    if session.scalars(_visible(select(Case.id).where(Case.id == case_id), actor)).first() is None:
        raise NotFound(f"案件不存在: {case_id}")
    rows = session.execute(
        select(CaseEvent, User, Unit)
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .outerjoin(Unit, Unit.id == CaseEvent.unit_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq)
    ).all()
    return [
        {
            **{
                k: getattr(e, k)
                for k in (
                    "id",
                    "seq",
                    "event_type",
                    "tag",
                    "action",
                    "from_status",
                    "to_status",
                    "actor_id",
                    "actor_role",
                    "occurred_at",
                    "prev_hash",
                    "hash",
                )
            },
            "payload": _event_payload(e.payload, actor),
            "action_label": ACTION_LABELS.get(Action(e.action), e.action),
            "actor_name": u.display_name if u else ("系统" if e.actor_role == "system" else None),
            "unit": _unit_ref(unit),
        }
        for e, u, unit in rows
    ]


def cases_geojson(
    session: Session, actor: Actor, bbox: tuple[float, float, float, float], status: str | None, limit: int
) -> dict[str, Any]:
    """Case points (WGS-84) inside a bounding box, as a GeoJSON FeatureCollection for map layers."""
    min_lon, min_lat, max_lon, max_lat = bbox
    stmt = _visible(select(Case), actor).where(Case.lat.between(min_lat, max_lat), Case.lon.between(min_lon, max_lon))
    if status:
        stmt = stmt.where(Case.status.in_(_statuses(status)))
    rows = session.scalars(stmt.order_by(Case.id.desc()).limit(limit + 1)).all()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "id": c.id,
                "tracking_code": c.tracking_code,
                "title": c.title,
                "status": c.status,
                "status_label": CaseStatus(c.status).label,
                "category_code": c.category_code,
                "grid_code": c.grid_code,
                "alarm_level": c.alarm_level,
            },
        }
        for c in rows[:limit]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}


def cases_near(
    session: Session, actor: Actor, lat: float, lon: float, radius_m: float, since: datetime, limit: int = 50
) -> list[dict[str, Any]]:
    """Cases within `radius_m` metres of a WGS-84 point reported since `since`, nearest first (duplicate hints).
    A bounding box on the (lat, lon) index narrows the rows; the exact distance decides."""
    from gridgov.geo.crs import bbox_around, distance_m

    min_lon, min_lat, max_lon, max_lat = bbox_around(lat, lon, radius_m)
    stmt = _visible(select(Case), actor).where(
        Case.lat.between(min_lat, max_lat), Case.lon.between(min_lon, max_lon), Case.created_at >= since
    )
    out = []
    for c in session.scalars(stmt.limit(5000)):
        assert c.lat is not None and c.lon is not None
        d = distance_m(lat, lon, c.lat, c.lon)
        if d <= radius_m:
            out.append(
                {
                    "id": c.id,
                    "tracking_code": c.tracking_code,
                    "title": c.title,
                    "status": c.status,
                    "category_code": c.category_code,
                    "grid_code": c.grid_code,
                    "distance_m": round(d, 1),
                    "created_at": c.created_at,
                }
            )
    out.sort(key=lambda r: (r["distance_m"], -r["id"]))
    return out[:limit]


# -- 督办/催办 (issue 15) ------------------------------------------------------------------------------
def _open_supervision(session: Session, case_id: int) -> CaseSupervision | None:
    stmt = select(CaseSupervision).where(CaseSupervision.case_id == case_id, CaseSupervision.status == "open")
    return session.scalars(stmt.order_by(CaseSupervision.id.desc())).first()


def supervision_rows(session: Session, case_id: int) -> list[dict[str, Any]]:
    """A case's 督办, newest first, with the unit that must answer and where it escalated."""
    answering, escalated = aliased(Unit), aliased(Unit)
    stmt = (
        select(CaseSupervision, answering.name, escalated.name)
        .join(answering, answering.id == CaseSupervision.unit_id)
        .outerjoin(escalated, escalated.id == CaseSupervision.escalated_to_unit_id)
        .where(CaseSupervision.case_id == case_id)
        .order_by(CaseSupervision.id.desc())
    )
    return [
        {
            **{
                k: getattr(s, k)
                for k in (
                    "id",
                    "status",
                    "note",
                    "issued_at",
                    "issued_by_role",
                    "due_at",
                    "replied_at",
                    "reply",
                    "on_time",
                    "escalation_level",
                )
            },
            "status_label": SupervisionStatus(s.status).label,
            "unit_name": unit_name,
            "escalated_to": escalated_name,
        }
        for s, unit_name, escalated_name in session.execute(stmt)
    ]
