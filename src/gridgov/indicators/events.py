"""The record of indicators and ranking schemes: every change appends the next event of its subject's hash
chain (gridgov.audit.domain, as the cases' chain) and moves the chain's head on the subject's row.

Until the city-wide log lands, the chain lives in `indicator_events`; one subject (`indicator:<code>`,
`scheme:<code>`) is one chain, like one case."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS, ChainProblem, event_digest, verify_chain
from gridgov.indicators.domain import EVENT_TYPES
from gridgov.indicators.models import IndicatorEvent

TO_STATUS = ""  # an indicator has no status; the digest's status fields stay empty


class ChainHead(Protocol):
    id: int
    event_count: int
    last_event_hash: str
    updated_at: datetime


def subject_of(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def next_event(
    head: ChainHead, subject: str, action: str, actor: Actor, now: datetime, payload: Mapping[str, Any]
) -> IndicatorEvent:
    """The next event of the subject's chain; the head on the subject's row moves with it."""
    event_type, tag = EVENT_TYPES[action]
    seq = head.event_count + 1
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=event_type,
        tag=tag,
        action=action,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    prev = head.last_event_hash or GENESIS
    digest = event_digest(prev_hash=prev, case_ref=subject, from_status=None, to_status=TO_STATUS, **fields)
    head.event_count = seq
    head.last_event_hash = digest
    head.updated_at = now
    return IndicatorEvent(subject=subject, prev_hash=prev, hash=digest, **fields)


def verify(
    subject_id: int, subject: str, events: Iterable[Mapping[str, Any]], head_count: int, head_hash: str
) -> ChainProblem | None:
    """The first break in one subject's chain (events in seq order, as row mappings), or None."""
    rows = [{**ev, "from_status": None, "to_status": TO_STATUS} for ev in events]
    return verify_chain(subject_id, subject, rows, head_count, head_hash or GENESIS)
