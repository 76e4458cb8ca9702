"""servicerequestupdates (mySociety's extension to GeoReport v2) both ways, as use cases over the case loop.

GET: the public events of the cases in a window, as updates (open311.domain maps the statuses). POST: a client's
update becomes a note on the case, an unsatisfied 回访 that reopens it, or a resolved verdict — once per client
update_id. No framework and no SQL here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gridgov.accounts.domain import scope_of
from gridgov.actor import Actor
from gridgov.cases.commands import Evaluate
from gridgov.cases.domain import ACTION_LABELS, ACTION_ROLES, Action, ActionNotPermitted, CaseStatus, Satisfaction
from gridgov.cases.events import record_event
from gridgov.cases.models import Case
from gridgov.cases.services import CasePolicy, apply_action
from gridgov.clock import WorkingDays
from gridgov.logging import get_logger
from gridgov.open311.domain import QUIET_ACTIONS, Inbound, inbound, update_status
from gridgov.open311.models import Open311Update
from gridgov.open311.ports import Open311UnitOfWork, Photos
from gridgov.open311.queries import UpdateRow
from gridgov.open311.services import WINDOW, BadArgument, UnknownRequest, clean_text, iso, normalise, when
from gridgov.redact import redact_text

log = get_logger(__name__)

UPDATE_WINDOW = timedelta(hours=2)  # the default window of GET servicerequestupdates
MAX_UPDATES = 1000
QUIET = tuple(a.value for a in QUIET_ACTIONS)
UPDATE_LIMITS = {"service_request_id": 32, "update_id": 100, "description": 4000, "status": 40, "media_url": 500}


# -- GET ------------------------------------------------------------------------------------------------------
def update_window(now: datetime, start_date: str | None, end_date: str | None) -> tuple[datetime, datetime]:
    """Both dates or neither (the last two hours); W3CDTF / ISO 8601, compared with the events' UTC times."""
    given = [bool(d and d.strip()) for d in (start_date, end_date)]
    if given[0] != given[1]:
        raise BadArgument("start_date 与 end_date 须同时提供或同时省略")
    if not given[0]:
        return now - UPDATE_WINDOW, now
    start, end = when("start_date", start_date or ""), when("end_date", end_date or "")
    if start > end:
        raise BadArgument("start_date 不能晚于 end_date")
    if end - start > WINDOW:
        raise BadArgument(f"start_date 与 end_date 相距不能超过 {WINDOW.days} 天")
    return start, end


def note_of(payload: Mapping[str, Any]) -> str | None:
    for key in ("note", "reason", "comment"):
        text = payload.get(key)
        if isinstance(text, str) and text.strip():
            return text.strip()
    return None


def update_record(row: UpdateRow) -> dict[str, Any] | None:
    """One event as an update, or None for an event nobody following the report needs. The text is public: the
    status label (or the action's, when the status stays) and the event's note, redacted (gridgov.redact)."""
    try:
        action, to_status = Action(row.action), CaseStatus(row.to_status)
    except ValueError:
        return None
    if action in QUIET_ACTIONS:
        return None
    note = note_of(row.payload)
    changed = row.from_status != row.to_status
    label = to_status.label if changed else ACTION_LABELS[action]
    with_note = changed or action in (Action.COMMENT, Action.EVALUATE)
    return {
        "update_id": str(row.event_id),
        "service_request_id": row.tracking_code,
        "status": update_status(action, to_status, note).value,
        "updated_datetime": iso(row.occurred_at),
        "description": f"{label}：{redact_text(note)}" if note and with_note else label,
        "media_url": None,
        "external_status_code": to_status.value,
    }


def update_records(rows: Sequence[UpdateRow]) -> list[dict[str, Any]]:
    return [r for r in (update_record(row) for row in rows) if r is not None]


# -- POST -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UpdateDraft:
    service_request_id: str
    client_update_id: str
    status: str
    description: str
    photos: tuple[bytes, ...] = ()
    email: str = ""  # whose update: compared with the request's, never stored


