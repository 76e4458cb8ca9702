"""What the campaign use cases share: who may run them, and loading and recording inside a unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridgov.actor import Actor, Role
from gridgov.campaigns.models import Campaign, Suggestion, SuggestionEvent
from gridgov.campaigns.ports import CampaignRepository
from gridgov.errors import NotFound, PermissionDenied

STAFF_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})  # run campaigns, register, decide
READ_ROLES = STAFF_ROLES | {Role.LEADER}  # reports and lists


def require(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise PermissionDenied()


def campaign_of(repo: CampaignRepository, slug: str) -> Campaign:
    campaign = repo.by_slug(slug)
    if campaign is None:
        raise NotFound(f"征集活动不存在: {slug}")
    return campaign


def locked_suggestion(repo: CampaignRepository, suggestion_id: int) -> Suggestion:
    s = repo.suggestion(suggestion_id, lock=True)
    if s is None:
        raise NotFound(f"建议不存在: {suggestion_id}")
    return s


def record_event(
    repo: CampaignRepository,
    s: Suggestion,
    action: str,
    before: str | None,
    actor: Actor,
    now: datetime,
    payload: dict[str, Any],
) -> None:
    """Append the suggestion's event: what was done, by whom, from which status to its current one."""
    repo.add_event(
        SuggestionEvent(
            suggestion_id=s.id,
            action=action,
            from_status=before,
            to_status=s.status,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            occurred_at=now,
            payload=payload,
        )
    )
