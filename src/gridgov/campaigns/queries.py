"""Read-only selects: campaign info, suggestion lists and details, the report (counts, clusters, adoption)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.campaigns.domain import (
    ADOPTED_STATUSES,
    UNCLASSIFIED,
    Channel,
    SuggestionStatus,
    describe_window,
    window_position,
)
from gridgov.campaigns.models import Campaign, Suggestion, SuggestionAttachment, SuggestionEvent
from gridgov.cases.domain import CaseStatus
from gridgov.cases.models import Case
from gridgov.cases.queries import mask_name, mask_phone
from gridgov.clock import SHANGHAI
from gridgov.errors import NotFound
from gridgov.redact import redact, redact_text

TOP_CLUSTERS = 10


def campaign_by_slug(session: Session, slug: str, *, public_only: bool = False) -> Campaign:
    campaign = session.scalars(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None or (public_only and not campaign.public):
        raise NotFound(f"征集活动不存在: {slug}")
    return campaign


def campaign_info(campaign: Campaign, now: datetime) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "slug": campaign.slug,
        "title": campaign.title,
        "organiser": campaign.organiser,
        "description": campaign.description,
        "opens_at": campaign.opens_at.astimezone(SHANGHAI).isoformat(),
        "closes_at": campaign.closes_at.astimezone(SHANGHAI).isoformat(),
        "window": describe_window(campaign.opens_at, campaign.closes_at),
        "state": window_position(now, campaign.opens_at, campaign.closes_at).value,
        "late_policy": campaign.late_policy,
        "fields": list(campaign.fields),
        "channels": [{"code": c, "label": Channel(c).label} for c in campaign.channels],
        "public": campaign.public,
        "mail_address": campaign.mail_address,
        "postal_address": campaign.postal_address,
        "postcode": campaign.postcode,
        "letter_marking": campaign.letter_marking,
    }


def list_campaigns(session: Session, now: datetime) -> list[dict[str, Any]]:
    rows = session.scalars(select(Campaign).order_by(Campaign.opens_at.desc(), Campaign.id.desc())).all()
    counts = {
        row[0]: row[1]
        for row in session.execute(select(Suggestion.campaign_id, func.count()).group_by(Suggestion.campaign_id))
    }
    return [{**campaign_info(c, now), "suggestions": counts.get(c.id, 0)} for c in rows]


def _brief(s: Suggestion, unmasked: bool) -> dict[str, Any]:
    return {
        "id": s.id,
        "ref": s.ref,
        "channel": s.channel,
        "channel_label": Channel(s.channel).label,
        "title": s.title,
        "field": s.field,
        "field_source": s.field_source,
        "status": s.status,
        "status_label": SuggestionStatus(s.status).label,
        "late": s.late,
        "cluster_id": s.cluster_id,
        "cluster_similarity": s.cluster_similarity,
        "case_id": s.case_id,
        "received_at": s.received_at.astimezone(SHANGHAI).isoformat(),
        "submitter_name": s.submitter_name if unmasked else mask_name(s.submitter_name),
        "submitter_phone": s.submitter_phone if unmasked else mask_phone(s.submitter_phone),
    }


def list_suggestions(
    session: Session,
    campaign: Campaign,
    *,
    status: str | None = None,
    field: str | None = None,
    channel: str | None = None,
    cluster_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
    unmasked: bool = False,
) -> dict[str, Any]:
    stmt = select(Suggestion).where(Suggestion.campaign_id == campaign.id)
    if status:
        stmt = stmt.where(Suggestion.status.in_(status.split(",")))
    if field:
        stmt = stmt.where(Suggestion.field.is_(None) if field == UNCLASSIFIED else Suggestion.field == field)
    if channel:
        stmt = stmt.where(Suggestion.channel == channel)
    if cluster_id is not None:
        stmt = stmt.where(Suggestion.cluster_id == cluster_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Suggestion.received_at.desc(), Suggestion.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    clusters = {s.cluster_id for s in rows if s.cluster_id is not None}
    sizes = dict(
        session.execute(
            select(Suggestion.cluster_id, func.count())
            .where(Suggestion.campaign_id == campaign.id, Suggestion.cluster_id.in_(clusters))
            .group_by(Suggestion.cluster_id)
        ).all()
    )
    items = [{**_brief(s, unmasked), "cluster_size": int(sizes.get(s.cluster_id, 1))} for s in rows]
    return {"total": total, "page": page, "page_size": page_size, "items": items}


def suggestion_detail(session: Session, suggestion_id: int, unmasked: bool) -> dict[str, Any]:
    s = session.get(Suggestion, suggestion_id)
    if s is None:
        raise NotFound(f"建议不存在: {suggestion_id}")
    campaign = session.get(Campaign, s.campaign_id)
    files = session.execute(
        select(
            SuggestionAttachment.id,
            SuggestionAttachment.kind,
            SuggestionAttachment.filename,
            SuggestionAttachment.content_type,
            SuggestionAttachment.size,
        )
        .where(SuggestionAttachment.suggestion_id == s.id)
        .order_by(SuggestionAttachment.id)
    ).all()
    events = session.scalars(
        select(SuggestionEvent).where(SuggestionEvent.suggestion_id == s.id).order_by(SuggestionEvent.id)
    ).all()
    case = session.get(Case, s.case_id) if s.case_id else None
    return {
        **_brief(s, unmasked),
        "campaign": {"slug": campaign.slug, "title": campaign.title} if campaign else None,
        "content": s.content,
        "field_scores": s.field_scores,
        "submitter_email": s.submitter_email if unmasked else ("***" if s.submitter_email else ""),
        "submitter_address": s.submitter_address if unmasked else "",
        "postcode": s.postcode,
        "letter_marking": s.letter_marking,
        "marking_ok": s.marking_ok,
        "message_id": s.message_id,
        "reply": s.reply,
        "replied_at": s.replied_at.astimezone(SHANGHAI).isoformat() if s.replied_at else None,
        "case": {
            "id": case.id,
            "tracking_code": case.tracking_code,
            "status": case.status,
            "status_label": CaseStatus(case.status).label,
        }
        if case
        else None,
        "attachments": [
            {
                "id": f[0],
                "kind": f[1],
                "filename": f[2],
                "content_type": f[3],
                "size": f[4],
                "url": f"/api/v1/campaigns/attachments/{f[0]}",
            }
            for f in files
        ],
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor_role": e.actor_role,
                "occurred_at": e.occurred_at.astimezone(SHANGHAI).isoformat(),
                "payload": e.payload,
            }
            for e in events
        ],
    }


def public_status(session: Session, slug: str, ref: str) -> dict[str, Any]:
    """What the public may see of one suggestion: no personal data. Its title and the public reply are free
    text, redacted (gridgov.redact): a reply that names the submitter or a phone shows ***."""
    row = session.execute(
        select(Suggestion, Campaign)
        .join(Campaign, Campaign.id == Suggestion.campaign_id)
        .where(Campaign.slug == slug, Suggestion.ref == ref, Campaign.public.is_(True))
    ).first()
    if row is None:
        raise NotFound(f"建议不存在: {ref}")
    s, campaign = row
    case = session.get(Case, s.case_id) if s.case_id else None
    return {
        "ref": s.ref,
        "campaign": campaign.title,
        "title": redact_text(s.title),
        "field": s.field,
        "status": s.status,
        "status_label": SuggestionStatus(s.status).label,
        "received_at": s.received_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "reply": redact(s.reply),
        "replied_at": s.replied_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if s.replied_at else None,
        "case_tracking_code": case.tracking_code if case else None,
    }


def suggestion_of_case(session: Session, case_id: int) -> dict[str, Any]:
    """From the case side: the suggestion a case was made from."""
    row = session.execute(
        select(Suggestion.id, Suggestion.ref, Suggestion.status, Campaign.slug, Campaign.title)
        .join(Campaign, Campaign.id == Suggestion.campaign_id)
        .where(Suggestion.case_id == case_id)
    ).first()
    if row is None:
        raise NotFound(f"案件 {case_id} 不是由征集建议转来的")
    return {
        "case_id": case_id,
        "suggestion_id": row[0],
        "ref": row[1],
        "status": row[2],
        "campaign": {"slug": row[3], "title": row[4]},
        "url": f"/api/v1/campaigns/suggestions/{row[0]}",
    }


def attachment(session: Session, attachment_id: int) -> tuple[str, str, bytes]:
    row = session.execute(
        select(SuggestionAttachment.filename, SuggestionAttachment.content_type, SuggestionAttachment.data).where(
            SuggestionAttachment.id == attachment_id
        )
    ).first()
    if row is None:
        raise NotFound(f"附件不存在: {attachment_id}")
    return row[0], row[1], row[2]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def report(session: Session, campaign: Campaign, now: datetime) -> dict[str, Any]:
    """Counts by field, channel, status and Beijing day; the largest duplicate clusters; the adoption rate
    (adopted + partly adopted + turned into a case, over all decided suggestions)."""
    rows = session.execute(
        select(
            Suggestion.id,
            Suggestion.ref,
            Suggestion.title,
            Suggestion.field,
            Suggestion.channel,
            Suggestion.status,
            Suggestion.late,
            Suggestion.cluster_id,
            Suggestion.received_at,
            Suggestion.reply,
        ).where(Suggestion.campaign_id == campaign.id)
    ).all()
    by_field: Counter[str] = Counter(r.field or UNCLASSIFIED for r in rows)
    by_channel: Counter[str] = Counter(r.channel for r in rows)
    by_status: Counter[str] = Counter(r.status for r in rows)
    by_day: Counter[str] = Counter(r.received_at.astimezone(SHANGHAI).date().isoformat() for r in rows)
    clusters: Counter[int] = Counter(r.cluster_id or r.id for r in rows)
    heads = {r.id: r for r in rows}
    decided = sum(n for s, n in by_status.items() if SuggestionStatus(s).decided)
    adopted = sum(n for s, n in by_status.items() if SuggestionStatus(s) in ADOPTED_STATUSES)
    fields = [*campaign.fields, *(f for f in by_field if f not in campaign.fields)]
    top = [(cid, n) for cid, n in clusters.most_common() if n > 1][:TOP_CLUSTERS]
    return {
        "campaign": campaign_info(campaign, now),
        "generated_at": now.astimezone(SHANGHAI).isoformat(),
        "total": len(rows),
        "late": sum(1 for r in rows if r.late),
        "replied": sum(1 for r in rows if r.reply),
        "decided": decided,
        "adopted": adopted,
        "adoption_rate": _rate(adopted, decided),
        "by_field": [{"field": f, "count": by_field.get(f, 0)} for f in fields],
        "by_channel": [{"channel": c, "label": Channel(c).label, "count": by_channel.get(c, 0)} for c in Channel],
        "by_status": [
            {"status": s.value, "label": s.label, "count": by_status.get(s.value, 0)} for s in SuggestionStatus
        ],
        "by_day": [{"day": d, "count": n} for d, n in sorted(by_day.items())],
        "top_clusters": [
            {
                "cluster_id": cid,
                "size": n,
                "ref": heads[cid].ref if cid in heads else None,
                "title": heads[cid].title if cid in heads else "",
                "field": heads[cid].field if cid in heads else None,
            }
            for cid, n in top
        ],
    }


def export_rows(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """Every suggestion for the Excel detail sheet: no phone, e-mail or address (PIPL: only what the work needs)."""
    rows = session.scalars(
        select(Suggestion).where(Suggestion.campaign_id == campaign.id).order_by(Suggestion.received_at, Suggestion.id)
    ).all()
    return [
        {
            "ref": s.ref,
            "received_at": s.received_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            "channel": Channel(s.channel).label,
            "field": s.field or UNCLASSIFIED,
            "status": SuggestionStatus(s.status).label,
            "late": "是" if s.late else "",
            "cluster_id": s.cluster_id,
            "title": s.title,
            "content": s.content,
            "reply": s.reply,
            "case_id": s.case_id,
        }
        for s in rows
    ]
