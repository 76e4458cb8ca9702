"""Personal data on campaign suggestions (个人信息保护法): the record of who viewed a submitter's unmasked
data, what a submitter may download, and the erasure of a submitter's name, phone, e-mail and address."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.actor import Actor
from gridgov.campaigns.models import Suggestion, SuggestionEvent, SuggestionPiiAccess
from gridgov.campaigns.ports import CampaignRepository, CampaignsUnitOfWork

SUBMITTER_FIELDS = ["submitter_name", "submitter_phone", "submitter_email", "submitter_address"]


class SuggestionsUnitOfWork(Protocol):
    """The unit of work these helpers write through (gridgov.uow.UnitOfWork is one); the caller commits."""

    @property
    def session(self) -> Session: ...

    @property
    def campaigns(self) -> CampaignRepository: ...


def record_suggestion_view(
    uow: CampaignsUnitOfWork, actor: Actor, suggestion_id: int, fields: list[str], now: datetime
) -> None:
    """Every view of a suggestion's unmasked submitter data is recorded (campaign_pii_access_log)."""
    with uow:
        uow.campaigns.log_view(
            SuggestionPiiAccess(
                user_id=actor.user_id,
                role=actor.role.value,
                suggestion_id=suggestion_id,
                fields=",".join(fields),
                viewed_at=now,
            )
        )
        uow.commit()


def submitted_suggestions(uow: SuggestionsUnitOfWork, user_id: int) -> list[dict[str, Any]]:
    """The suggestions sent from this account, unmasked, for its own download."""
    rows = uow.session.scalars(
        select(Suggestion).where(Suggestion.created_by_id == user_id).order_by(Suggestion.id)
    ).all()
    return [
        {
            "id": x.id,
            "ref": x.ref,
            "channel": x.channel,
            "title": x.title,
            "content": x.content,
            "submitter_name": x.submitter_name,
            "submitter_phone": x.submitter_phone,
            "submitter_email": x.submitter_email,
            "submitter_address": x.submitter_address,
            "postcode": x.postcode,
            "status": x.status,
            "reply": x.reply,
            "received_at": x.received_at,
        }
        for x in rows
    ]


def erase_submitter(uow: SuggestionsUnitOfWork, user_id: int | None, phone: str | None, now: datetime) -> int:
    """Blank the submitter of every suggestion sent from this account or this phone; the text stays and each
    suggestion gets an erasure event. Returns the number of suggestions."""
    conds = []
    if user_id is not None:
        conds.append(Suggestion.created_by_id == user_id)
    if phone:
        conds.append(Suggestion.submitter_phone == phone)
    if not conds:
        return 0
    rows = uow.session.scalars(select(Suggestion).where(or_(*conds))).all()
    for row in rows:
        row.submitter_name = row.submitter_phone = row.submitter_email = row.submitter_address = ""
        row.updated_at = now
        uow.campaigns.add_event(
            SuggestionEvent(
                suggestion_id=row.id,
                action="erase_submitter",
                from_status=row.status,
                to_status=row.status,
                actor_id=None,
                actor_role="system",
                occurred_at=now,
                payload={"fields": list(SUBMITTER_FIELDS)},
            )
        )
    uow.session.flush()
    return len(rows)
