"""Checking the proposals' record: each item's hash chain (gridgov.audit.domain.verify_chain, the item's batch and
number where a case has its tracking code) and its place in the city's log: every event is a leaf of stream
`proposal` with the same hash, and every such leaf has its event (gridgov.audit.sql.verify_stream). The log's tree
itself is checked by `gridgov audit verify`, which covers every stream's leaves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.sql import EVENT_FIELDS, StreamAudit, verify_stream
from gridgov.proposals.events import STREAM
from gridgov.proposals.models import Proposal, ProposalEvent


def verify_proposals(session: Session, stop_after: int = 100) -> StreamAudit:
    heads = {
        pid: (f"{batch}-{number}", n, h)
        for pid, batch, number, n, h in session.execute(
            select(Proposal.id, Proposal.batch_id, Proposal.number, Proposal.event_count, Proposal.last_event_hash)
        )
    }
    columns = [getattr(ProposalEvent, f) for f in EVENT_FIELDS]
    events = select(ProposalEvent.proposal_id.label("subject_id"), *columns).order_by(
        ProposalEvent.proposal_id, ProposalEvent.seq
    )
    return verify_stream(session, STREAM, heads, events, "建议提案", stop_after)
