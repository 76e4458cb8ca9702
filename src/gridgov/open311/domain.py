"""The servicerequestupdates extension (mySociety's, to GeoReport v2) over the case record (pure).

An update is one public event of a case after its report; its `update_id` is the event's row id, which never
changes and is never reused. Its status is mapped from the case status the event led to (STATUS_MAP); a
rejection and a closing with a merged case's parent get statuses of their own (`update_status`). GeoReport's
own `status` field stays `open`/`closed` (the case status's kind).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gridgov.cases.domain import Action, CaseStatus
from gridgov.errors import ValidationFailed


class UpdateStatus(StrEnum):
    """The statuses of the extension (FixMyStreet's Open311 client reads these)."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    IN_PROGRESS = "in_progress"
    ACTION_SCHEDULED = "action_scheduled"
    FIXED = "fixed"
    NOT_COUNCILS_RESPONSIBILITY = "not_councils_responsibility"
    NO_FURTHER_ACTION = "no_further_action"
    DUPLICATE = "duplicate"
    INTERNAL_REFERRAL = "internal_referral"
    CLOSED = "closed"


U = UpdateStatus

# the case status an event led to → the update's status (docs/open311.md has this table)
STATUS_MAP: dict[CaseStatus, UpdateStatus] = {
    CaseStatus.REPORTED: U.OPEN,
    CaseStatus.REGISTERED: U.INVESTIGATING,
    CaseStatus.RETURNED: U.INVESTIGATING,  # back at the command centre, to be dispatched again
    CaseStatus.SUSPENDED: U.INVESTIGATING,
    CaseStatus.DISPATCHED: U.ACTION_SCHEDULED,
    CaseStatus.ACCEPTED: U.IN_PROGRESS,
    CaseStatus.HANDLED: U.IN_PROGRESS,  # fed back, waiting for verification
    CaseStatus.CLOSED: U.FIXED,
    CaseStatus.EVALUATED: U.FIXED,
    CaseStatus.REJECTED: U.NO_FURTHER_ACTION,  # or NOT_COUNCILS_RESPONSIBILITY, by the reason (update_status)
    CaseStatus.MERGED: U.DUPLICATE,
    CaseStatus.REOPENED: U.OPEN,
    CaseStatus.TRANSFERRED: U.NOT_COUNCILS_RESPONSIBILITY,  # 转办: passed to another line or platform (issue 17)
}

# a rejection whose reason says the matter is not the city's goes out as not_councils_responsibility
NOT_OURS_CUES = ("不属于", "非本", "职责", "管辖", "权属")

# events nobody following a report needs: the system's proposals, deadline alarms, the erasure of a reporter
QUIET_ACTIONS = frozenset({Action.REPORT_CASE, Action.CLASSIFY, Action.WARN, Action.ESCALATE, Action.ERASE_REPORTER})


def update_status(action: Action, to_status: CaseStatus, note: str | None) -> UpdateStatus:
    """The extension's status of one event."""
    if action is Action.FOLLOW_PARENT:  # a merged case closed with its parent: still a duplicate, not fixed
        return U.DUPLICATE
    if to_status is CaseStatus.REJECTED and note and any(cue in note for cue in NOT_OURS_CUES):
        return U.NOT_COUNCILS_RESPONSIBILITY
    return STATUS_MAP[to_status]


def is_public(action: Action) -> bool:
    return action not in QUIET_ACTIONS


class Inbound(StrEnum):
    """What a POSTed update asks for (docs/open311.md#post-servicerequestupdates)."""

    COMMENT = "comment"  # a note on the case
    REOPEN = "reopen"  # an unsatisfied 回访 of a closed case (the case loop reopens it inside its window)
    RESOLVED = "resolved"  # a resolved, satisfied 回访 of a closed case


# the status field as FixMyStreet sends it (upper case); the extended set beyond OPEN/CLOSED
INBOUND_STATUSES = frozenset(
    {
        "OPEN",
        "CLOSED",
        "FIXED",
        "REOPEN",
        "INVESTIGATING",
        "IN_PROGRESS",
        "ACTION_SCHEDULED",
        "NOT_COUNCILS_RESPONSIBILITY",
        "NO_FURTHER_ACTION",
        "DUPLICATE",
        "INTERNAL_REFERRAL",
    }
)


class BadUpdateStatus(ValidationFailed):
    code = "open311_bad_status"
    message = "status 不合法"


def inbound(status: str, case_status: CaseStatus, from_reporter: bool = True) -> Inbound:
    """OPEN or REOPEN on a closed case waiting for its 回访 (`closed`) is a reopen, FIXED there from the reporter a
    resolved verdict; everything else, and these on any other case (open, rejected, already evaluated), is a
    comment: a client never closes or moves a case of the city."""
    wanted = status.strip().upper().replace(" ", "_")
    if wanted and wanted not in INBOUND_STATUSES:
        raise BadUpdateStatus(f"status 不合法: {status!r}", field="status")
    if case_status is CaseStatus.CLOSED and wanted in ("OPEN", "REOPEN"):
        return Inbound.REOPEN
    if case_status is CaseStatus.CLOSED and wanted == "FIXED" and from_reporter:
        return Inbound.RESOLVED
    return Inbound.COMMENT


# -- pushing updates out ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Remote:
    """A remote Open311 endpoint that files requests here and takes our updates at its own POST
    servicerequestupdates: the updates of the cases `username`'s api_key filed go to `url`."""

    name: str
    url: str
    api_key: str
    username: str
    jurisdiction_id: str = ""


class BadRemotes(ValidationFailed):
    code = "open311_bad_remotes"
    message = "GRIDGOV_OPEN311_REMOTES 不合法"


def parse_remotes(text: str) -> tuple[Remote, ...]:
    """GRIDGOV_OPEN311_REMOTES: a JSON list of {"name", "url", "api_key", "username"[, "jurisdiction_id"]}."""
    if not text.strip():
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        raise BadRemotes("GRIDGOV_OPEN311_REMOTES 须为 JSON 列表") from None
    if not isinstance(items, list):
        raise BadRemotes("GRIDGOV_OPEN311_REMOTES 须为 JSON 列表")
    remotes = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k] for k in REMOTE_KEYS):
            raise BadRemotes(f"GRIDGOV_OPEN311_REMOTES 第 {n} 项须有 {', '.join(REMOTE_KEYS)}")
        if not item["url"].startswith(("http://", "https://")) or len(item["name"]) > 50:
            raise BadRemotes(f"GRIDGOV_OPEN311_REMOTES 第 {n} 项: url 须为 http(s)，name 不超过 50 字")
        remotes.append(Remote(**{k: str(item.get(k, "")) for k in (*REMOTE_KEYS, "jurisdiction_id")}))
    if len({r.name for r in remotes}) != len(remotes):
        raise BadRemotes("GRIDGOV_OPEN311_REMOTES 的 name 不能重复")
    return tuple(remotes)


REMOTE_KEYS = ("name", "url", "api_key", "username")


def retry_at(now: datetime, attempts: int, base_seconds: int, cap_seconds: int = 3600) -> datetime:
    """When a delivery that failed `attempts` times is tried again: base, 2×base, 4×base, … up to the cap."""
    return now + timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), cap_seconds))