def update_draft(fields: Mapping[str, str], photos: Sequence[bytes] = ()) -> UpdateDraft:
    """A POSTed update's fields. The poster's name, e-mail and phone are not kept (the note is public)."""
    for name, value in fields.items():
        clean_text(name, value)
        limit = UPDATE_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise BadArgument(f"{name} 不能超过 {limit} 字")
    request_id = fields.get("service_request_id", "").strip()
    client_id = fields.get("update_id", "").strip()
    if not request_id:
        raise BadArgument("缺少 service_request_id")
    if not client_id:
        raise BadArgument("缺少 update_id")
    return UpdateDraft(
        service_request_id=request_id,
        client_update_id=client_id,
        status=fields.get("status", ""),
        description=normalise(fields.get("description", "")),
        photos=tuple(photos),
        email=fields.get("email", "")[:200],
    )


def _from_reporter(uow: Open311UnitOfWork, case_id: int, email: str) -> bool:
    """The update's e-mail is the one the request was filed with (FixMyStreet sends the updater's)."""
    filed = uow.open311.email_of(case_id)
    return bool(email and filed and email.strip().casefold() == filed.strip().casefold())


def _may_update(case: Case, actor: Actor) -> bool:
    """A client updates the cases it filed; a city-wide role any case."""
    return case.created_by_id == actor.user_id or scope_of(actor).everything


def post_update(
    uow: Open311UnitOfWork,
    draft: UpdateDraft,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    photos: Photos | None = None,
) -> str:
    """The update_id of the case event the client's update became; the same for a repeated client update_id.

    A comment is a `comment` event on the case (its status stays). REOPEN/OPEN on a closed case is an unsatisfied
    回访 through the case loop (`apply_action`, evaluate): inside the reopen window the loop reopens the case,
    after it the verdict is recorded and the case stays closed. FIXED on a closed case is a resolved, satisfied
    回访. Photos are checked before anything is written and stored after."""
    if actor.role not in ACTION_ROLES[Action.REPORT_CASE]:  # who may not report may not post updates (the leader)
        raise ActionNotPermitted(f"角色「{actor.role.label}」不能提交更新")
    if draft.photos and photos is None:
        raise BadArgument("本服务未配置照片存储")
    for data in draft.photos:
        assert photos is not None
        photos.check(data)
    with uow:
        known = uow.open311.update_of_client(actor.user_id, draft.client_update_id)
        if known is not None:
            return str(known.event_id)
        case = uow.open311.case_by_tracking_code(draft.service_request_id)
        if case is None or not _may_update(case, actor):
            raise UnknownRequest(f"服务请求不存在: {draft.service_request_id}")
        kind = inbound(draft.status, CaseStatus(case.status), _from_reporter(uow, case.id, draft.email))
        case_id, seq = case.id, case.event_count + 1  # the note's place in the case's chain
        if kind is Inbound.COMMENT:
            if not draft.description and not draft.photos:
                raise BadArgument("缺少 description")
            status = CaseStatus(case.status)
            payload = {"comment": draft.description, "open311_update_id": draft.client_update_id}
            if draft.photos:
                payload["photos"] = str(len(draft.photos))
            record_event(uow.cases, case, Action.COMMENT, actor, status, status, now, payload)
            written = uow.open311.event_id(case_id, seq)
            assert written is not None, "the note was just written"
            event_id = _remember(uow, actor, draft, case_id, written, now)
            uow.commit()
    if kind is not Inbound.COMMENT:
        verdict = Evaluate(
            resolved=kind is Inbound.RESOLVED,
            satisfaction=Satisfaction.SATISFIED if kind is Inbound.RESOLVED else Satisfaction.UNSATISFIED,
            comment=draft.description,
        )
        apply_action(uow, case_id, verdict, actor, now, calendar, policy)
        with uow:  # the verdict's event is the update (a reopen that follows is the city's own, listed as `open`)
            verdict_id = uow.open311.last_event_id(case_id, Action.EVALUATE.value)
            assert verdict_id is not None, "the verdict was just written"
            event_id = _remember(uow, actor, draft, case_id, verdict_id, now)
            uow.commit()
    for data in draft.photos:
        assert photos is not None
        photos.add(case_id, data, actor, now)
    log.info("open311_update_received", case_id=case_id, event_id=event_id, kind=kind.value)
    return str(event_id)


def _remember(
    uow: Open311UnitOfWork, actor: Actor, draft: UpdateDraft, case_id: int, event_id: int, now: datetime
) -> int:
    uow.open311.add_update(
        Open311Update(
            user_id=actor.user_id,
            client_update_id=draft.client_update_id,
            case_id=case_id,
            event_id=event_id,
            created_at=now,
        )
    )
    return event_id


def posted_record(update_id: str) -> dict[str, Any]:
    return {"update_id": update_id}
