"""Pushing updates out: each public event of a case that a remote Open311 endpoint filed (GRIDGOV_OPEN311_REMOTES)
is POSTed to that endpoint's servicerequestupdates, with the same fields a client posts here.

- **In the event's transaction.** `DeliveryRecorder` runs in every unit of work just before its commit. Each new
  public case event whose case was filed by a remote's user (and not written by that user itself) becomes an
  `open311_deliveries` row, and a job `gridgov.open311_push` goes into the unit of work's job outbox
  (`uow.enqueue`). Both commit or roll back with the event.
- **Delivery.** `push_due` POSTs the pending rows that are due. A 2xx marks a row `sent`. Anything else (an
  error status, a refused or timed-out connection) is retried at `retry_at` (base, 2×, 4×, … capped at an hour),
  and after the last attempt the row is `failed`. The `update_id` is the event's id on every attempt, so the
  remote sees a retried update as the same one. The procrastinate worker runs the job at once; the periodic sweep
  (and `gridgov open311 push`) takes whatever is due, which covers the in-process queue and any lost job.
- Events written in bulk outside the ORM (deadline alarms, category proposals) are quiet and never pushed.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from gridgov.accounts.models import User
from gridgov.cases.domain import Action
from gridgov.cases.models import Case, CaseEvent
from gridgov.logging import get_logger
from gridgov.open311.domain import Remote, is_public, retry_at
from gridgov.open311.models import Open311Delivery, Open311Request
from gridgov.open311.queries import updates_by_id
from gridgov.open311.updates import update_records

log = get_logger(__name__)

PUSH_UPDATES = "gridgov.open311_push"
_NEW_EVENTS = "open311_new_case_events"

Sender = Callable[[str, Mapping[str, str]], int]  # (url, form fields) → HTTP status


class Outbox(Protocol):
    session: Session

    def enqueue(self, task: str, **args: object) -> None: ...


def _delivery_targets(
    session: Session, remotes: Sequence[Remote], events: Sequence[CaseEvent]
) -> list[tuple[Remote, CaseEvent]]:
    names = {r.username: r for r in remotes}
    users = dict(session.execute(select(User.id, User.username).where(User.username.in_(names))).all())
    if not users:
        return []
    filed = dict(
        session.execute(
            select(Case.id, Case.created_by_id).where(
                Case.id.in_({e.case_id for e in events}), Case.source == "open311", Case.created_by_id.in_(users)
            )
        ).all()
    )
    targets = []
    for e in events:
        owner = filed.get(e.case_id)
        if owner is None or e.actor_id == owner:  # not a remote's case, or the remote's own update
            continue
        targets.append((names[users[owner]], e))
    return targets


class DeliveryRecorder:
    """Called by the unit of work just before it commits (gridgov.uow, `before_commit`)."""

    def __init__(self, remotes: Sequence[Remote], sessions: sessionmaker[Session]) -> None:
        self.remotes = tuple(remotes)
        event.listen(sessions, "after_flush", self._collect)

    @staticmethod
    def _collect(session: Session, context: UOWTransaction) -> None:
        new = [obj for obj in session.new if isinstance(obj, CaseEvent)]
        if new:
            session.info.setdefault(_NEW_EVENTS, []).extend(new)

    def __call__(self, uow: Outbox) -> None:
        session = uow.session
        session.flush()
        written: list[CaseEvent] = session.info.pop(_NEW_EVENTS, [])
        events = [e for e in written if e in session and e.id is not None and _public(e.action)]
        if not events or not self.remotes:
            return
        rows = [
            Open311Delivery(
                remote=remote.name,
                case_id=e.case_id,
                event_id=e.id,
                status="pending",
                attempts=0,
                next_attempt_at=e.occurred_at,
                last_error="",
                created_at=e.occurred_at,
            )
            for remote, e in _delivery_targets(session, self.remotes, events)
        ]
        if not rows:
            return
        session.add_all(rows)
        session.flush()
        uow.enqueue(PUSH_UPDATES, delivery_ids=[r.id for r in rows])


def _public(action: str) -> bool:
    try:
        return is_public(Action(action))
    except ValueError:
        return False


@dataclass
class PushReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def update_fields(remote: Remote, record: Mapping[str, Any], external_id: str | None) -> dict[str, str]:
    """The form a remote receives: the fields of POST servicerequestupdates, with our update_id."""
    fields = {
        "api_key": remote.api_key,
        "jurisdiction_id": remote.jurisdiction_id,
        "service_request_id": str(record["service_request_id"]),
        "update_id": str(record["update_id"]),
        "updated_datetime": str(record["updated_datetime"]),
        "status": str(record["status"]).upper(),
        "description": str(record["description"]),
        "external_status_code": str(record["external_status_code"]),
        "media_url": "",
    }
    if external_id:
        fields["external_id"] = external_id
    return fields


def push_due(
    sessions: sessionmaker[Session],
    remotes: Sequence[Remote],
    now: datetime,
    send: Sender,
    *,
    ids: Sequence[int] | None = None,
    limit: int = 100,
    max_attempts: int = 8,
    backoff_seconds: int = 60,
) -> PushReport:
    """POST the pending deliveries due by `now` (or only `ids`), up to `limit`; their outcomes commit together.
    Rows being pushed by another worker are skipped (PostgreSQL: FOR UPDATE SKIP LOCKED). A process stopped
    half-way sends those rows again later, under the same update_id."""
    by_name = {r.name: r for r in remotes}
    report = PushReport()
    with sessions() as s, s.begin():
        stmt = select(Open311Delivery).where(
            Open311Delivery.status == "pending", Open311Delivery.next_attempt_at <= now
        )
        if ids is not None:
            stmt = stmt.where(Open311Delivery.id.in_(ids))
        rows = list(s.scalars(stmt.order_by(Open311Delivery.id).limit(limit).with_for_update(skip_locked=True)))
        if not rows:
            return report
        records = {int(r["update_id"]): r for r in update_records(updates_by_id(s, [row.event_id for row in rows]))}
        externals = dict(
            s.execute(
                select(Open311Request.case_id, Open311Request.external_id).where(
                    Open311Request.case_id.in_({row.case_id for row in rows})
                )
            ).all()
        )
        for row in rows:
            remote, record = by_name.get(row.remote), records.get(row.event_id)
            row.attempts += 1
            if remote is None or record is None:
                row.status, row.last_error = "failed", "远端未配置" if remote is None else "事件不可公开"
                report.failed += 1
                continue
            try:
                status = send(remote.url, update_fields(remote, record, externals.get(row.case_id)))
                error = "" if 200 <= status < 300 else f"HTTP {status}"
            except OSError as exc:  # refused, reset, timed out, unresolvable
                error = type(exc).__name__
            if not error:
                row.status, row.sent_at, row.last_error = "sent", now, ""
                report.sent += 1
                log.info("open311_update_pushed", remote=row.remote, event_id=row.event_id, attempts=row.attempts)
            elif row.attempts >= max_attempts:
                row.status, row.last_error = "failed", error[:200]
                report.failed += 1
                log.warning("open311_push_failed", remote=row.remote, event_id=row.event_id, error=error)
            else:
                row.next_attempt_at, row.last_error = retry_at(now, row.attempts, backoff_seconds), error[:200]
                report.retried += 1
                log.info("open311_push_retry", remote=row.remote, event_id=row.event_id, error=error)
    return report


def http_send(url: str, fields: Mapping[str, str], timeout: float = 10.0) -> int:
    """POST the fields form-encoded; the answer's status (an HTTP error status is an answer, not an exception)."""
    body = urllib.parse.urlencode(fields).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured remote)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
