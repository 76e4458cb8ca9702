"""The project's record: every change appends the next event of the project's hash chain (the digest of
gridgov.audit.domain, with the project's code where a case has its tracking code) and moves the chain's head
on the project row. The repository queues each event as a leaf of the city's log (stream `project`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS, event_digest
from gridgov.projects.domain import Action, ProjectStatus
from gridgov.projects.models import Project, ProjectEvent

STREAM = "project"

PAST = {
    Action.SIGN: "project_signed",
    Action.HONOUR: "project_honoured",
    Action.START: "project_started",
    Action.PRODUCE: "project_in_production",
    Action.REACH: "project_at_designed_output",
    Action.WITHDRAW: "project_withdrawn",
    Action.AMEND: "project_amended",
    Action.ADD_EVIDENCE: "evidence_added",
    Action.REPORT_INVESTMENT: "investment_reported",
    Action.REPORT_BLOCKER: "blocker_reported",
}


def tag_of(action: Action, changed: bool) -> str:
    if action is Action.SIGN:
        return "project:created"
    if changed:
        return "project:stage:changed"
    return {
        Action.AMEND: "project:amended",
        Action.ADD_EVIDENCE: "project:evidence",
        Action.REPORT_INVESTMENT: "project:investment",
        Action.REPORT_BLOCKER: "project:blocker",
    }.get(action, "project:changed")


def record(
    project: Project,
    action: Action,
    actor: Actor,
    from_status: ProjectStatus | None,
    to_status: ProjectStatus,
    now: datetime,
    payload: Mapping[str, Any],
) -> ProjectEvent:
    """The next event of the project's chain; the head on the project row moves with it (the caller adds the
    event through the repository, or with the project when it is new)."""
    seq = (project.event_count or 0) + 1
    prev = project.last_event_hash or GENESIS
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
    digest = event_digest(prev_hash=prev, case_ref=project.code, **fields)
    project.event_count = seq
    project.last_event_hash = digest
    project.updated_at = now
    return ProjectEvent(project_id=project.id, prev_hash=prev, hash=digest, **fields)
