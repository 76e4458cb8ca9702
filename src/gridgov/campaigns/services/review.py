"""Review: staff move a suggestion through the table (review, adopt, partly adopt, not adopt, reconsider),
publish the reply (答复) and correct its field. Each use case owns its transaction."""

from __future__ import annotations

from datetime import datetime

from gridgov.actor import Actor
from gridgov.campaigns.domain import EmptySuggestion, SuggestionAction, SuggestionStatus, clean_text, next_status
from gridgov.campaigns.ports import CampaignsUnitOfWork
from gridgov.campaigns.services.common import STAFF_ROLES, locked_suggestion, record_event, require
from gridgov.errors import ValidationFailed


def decide(
    uow: CampaignsUnitOfWork,
    suggestion_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    reply: str | None = None,
    note: str = "",
) -> None:
    """Move a suggestion through the table (review, adopt, partly adopt, not adopt, reconsider); a reply given
    with the decision is published with it."""
    require(actor, STAFF_ROLES)
    try:
        act = SuggestionAction(action)
    except ValueError:
        raise ValidationFailed(f"未知操作: {action}", field="action") from None
    if act is SuggestionAction.CONVERT:
        raise ValidationFailed("转为案件请使用 /case 接口", field="action")
    with uow:
        repo = uow.campaigns
        s = locked_suggestion(repo, suggestion_id)
        before = s.status
        s.status = next_status(SuggestionStatus(s.status), act).value
        if reply is not None and reply.strip():
            s.reply, s.replied_at = clean_text(reply), now
        s.updated_at = now
        record_event(repo, s, act.value, before, actor, now, {"note": clean_text(note), "reply": bool(reply)})
        uow.commit()


def set_reply(uow: CampaignsUnitOfWork, suggestion_id: int, reply: str, actor: Actor, now: datetime) -> None:
    """The public reply (答复), shown on the suggestion's public page."""
    require(actor, STAFF_ROLES)
    text = clean_text(reply)
    if not text:
        raise EmptySuggestion("答复内容不能为空", field="reply")
    with uow:
        repo = uow.campaigns
        s = locked_suggestion(repo, suggestion_id)
        s.reply, s.replied_at, s.updated_at = text, now, now
        record_event(repo, s, "reply", s.status, actor, now, {"chars": len(text)})
        uow.commit()


def set_field(uow: CampaignsUnitOfWork, suggestion_id: int, field_name: str, actor: Actor, now: datetime) -> None:
    require(actor, STAFF_ROLES)
    with uow:
        repo = uow.campaigns
        s = locked_suggestion(repo, suggestion_id)
        campaign = repo.campaign(s.campaign_id)
        if campaign is None or field_name not in campaign.fields:
            raise ValidationFailed(f"本次征集没有该领域: {field_name}", field="field")
        before = s.field
        s.field, s.field_source, s.updated_at = field_name, "staff", now
        record_event(repo, s, "set_field", s.status, actor, now, {"from": before, "to": field_name})
        uow.commit()
