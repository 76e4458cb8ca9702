"""Hot topics (每月一题) over recent cases: the cases of the last N days, clustered by text with
gridgov.classify.topics (classify knows texts, not cases)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.domain import Scope
from gridgov.cases.models import Case
from gridgov.cases.queries import in_scope
from gridgov.classify.topics import TopicMessage, hot_topics
from gridgov.grids.models import Grid, GridVersion


def recent_topics(
    session: Session, now: datetime, days: int, top: int, scope: Scope | None = None, limit: int = 20000
) -> list[dict[str, Any]]:
    """每月一题: cluster the cases of the last `days` days by text (within the reader's scope); a topic's
    places are its streets."""
    since = now - timedelta(days=days)
    rows = session.execute(
        select(Case.id, Case.tracking_code, Case.title, Case.description, Case.created_at, Case.grid_code)
        .where(Case.created_at >= since, Case.created_at <= now, in_scope(scope or Scope(everything=True)))
        .order_by(Case.created_at.desc())
        .limit(limit)
    ).all()
    children = dict(
        session.execute(
            select(Case.parent_case_id, func.count())
            .where(Case.parent_case_id.is_not(None), Case.created_at >= since)
            .group_by(Case.parent_case_id)
        ).all()
    )
    version = session.scalars(select(GridVersion.id).where(GridVersion.active.is_(True))).first()
    streets = {}
    if version is not None:
        codes = {r.grid_code[:9].ljust(15, "0") for r in rows if r.grid_code}
        streets = dict(
            session.execute(select(Grid.code, Grid.name).where(Grid.version_id == version, Grid.code.in_(codes))).all()
        )
    codes_of = {str(r.id): r.tracking_code for r in rows}
    msgs = [
        TopicMessage(
            id=str(r.id),
            title=r.title,
            body=r.description,
            at=r.created_at,
            likes=int(children.get(r.id, 0)),
            place=streets.get(r.grid_code[:9].ljust(15, "0")) if r.grid_code else None,
        )
        for r in rows
    ]
    out = []
    for t in hot_topics(msgs, now=now, days=days, top=top):
        out.append(
            {
                "rank": t.rank,
                "heat": round(t.heat, 3),
                "count": t.count,
                "supports": t.likes,
                "first": t.first,
                "last": t.last,
                "titles": list(t.titles),
                "places": [{"name": p, "count": n} for p, n in t.places],
                "cases": [{"id": int(i), "tracking_code": codes_of[i]} for i in t.message_ids[:20]],
            }
        )
    return out
