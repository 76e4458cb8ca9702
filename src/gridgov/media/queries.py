"""Read-only look-ups of case photos (the caller has already checked the case is in the actor's scope)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.models import User
from gridgov.cases.models import CaseEvent
from gridgov.media.models import CasePhoto


def photos_of_case(session: Session, case_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CasePhoto.id, CasePhoto.width, CasePhoto.height, CasePhoto.created_at, User.role)
        .outerjoin(User, User.id == CasePhoto.uploaded_by)
        .where(CasePhoto.case_id == case_id)
        .order_by(CasePhoto.id)
    ).all()
    return [
        {
            "id": r.id,
            "ref": f"photo://{r.id}",
            "url": f"/api/v1/photos/{r.id}",
            "width": r.width,
            "height": r.height,
            "uploaded_at": r.created_at,
            "uploaded_by_role": r.role,
        }
        for r in rows
    ]


def reporter_of(sessions: sessionmaker[Session], case_id: int) -> int | None:
    """The account that reported the case, as its first event records it (None for an anonymous report)."""
    with sessions() as session:
        return session.scalar(
            select(CaseEvent.actor_id).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq).limit(1)
        )
