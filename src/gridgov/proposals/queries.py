"""Read-only selects: the list (each person sees their own part: the office and leaders all of it, a unit what is
assigned to it, a deputy or member their own items), an item's page, its record, the overdue lists, the published
answers, and the report of a batch by unit. The metrics' formulas are the domain's (proposals.domain.metrics),
applied to the rows read here; docs/proposals.md states them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from gridgov.actor import Actor
from gridgov.cases.domain import CaseStatus
from gridgov.cases.models import Case
from gridgov.proposals.domain import (
    AUTHORS,
    READ_ALL,
    READERS,
    UNIT_ROLES,
    AnswerClass,
    BatchNotFound,
    ContactMethod,
    HandlerRole,
    ItemFigures,
    Kind,
    Metrics,
    NotPermitted,
    ProposalNotFound,
    Rating,
    Status,
    StatusKind,
    metrics,
)
from gridgov.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalBatch,
    ProposalContact,
    ProposalEvent,
    ProposalHandler,
    ProposalMember,
    ProposalPromise,
    ProposalRating,
    ProposalStation,
    ProposalStationMember,
)
from gridgov.units.models import Unit

P = Proposal
HANDLING = [s.value for s in Status if s.kind is StatusKind.HANDLING]
ASSIGNABLE_KINDS = (Kind.SUGGESTION.value, Kind.PROPOSAL.value)


# -- who sees what ---------------------------------------------------------------------------------------------
def scope(actor: Actor) -> ColumnElement[bool] | None:
    """The items this person may read (None: all of them). Raises NotPermitted for anyone else."""
    if actor.role in READ_ALL:
        return None
    if actor.role in UNIT_ROLES and actor.unit_id is not None:
        # assigned to the unit now, or returned by it (it keeps reading what it sent back)
        return exists().where(
            ProposalHandler.proposal_id == P.id,
            ProposalHandler.unit_id == actor.unit_id,
            ProposalHandler.active | ProposalHandler.returned_on.is_not(None),
        )
    if actor.role in AUTHORS and actor.user_id is not None:
        return exists().where(
            ProposalAuthor.proposal_id == P.id,
            ProposalAuthor.member_id == ProposalMember.id,
            ProposalMember.user_id == actor.user_id,
        )
    raise NotPermitted(f"角色「{actor.role.label}」不能查看建议提案")


def visible(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """The item, if this person may read it (else 404, as if it did not exist)."""
    if actor.role not in READERS:
        raise NotPermitted(f"角色「{actor.role.label}」不能查看建议提案")
    stmt = select(P).where(P.id == proposal_id)
    where = scope(actor)
    if where is not None:
        stmt = stmt.where(where)
    p = session.execute(stmt).scalar_one_or_none()
    if p is None:
        raise ProposalNotFound(f"建议提案不存在: {proposal_id}")
    return p


# -- the list --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProposalFilter:
    batch: str | None = None
    kind: str | None = None
    status: str | None = None  # comma-separated statuses, or a kind of status (waiting, handling, answered, closed)
    unit: str | None = None  # the lead unit's code
    focus: bool | None = None
    overdue: bool | None = None
    generated: bool | None = None
    q: str | None = None

    def where(self, today: date) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.batch:
            out.append(P.batch_id == select(ProposalBatch.id).where(ProposalBatch.code == self.batch).scalar_subquery())
        if self.kind:
            out.append(P.kind == self.kind)
        if self.status:
            wanted: set[str] = set()
            for part in self.status.split(","):
                wanted |= {s.value for s in Status if part in (s.value, s.kind.value)}
            out.append(P.status.in_(sorted(wanted)))
        if self.unit:
            out.append(P.lead_unit_id == select(Unit.id).where(Unit.code == self.unit).scalar_subquery())
        if self.focus is not None:
            out.append(P.focus == self.focus)
        if self.overdue is True:
            out.append(P.status.in_(HANDLING) & (P.due_on < today))
        if self.generated is not None:
            out.append(P.generated == self.generated)
        if self.q:
            like = f"%{self.q}%"
            out.append(or_(P.title.like(like), P.number.like(like)))
        return out


def _authors(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    stmt = (
        select(
            ProposalAuthor.proposal_id, ProposalAuthor.lead, ProposalMember.id, ProposalMember.name, ProposalMember.body
        )
        .join(ProposalMember, ProposalMember.id == ProposalAuthor.member_id)
        .where(ProposalAuthor.proposal_id.in_(list(ids)))
        .order_by(ProposalAuthor.proposal_id, ProposalAuthor.lead.desc(), ProposalAuthor.id)
    )
    for pid, lead, mid, name, body in session.execute(stmt):
        out.setdefault(pid, []).append({"member_id": mid, "name": name, "body": body, "lead": lead})
    return out


def _units(session: Session) -> dict[int, tuple[str, str]]:
    return {i: (c, n) for i, c, n in session.execute(select(Unit.id, Unit.code, Unit.name))}


def _label(enum: type[Rating] | type[AnswerClass], value: str | None) -> str | None:
    return enum(value).label if value else None


def _row(
    p: Proposal,
    batches: dict[int, tuple[str, str]],
    units: dict[int, tuple[str, str]],
    authors: list[dict[str, Any]],
    today: date,
) -> dict[str, Any]:
    status = Status(p.status)
    lead = units.get(p.lead_unit_id) if p.lead_unit_id else None
    return {
        "id": p.id,
        "batch": batches[p.batch_id][0],
        "batch_name": batches[p.batch_id][1],
        "number": p.number,
        "kind": p.kind,
        "kind_label": Kind(p.kind).label,
        "title": p.title,
        "category": p.category,
        "focus": p.focus,
        "focus_leader": p.focus_leader,
        "authors": authors,
        "lead_author": authors[0]["name"] if authors else None,
        "joint": len(authors) > 1,
        "status": status.value,
        "status_label": status.label,
        "status_kind": status.kind.value,
        "lead_unit": lead[0] if lead else None,
        "lead_unit_name": lead[1] if lead else None,
        "assigned_on": _iso(p.assigned_on),
        "due_on": _iso(p.due_on),
        "overdue": status.kind is StatusKind.HANDLING and p.due_on is not None and p.due_on < today,
        "answer_class": p.answer_class,
        "answered_on": _iso(p.answered_on),
        "rating_work": p.rating_work,
        "rating_work_label": _label(Rating, p.rating_work),
        "rating_result": p.rating_result,
        "rating_result_label": _label(Rating, p.rating_result),
        "case_id": p.case_id,
        "generated": p.generated,
        "version": p.version,
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _batches(session: Session) -> dict[int, tuple[str, str]]:
    return {i: (c, n) for i, c, n in session.execute(select(ProposalBatch.id, ProposalBatch.code, ProposalBatch.name))}


def list_proposals(
    session: Session, actor: Actor, f: ProposalFilter, today: date, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    where = f.where(today)
    mine = scope(actor)
    if mine is not None:
        where.append(mine)
    total = session.execute(select(func.count()).select_from(P).where(*where)).scalar_one()
    stmt = select(P).where(*where).order_by(P.batch_id, P.number).offset((page - 1) * page_size).limit(page_size)
    rows = list(session.execute(stmt).scalars())
    authors = _authors(session, [p.id for p in rows])
    batches, units = _batches(session), _units(session)
    return {
        "total": total,
        "page": page,
        "page_size": page_size,
        "items": [_row(p, batches, units, authors.get(p.id, []), today) for p in rows],
    }


# -- one item --------------------------------------------------------------------------------------------------
def proposal_detail(session: Session, actor: Actor, proposal_id: int, today: date) -> dict[str, Any]:
    p = visible(session, actor, proposal_id)
    units = _units(session)
    out = _row(p, _batches(session), units, _authors(session, [p.id]).get(p.id, []), today)
    out["body"] = p.body
    out["grid_code"] = p.grid_code
    out["deadlines"] = {
        "return_by": _iso(p.return_by),
        "views_by": _iso(p.views_by),
        "contact_by": _iso(p.contact_by),
        "answer_by": _iso(p.answer_by),
        "final_by": _iso(p.final_by),
        "rehandle_by": _iso(p.rehandle_by),
    }
    out["extended"] = p.extended
    out["explanation"] = p.explanation
    out["answer"] = (
        {
            "answer_class": p.answer_class,
            "label": AnswerClass(p.answer_class).label,
            "text": p.answer_text,
            "answered_on": _iso(p.answered_on),
            "first_answered_on": _iso(p.first_answered_on),
            "public": p.public,
            "not_public_reason": p.not_public_reason,
        }
        if p.answer_class
        else None
    )
    out["rehandles"] = p.rehandles
    out["closed_on"] = _iso(p.closed_on)
    out["handlers"] = [
        {
            "unit": units[h.unit_id][0],
            "unit_name": units[h.unit_id][1],
            "role": h.role,
            "role_label": HandlerRole(h.role).label,
            "active": h.active,
            "assigned_on": _iso(h.assigned_on),
            "returned_on": _iso(h.returned_on),
            "return_reason": h.return_reason,
            "views_on": _iso(h.views_on),
            "views_text": h.views_text,
        }
        for h in session.execute(
            select(ProposalHandler).where(ProposalHandler.proposal_id == p.id).order_by(ProposalHandler.id)
        ).scalars()
    ]
    out["contacts"] = [
        {
            "method": c.method,
            "method_label": ContactMethod(c.method).label,
            "on": _iso(c.on),
            "in_time": c.in_time,
            "note": c.note,
        }
        for c in session.execute(
            select(ProposalContact).where(ProposalContact.proposal_id == p.id).order_by(ProposalContact.id)
        ).scalars()
    ]
    out["promises"] = [
        {"id": x.id, "text": x.text, "due_on": _iso(x.due_on), "kept_on": _iso(x.kept_on), "note": x.note}
        for x in session.execute(
            select(ProposalPromise).where(ProposalPromise.proposal_id == p.id).order_by(ProposalPromise.id)
        ).scalars()
    ]
    out["ratings"] = [
        {
            "round": r.round,
            "work": r.work,
            "work_label": Rating(r.work).label,
            "result": r.result,
            "result_label": Rating(r.result).label,
            "note": r.note,
            "rated_on": _iso(r.rated_on),
        }
        for r in session.execute(
            select(ProposalRating).where(ProposalRating.proposal_id == p.id).order_by(ProposalRating.round)
        ).scalars()
    ]
    out["case"] = case_status(session, p.case_id)
    return out


def case_status(session: Session, case_id: int | None) -> dict[str, Any] | None:
    """The linked case's status, as the deputy follows it."""
    if case_id is None:
        return None
    row = session.execute(select(Case.tracking_code, Case.status).where(Case.id == case_id)).first()
    if row is None:
        return None
    status = CaseStatus(row[1])
    return {"id": case_id, "tracking_code": row[0], "status": status.value, "status_label": status.label}


