"""The item's record: every step appends the next event of the item's hash chain (the digest of
gridgov.audit.domain, with the item's reference where a case has its tracking code) and moves the chain's head
on the item's row. The repository queues each event as a leaf of the city's log (stream `proposal`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS, event_digest
from gridgov.proposals.domain import Action, Status
from gridgov.proposals.models import Proposal, ProposalEvent

STREAM = "proposal"

PAST = {
    Action.REGISTER: "proposal_registered",
    Action.ASSIGN: "proposal_assigned",
    Action.RETURN: "proposal_returned",
    Action.SEND_VIEWS: "co_handler_views_sent",
    Action.RECORD_CONTACT: "author_contacted",
    Action.EXPLAIN: "extension_explained",
    Action.ANSWER: "proposal_answered",
    Action.RATE: "proposal_rated",
    Action.REHANDLE: "proposal_sent_back",
    Action.TRACK: "promises_followed_up",
    Action.KEEP_PROMISE: "promise_kept",
    Action.FINISH: "proposal_finished",
    Action.REFER: "opinion_referred_to_case",
}


def ref_of(proposal: Proposal) -> str:
    """The item's reference in its chain's digests: its batch and number."""
    return f"{proposal.batch_id}-{proposal.number}"


def tag_of(action: Action, changed: bool) -> str:
    if action is Action.REGISTER:
        return "proposal:created"
    return "proposal:status:changed" if changed else f"proposal:{action.value}"


def record(
    proposal: Proposal,
    action: Action,
    actor: Actor,
    from_status: Status | None,
    to_status: Status,
    now: datetime,
    payload: Mapping[str, Any],
) -> ProposalEvent:
    """The next event of the item's chain; the head on the row moves with it (the caller adds the event through
    the repository, or with the item when it is new)."""
    seq = (proposal.event_count or 0) + 1
    prev = proposal.last_event_hash or GENESIS
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=PAST[action],
        tag=tag_of(action, from_status is not None and from_status != to_status),
        action=action.value,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    digest = event_digest(prev_hash=prev, case_ref=ref_of(proposal), **fields)
    proposal.event_count = seq
    proposal.last_event_hash = digest
    proposal.updated_at = now
    return ProposalEvent(proposal_id=proposal.id, prev_hash=prev, hash=digest, **fields)
