"""Read-only selects: the article list, one article with every version and its record, the 纠错 tasks, and the
knowledge base's figures over the hotline's cases (直接办结率, 知识库直办率)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.cases.domain import CaseStatus
from gridgov.cases.models import Case, CaseEvent
from gridgov.knowledge.domain import STATUS_LABELS, ArticleStatus, FlagStatus
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent, KnowledgeFlag, KnowledgeSynonym, KnowledgeVersion
from gridgov.units.models import Unit


def _unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def list_articles(
    session: Session,
    status: str | None = None,
    unit_id: int | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    stmt = select(KnowledgeArticle)
    if status:
        stmt = stmt.where(KnowledgeArticle.status == status)
    if unit_id:
        stmt = stmt.where(KnowledgeArticle.unit_id == unit_id)
    if q:
        stmt = stmt.where(KnowledgeArticle.title.contains(q) | (KnowledgeArticle.code == q))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar() or 0
    rows = list(
        session.execute(
            stmt.order_by(KnowledgeArticle.category, KnowledgeArticle.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).scalars()
    )
    names = _unit_names(session, {r.unit_id for r in rows})
    return {
        "total": total,
        "items": [
            {
                "id": r.id,
                "code": r.code,
                "title": r.title,
                "category": r.category,
                "unit_id": r.unit_id,
                "unit_name": names.get(r.unit_id),
                "status": r.status,
                "status_label": STATUS_LABELS[ArticleStatus(r.status)],
                "current_version": r.current_version,
                "published_version": r.published_version,
            }
            for r in rows
        ],
    }


def _version_doc(v: KnowledgeVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "title": v.title,
        "variants": list(v.variants or []),
        "answer": v.answer,
        "basis": v.basis,
        "category": v.category,
        "unit_id": v.unit_id,
        "valid_from": v.valid_from.isoformat() if v.valid_from else None,
        "valid_to": v.valid_to.isoformat() if v.valid_to else None,
        "written_by": v.written_by,
        "written_at": v.written_at.isoformat(),
    }


def article_detail(session: Session, article_id: int) -> dict[str, Any] | None:
    a = session.get(KnowledgeArticle, article_id)
    if a is None:
        return None
    versions = list(
        session.execute(
            select(KnowledgeVersion).where(KnowledgeVersion.article_id == a.id).order_by(KnowledgeVersion.number)
        ).scalars()
    )
    events = list(
        session.execute(
            select(KnowledgeEvent).where(KnowledgeEvent.article_id == a.id).order_by(KnowledgeEvent.seq)
        ).scalars()
    )
    flags = list(
        session.execute(
            select(KnowledgeFlag).where(KnowledgeFlag.article_id == a.id).order_by(KnowledgeFlag.id)
        ).scalars()
    )
    names = _unit_names(session, {a.unit_id})
    current = next((v for v in versions if v.number == a.current_version), None)
    published = next((v for v in versions if v.number == a.published_version), None)
    return {
        "id": a.id,
        "code": a.code,
        "title": a.title,
        "category": a.category,
        "unit_id": a.unit_id,
        "unit_name": names.get(a.unit_id),
        "status": a.status,
        "status_label": STATUS_LABELS[ArticleStatus(a.status)],
        "version": a.version,
        "current_version": a.current_version,
        "published_version": a.published_version,
        "current": _version_doc(current) if current else None,
        "published": _version_doc(published) if published else None,
        "versions": [_version_doc(v) for v in versions],
        "events": [
            {
                "seq": e.seq,
                "event_type": e.event_type,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor_role": e.actor_role,
                "occurred_at": e.occurred_at.isoformat(),
                "payload": e.payload,
                "hash": e.hash,
            }
            for e in events
        ],
        "flags": [flag_doc(f) for f in flags],
    }


def flag_doc(f: KnowledgeFlag) -> dict[str, Any]:
    return {
        "id": f.id,
        "article_id": f.article_id,
        "version_number": f.version_number,
        "case_id": f.case_id,
        "unit_id": f.unit_id,
        "reason": f.reason,
        "status": f.status,
        "status_label": FlagStatus(f.status).label,
        "due_at": f.due_at.isoformat(),
        "raised_at": f.raised_at.isoformat(),
        "resolution": f.resolution,
        "resolved_at": f.resolved_at.isoformat() if f.resolved_at else None,
    }


def flags_for(session: Session, unit_id: int | None, open_only: bool = True) -> list[dict[str, Any]]:
    """The 纠错 tasks of a department (all departments' with None), the earliest due first."""
    stmt = select(KnowledgeFlag, KnowledgeArticle.title).join(
        KnowledgeArticle, KnowledgeArticle.id == KnowledgeFlag.article_id
    )
    if unit_id is not None:
        stmt = stmt.where(KnowledgeFlag.unit_id == unit_id)
    if open_only:
        stmt = stmt.where(KnowledgeFlag.status == FlagStatus.OPEN.value)
    return [flag_doc(f) | {"title": t} for f, t in session.execute(stmt.order_by(KnowledgeFlag.due_at))]


def review_queue(session: Session, unit_id: int | None) -> list[dict[str, Any]]:
    """Articles waiting for their owning department's review."""
    stmt = select(KnowledgeArticle).where(KnowledgeArticle.status == ArticleStatus.IN_REVIEW.value)
    if unit_id is not None:
        stmt = stmt.where(KnowledgeArticle.unit_id == unit_id)
    return [
        {"id": a.id, "code": a.code, "title": a.title, "version": a.current_version}
        for a in session.execute(stmt).scalars()
    ]


def synonym_groups(session: Session) -> list[list[str]]:
    return [w.split() for w in session.execute(select(KnowledgeSynonym.words).order_by(KnowledgeSynonym.id)).scalars()]


def export_rows(session: Session) -> list[dict[str, Any]]:
    """Every article's latest version, for the Excel export (the file the import reads back)."""
    stmt = (
        select(KnowledgeArticle, KnowledgeVersion, Unit.code)
        .join(
            KnowledgeVersion,
            (KnowledgeVersion.article_id == KnowledgeArticle.id)
            & (KnowledgeVersion.number == KnowledgeArticle.current_version),
        )
        .join(Unit, Unit.id == KnowledgeArticle.unit_id)
        .order_by(KnowledgeArticle.id)
    )
    return [
        {
            "code": a.code,
            "title": v.title,
            "variants": list(v.variants or []),
            "answer": v.answer,
            "basis": v.basis,
            "category": v.category,
            "unit_code": unit_code,
            "valid_from": v.valid_from,
            "valid_to": v.valid_to,
            "status": STATUS_LABELS[ArticleStatus(a.status)],
        }
        for a, v, unit_code in session.execute(stmt)
    ]


def direct_rates(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """Over the hotline's local cases received in [start, end): neither transferred (转办: handled elsewhere)
    nor merged into an earlier case (a 重复件 counts once, in its main case):

    直接办结率 = cases closed directly (直接办结) / cases received;
    知识库直办率 = cases closed directly citing a knowledge-base article / cases received;
    转办数 = the hotline's cases of the period transferred (not in the received count).
    """
    period = (Case.source == "hotline", Case.created_at >= start, Case.created_at < end)
    local = (Case.status != CaseStatus.TRANSFERRED.value, Case.parent_case_id.is_(None))
    received = session.execute(select(func.count(Case.id)).where(*period, *local)).scalar() or 0
    transferred = (
        session.execute(
            select(func.count(Case.id)).where(*period, Case.status == CaseStatus.TRANSFERRED.value)
        ).scalar()
        or 0
    )
    payloads = session.execute(
        select(CaseEvent.payload)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(*period, *local, CaseEvent.action == "direct_close")
    ).scalars()
    direct = cited = 0
    for p in payloads:
        direct += 1
        cited += 1 if (p or {}).get("article") else 0
    return {
        "received": received,
        "direct_closed": direct,
        "knowledge_closed": cited,
        "transferred": transferred,
        "direct_rate": direct / received if received else None,
        "knowledge_rate": cited / received if received else None,
    }
