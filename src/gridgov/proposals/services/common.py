"""What every proposal use case shares: the item looked up and guarded, its facts, the record, the day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.clock import SHANGHAI
from gridgov.errors import Conflict
from gridgov.proposals import events
from gridgov.proposals.domain import Action, HandlerRole, Kind, ProposalNotFound, Status
from gridgov.proposals.guards import GUARDS, ProposalFacts
from gridgov.proposals.models import Proposal
from gridgov.proposals.ports import ProposalsUnitOfWork


def today_of(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def facts_of(uow: ProposalsUnitOfWork, proposal: Proposal) -> ProposalFacts:
    repo = uow.proposals
    handlers = [h for h in repo.handlers(proposal.id) if h.active]
    co = [h for h in handlers if h.role == HandlerRole.CO.value]
    return ProposalFacts(
        proposal_id=proposal.id,
        kind=Kind(proposal.kind),
        status=Status(proposal.status),
        lead_unit_id=proposal.lead_unit_id,
        co_unit_ids=frozenset(h.unit_id for h in co),
        author_user_ids=frozenset(m.user_id for _, m in repo.authors(proposal.id) if m.user_id is not None),
        views_sent_by=frozenset(h.unit_id for h in co if h.views_on is not None),
        unkept_promises=sum(1 for p in repo.promises(proposal.id) if p.kept_on is None),
    )


def guarded(
    uow: ProposalsUnitOfWork, proposal_id: int, action: Action, actor: Actor, expected_version: int | None = None
) -> Proposal:
    """The item, once the action's guard allows it (in a transaction the caller holds)."""
    proposal = uow.proposals.get(proposal_id)
    if proposal is None:
        raise ProposalNotFound(f"建议提案不存在: {proposal_id}")
    if expected_version is not None and proposal.version != expected_version:
        raise Conflict("该件已被他人修改，请刷新后重试", expected=expected_version, actual=proposal.version)
    refused = GUARDS[action](facts_of(uow, proposal), actor)
    if refused is not None:
        raise refused
    return proposal


def record(
    uow: ProposalsUnitOfWork,
    proposal: Proposal,
    action: Action,
    actor: Actor,
    before: Status,
    now: datetime,
    payload: Mapping[str, Any],
) -> int:
    """Append the action's event to the item's record; returns its sequence number."""
    event = events.record(proposal, action, actor, before, Status(proposal.status), now, payload)
    uow.proposals.add_event(event)
    return event.seq
