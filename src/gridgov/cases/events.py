"""The case's record: every change appends the next event of the case's hash chain and moves the chain's head
on the case row (tamper-evident, see gridgov.audit.domain)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.audit.domain import event_digest
from gridgov.cases.domain import Action, CaseStatus
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.ports import CaseRepository
from gridgov.cases.repository import AlarmRow

_PAST = {
    Action.REPORT_CASE: "case_reported",
    Action.REGISTER: "case_registered",
    Action.REJECT: "case_rejected",
    Action.DIRECT_CLOSE: "case_closed_directly",
    Action.DISPATCH: "case_dispatched",
    Action.ACCEPT: "case_accepted",
    Action.RETURN: "case_returned",
    Action.HANDLE: "case_handled",
    Action.VERIFY: "case_verified",
    Action.REWORK: "case_reworked",
    Action.EVALUATE: "case_evaluated",
    Action.REOPEN: "case_reopened",
    Action.REQUEST_POSTPONE: "postponement_requested",
    Action.APPROVE_POSTPONE: "postponement_approved",
    Action.DENY_POSTPONE: "postponement_denied",
    Action.SUSPEND: "case_suspended",
    Action.RESUME: "case_resumed",
    Action.MERGE: "case_merged",
    Action.FOLLOW_PARENT: "case_closed_with_parent",
    Action.WHISTLE: "whistle_blown",
    Action.CHECK_IN: "department_checked_in",
    Action.TASK_FEEDBACK: "task_fed_back",
    Action.CANCEL_TASK: "summons_withdrawn",
    Action.RATE_DEPARTMENT: "department_rated",
    Action.WARN: "deadline_warned",
    Action.ESCALATE: "case_escalated",
    Action.CLASSIFY: "case_classified",
    Action.ERASE_REPORTER: "reporter_erased",
    Action.CLAIM_REPORT: "report_claimed",
    Action.COMMENT: "case_commented",
    # 12345 operations (issue 17)
    Action.APPEAL: "appeal_lodged",
    Action.UPHOLD_APPEAL: "appeal_upheld",
    Action.REFUSE_APPEAL: "appeal_refused",
    # 督办/催办 (issue 15)
    Action.SUPERVISE: "supervised",
    Action.REPLY_SUPERVISION: "supervision_replied",
    Action.ESCALATE_SUPERVISION: "supervision_escalated",
    Action.URGE: "urged",
    Action.CALLBACK_ATTEMPT: "callback_attempted",
    Action.CALLBACK_UNREACHED: "callback_unreached",
    Action.TRANSFER: "case_transferred",
    Action.TRANSFER_OUTCOME: "transfer_outcome_reported",
}
# 督办/催办 (issue 15): their tags
_TAGS = {
    Action.SUPERVISE: "case:supervision",
    Action.REPLY_SUPERVISION: "case:supervision",
    Action.ESCALATE_SUPERVISION: "case:supervision",
    Action.URGE: "case:urge",
    Action.CALLBACK_ATTEMPT: "case:callback",
    Action.CALLBACK_UNREACHED: "case:callback",
    Action.TRANSFER_OUTCOME: "case:transfer",
}


def _tag(action: Action, changed: bool) -> str:
    if action in _TAGS:
        return _TAGS[action]
    if action in (Action.WARN, Action.ESCALATE):
        return "case:deadline"
    if action is Action.CLASSIFY:
        return "case:classified"
    if action in (Action.ERASE_REPORTER, Action.CLAIM_REPORT):
        return "case:privacy"
    if action is Action.COMMENT:
        return "case:note"
    if action is Action.REPORT_CASE:
        return "case:created"
    return "case:status:changed" if changed else "case:task:changed"


def event_row(
    case: Case | AlarmRow,
    action: Action,
    actor: Actor,
    from_status: CaseStatus | None,
    to_status: CaseStatus,
    now: datetime,
    payload: Mapping[str, Any],
    unit_id: int | None = None,
) -> dict[str, Any]:
    """The next event of the case's chain as column values, and the chain's head moved on the case."""
    seq = case.event_count + 1
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=_PAST[action],
        tag=_tag(action, from_status != to_status),
        action=action.value,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=unit_id if unit_id is not None else actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    digest = event_digest(prev_hash=case.last_event_hash, case_ref=case.tracking_code, **fields)
    row = {"case_id": case.id, "prev_hash": case.last_event_hash, "hash": digest, **fields}
    case.event_count = seq
    case.last_event_hash = digest
    case.updated_at = now
    return row


def record_event(
    cases: CaseRepository,
    case: Case,
    action: Action,
    actor: Actor,
    from_status: CaseStatus | None,
    to_status: CaseStatus,
    now: datetime,
    payload: Mapping[str, Any],
    unit_id: int | None = None,
) -> CaseEvent:
    """Append the next event to the case's chain and move the chain's head on the case row.

    For a case not yet written (no id) the event is returned for the caller to insert with the case."""
    event = CaseEvent(**event_row(case, action, actor, from_status, to_status, now, payload, unit_id))
    if case.id is not None:
        cases.add_event(event)
    return event
