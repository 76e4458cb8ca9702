"""The admin record: every change appends the next event of its subject's hash chain (the digest of
gridgov.audit.domain, with `kind:ref` where a case has its tracking code) and moves the head on the subject row.
The repository queues each event as a leaf of the city's log (stream `admin`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.admin.domain import EVENT_TYPES, AdminAction
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.audit.domain import GENESIS, event_digest

STREAM = "admin"


def subject_ref(subject: AdminSubject) -> str:
    return f"{subject.kind}:{subject.ref}"


def record(
    subject: AdminSubject,
    action: AdminAction,
    actor: Actor,
    from_status: str | None,
    to_status: str,
    now: datetime,
    payload: Mapping[str, Any],
) -> AdminEvent:
    """The next event of the subject's chain; the head on the subject row moves with it."""
    seq = (subject.event_count or 0) + 1
    prev = subject.last_event_hash or GENESIS
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=EVENT_TYPES[action],
        tag=f"admin:{subject.kind}",
        action=action.value,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    digest = event_digest(prev_hash=prev, case_ref=subject_ref(subject), **fields)
    subject.event_count = seq
    subject.last_event_hash = digest
    return AdminEvent(subject_id=subject.id, prev_hash=prev, hash=digest, **fields)