def proposal_events(session: Session, actor: Actor, proposal_id: int) -> list[dict[str, Any]]:
    visible(session, actor, proposal_id)
    stmt = select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id).order_by(ProposalEvent.seq)
    return [
        {
            "seq": e.seq,
            "event_type": e.event_type,
            "tag": e.tag,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "unit_id": e.unit_id,
            "occurred_at": e.occurred_at.isoformat(),
            "payload": e.payload,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in session.execute(stmt).scalars()
    ]


def proposal_of_case(session: Session, case_id: int) -> dict[str, Any]:
    """The other way of the link: the 社情民意 a case came from."""
    row = session.execute(select(P.id, P.number, P.title).where(P.case_id == case_id)).first()
    if row is None:
        raise ProposalNotFound(f"案件 {case_id} 不是由社情民意转来的")
    return {"proposal_id": row[0], "number": row[1], "title": row[2], "url": f"/proposals/{row[0]}"}


# -- batches, overdue, published -------------------------------------------------------------------------------
def batches(session: Session) -> list[dict[str, Any]]:
    counts = dict(session.execute(select(P.batch_id, func.count()).group_by(P.batch_id)).all())
    return [
        {
            "code": b.code,
            "name": b.name,
            "held_on": b.held_on.isoformat(),
            "items": counts.get(b.id, 0),
            "generated": b.generated,
        }
        for b in session.execute(select(ProposalBatch).order_by(ProposalBatch.held_on.desc())).scalars()
    ]


def batch_or_404(session: Session, code: str) -> ProposalBatch:
    b = session.execute(select(ProposalBatch).where(ProposalBatch.code == code)).scalar_one_or_none()
    if b is None:
        raise BatchNotFound(f"批次不存在: {code}")
    return b


def overdue(session: Session, actor: Actor, today: date, batch: str | None = None) -> dict[str, Any]:
    """What is late today: answers past their limit, CPPCC proposals with no 办前面商 by its limit, co-handlers'
    views not in by theirs."""
    mine = scope(actor)
    base: list[ColumnElement[bool]] = [] if mine is None else [mine]
    if batch:
        base.append(P.batch_id == batch_or_404(session, batch).id)
    answers = list_proposals(session, actor, ProposalFilter(batch=batch, overdue=True), today, page_size=1000)["items"]
    contacted = exists().where(ProposalContact.proposal_id == P.id)
    contact_rows = session.execute(
        select(P.id, P.number, P.title, P.contact_by)
        .where(*base, P.status.in_(HANDLING), P.contact_by < today, ~contacted)
        .order_by(P.contact_by)
    ).all()
    units = _units(session)
    views_rows = session.execute(
        select(P.id, P.number, P.title, P.views_by, ProposalHandler.unit_id)
        .join(ProposalHandler, ProposalHandler.proposal_id == P.id)
        .where(
            *base,
            P.status.in_(HANDLING),
            ProposalHandler.active,
            ProposalHandler.role == HandlerRole.CO.value,
            ProposalHandler.views_on.is_(None),
            P.views_by < today,
        )
        .order_by(P.views_by)
    ).all()
    return {
        "today": today.isoformat(),
        "answers": answers,
        "contacts": [{"id": i, "number": n, "title": t, "contact_by": _iso(d)} for i, n, t, d in contact_rows],
        "views": [
            {"id": i, "number": n, "title": t, "views_by": _iso(d), "unit": units[u][0], "unit_name": units[u][1]}
            for i, n, t, d, u in views_rows
        ],
    }


def published(session: Session, batch: str | None, limit: int = 500) -> list[dict[str, Any]]:
    """The answers made public: every answered item not marked not for publication (no personal data: the
    authors' names are public figures' and part of the published list)."""
    stmt = select(P).where(P.answer_class.is_not(None), P.public)
    if batch:
        stmt = stmt.where(P.batch_id == batch_or_404(session, batch).id)
    rows = list(session.execute(stmt.order_by(P.batch_id, P.number).limit(limit)).scalars())
    authors, units = _authors(session, [p.id for p in rows]), _units(session)
    return [
        {
            "number": p.number,
            "kind_label": Kind(p.kind).label,
            "title": p.title,
            "authors": [a["name"] for a in authors.get(p.id, [])],
            "unit_name": units[p.lead_unit_id][1] if p.lead_unit_id in units else None,
            "answer_class": p.answer_class,
            "answered_on": _iso(p.answered_on),
            "answer": p.answer_text,
        }
        for p in rows
    ]


# -- the report ------------------------------------------------------------------------------------------------
def figures(session: Session, batch_id: int, today: date) -> list[tuple[str, ItemFigures]]:
    """Each assigned 建议 and 提案 of a batch, keyed by its lead unit's code, as the metrics read it."""
    columns = (P.id, P.kind, P.extended, P.answer_by, P.final_by, P.first_answered_on, P.rating_work, P.rating_result,
               P.answer_class, P.lead_unit_id)  # fmt: skip
    rows = session.execute(
        select(*columns).where(P.batch_id == batch_id, P.kind.in_(ASSIGNABLE_KINDS), P.lead_unit_id.is_not(None))
    ).all()
    in_batch = select(P.id).where(P.batch_id == batch_id)  # a subquery, never a list of ids
    face_to_face = [m.value for m in ContactMethod if m.face_to_face]
    met = set(
        session.execute(
            select(ProposalContact.proposal_id)
            .where(ProposalContact.proposal_id.in_(in_batch), ProposalContact.method.in_(face_to_face))
            .distinct()
        ).scalars()
    )
    promises: dict[int, tuple[int, int]] = {}
    for pid, due_on, kept_on in session.execute(
        select(ProposalPromise.proposal_id, ProposalPromise.due_on, ProposalPromise.kept_on).where(
            ProposalPromise.proposal_id.in_(in_batch)
        )
    ):
        d, k = promises.get(pid, (0, 0))
        if due_on <= today:
            d, k = d + 1, k + (1 if kept_on is not None and kept_on <= today else 0)
        promises[pid] = (d, k)
    units = _units(session)
    out = []
    for p in rows:
        d, k = promises.get(p.id, (0, 0))
        first_due = p.final_by if p.extended else p.answer_by
        out.append(
            (
                units[p.lead_unit_id][0] if p.lead_unit_id in units else "?",
                ItemFigures(
                    kind=Kind(p.kind),
                    due=first_due,
                    first_answered_on=p.first_answered_on,
                    face_to_face=p.id in met,
                    rating_work=Rating(p.rating_work) if p.rating_work else None,
                    rating_result=Rating(p.rating_result) if p.rating_result else None,
                    answer_class=AnswerClass(p.answer_class) if p.answer_class else None,
                    promises_due=d,
                    promises_kept=k,
                ),
            )
        )
    return out


def _metrics(m: Metrics) -> dict[str, Any]:
    return {f.name: getattr(m, f.name) for f in fields(m)}


def report(session: Session, batch: str, today: date) -> dict[str, Any]:
    """A batch's metrics, whole and by lead unit (docs/proposals.md#metrics), and its counts by status and kind."""
    b = batch_or_404(session, batch)
    rows = figures(session, b.id, today)
    names = {c: n for c, n in _units(session).values()}
    by_unit: dict[str, list[ItemFigures]] = {}
    for key, row in rows:
        by_unit.setdefault(key, []).append(row)
    statuses = dict(session.execute(select(P.status, func.count()).where(P.batch_id == b.id).group_by(P.status)).all())
    kinds = dict(session.execute(select(P.kind, func.count()).where(P.batch_id == b.id).group_by(P.kind)).all())
    return {
        "batch": {"code": b.code, "name": b.name, "held_on": b.held_on.isoformat()},
        "as_of": today.isoformat(),
        "total": _metrics(metrics([r for _, r in rows], today)),
        "units": [
            {"unit": code, "unit_name": names.get(code, code), **_metrics(metrics(items, today))}
            for code, items in sorted(by_unit.items())
        ],
        "statuses": [{"status": s.value, "label": s.label, "count": statuses.get(s.value, 0)} for s in Status],
        "kinds": [{"kind": k.value, "label": k.label, "count": kinds.get(k.value, 0)} for k in Kind],
    }


def member_grids(session: Session, user_id: int) -> list[tuple[str, str]]:
    """(grid code, station name) of the liaison stations the deputy with this account serves."""
    stmt = (
        select(ProposalStation.grid_code, ProposalStation.name)
        .join(ProposalStationMember, ProposalStationMember.station_id == ProposalStation.id)
        .join(ProposalMember, ProposalMember.id == ProposalStationMember.member_id)
        .where(ProposalMember.user_id == user_id)
        .order_by(ProposalStation.name)
    )
    return [(g, n) for g, n in session.execute(stmt)]


def unit_options(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the units an item may be assigned to: departments, district bureaus, street offices."""
    kinds = ("city_department", "district_bureau", "street_office")
    stmt = select(Unit.code, Unit.name).where(Unit.kind.in_(kinds)).order_by(Unit.code)
    return [(c, n) for c, n in session.execute(stmt)]


# -- stations --------------------------------------------------------------------------------------------------
def stations(session: Session, grid_prefix: str | None = None) -> list[dict[str, Any]]:
    stmt = select(ProposalStation).order_by(ProposalStation.grid_code, ProposalStation.name)
    if grid_prefix:
        stmt = stmt.where(ProposalStation.grid_code.like(f"{grid_prefix}%"))
    rows = list(session.execute(stmt).scalars())
    members: dict[int, list[dict[str, Any]]] = {}
    if rows:
        for sid, mid, name, body in session.execute(
            select(ProposalStationMember.station_id, ProposalMember.id, ProposalMember.name, ProposalMember.body)
            .join(ProposalMember, ProposalMember.id == ProposalStationMember.member_id)
            .where(ProposalStationMember.station_id.in_([s.id for s in rows]))
            .order_by(ProposalMember.name)
        ):
            members.setdefault(sid, []).append({"member_id": mid, "name": name, "body": body})
    return [
        {"id": s.id, "name": s.name, "grid_code": s.grid_code, "address": s.address, "members": members.get(s.id, [])}
        for s in rows
    ]
