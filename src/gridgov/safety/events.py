"""The record of 安全生产: every change appends the next event of its subject's hash chain (the digest of
gridgov.audit.domain, with the subject's code where a case has its tracking code) and moves the chain's head on
the subject's row. Three subjects, three streams of the city's log: places (`safety_place`), hazards
(`safety_hazard`) and plan runs (`safety_plan`); the repository queues each event as a leaf."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS, event_digest
from gridgov.safety.domain import Action, PlaceAction
from gridgov.safety.models import SafetyEvent

PLACE_STREAM = "safety_place"
HAZARD_STREAM = "safety_hazard"
PLAN_STREAM = "safety_plan"
STREAMS = (PLACE_STREAM, HAZARD_STREAM, PLAN_STREAM)

PAST: dict[str, str] = {
    PlaceAction.REGISTER: "place_registered",
    PlaceAction.AMEND: "place_amended",
    PlaceAction.CLOSE: "place_closed",
    PlaceAction.MERGE: "place_merged",
    PlaceAction.INSPECT: "place_inspected",
    Action.FIND: "hazard_found",
    Action.FIX_ON_SPOT: "hazard_fixed_on_spot",
    Action.SUBMIT_PLAN: "rectification_plan_submitted",
    Action.SUPERVISE: "hazard_put_under_supervision",
    Action.REPORT_RECTIFIED: "hazard_rectified",
    Action.PASS_REVIEW: "hazard_review_passed",
    Action.FAIL_REVIEW: "hazard_review_failed",
    Action.CLOSE_OUT: "hazard_closed_out",
    Action.FOUND_AGAIN: "hazard_found_again",
    Action.REFER: "hazard_referred",
    Action.ESCALATE: "hazard_escalated",
    "generate": "plan_tasks_generated",
}


class Subject(Protocol):
    """A row with a chain: its code and the chain's head."""

    id: int
    code: str
    event_count: int
    last_event_hash: str
    updated_at: datetime


def record(
    stream: str,
    subject: Subject,
    action: str,
    actor: Actor,
    from_status: str | None,
    to_status: str,
    now: datetime,
    payload: Mapping[str, Any],
) -> SafetyEvent:
    """The next event of the subject's chain; the head on the row moves with it (the caller adds the event
    through the repository, with the subject when it is new)."""
    seq = (subject.event_count or 0) + 1
    prev = subject.last_event_hash or GENESIS
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    changed = from_status is not None and from_status != to_status
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=PAST[action],
        tag=f"{stream}:{'created' if from_status is None else 'status' if changed else action}",
        action=str(action),
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    digest = event_digest(prev_hash=prev, case_ref=subject.code, **fields)
    subject.event_count = seq
    subject.last_event_hash = digest
    subject.updated_at = now
    return SafetyEvent(stream=stream, subject_id=subject.id, prev_hash=prev, hash=digest, **fields)
