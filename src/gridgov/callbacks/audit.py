"""The 回访 rows re-derived from the case events of the calls, for `gridgov audit verify`.

Every call is a ``callback_attempted`` event of the case's chain (``callback_id``, ``attempt``, ``outcome``,
``note``, the operator and the time), so each ``callback_attempts`` row must be one of them, and a call-back that
had calls must stand where those calls leave it (``domain.after_attempt`` from the first to the last: its
``attempts``, ``failed_attempts`` and ``status``, and ``closed_at`` at the last call when that ended it). 回访率
and 回访满意率 are counted from these rows. A call-back with no call yet (open, skipped by the sample, or moot)
writes no event and is not re-derived: its row is the queue's own state; nor is the step from open to moot (the
case changed before the next call), which writes none either.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.callbacks.domain import CallbackStatus, Outcome, after_attempt
from gridgov.callbacks.models import Callback, CallbackAttempt
from gridgov.cases.domain import Action
from gridgov.cases.models import CaseEvent


def _time(at: Any) -> str | None:
    if at is None:
        return None
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return str(at.isoformat(timespec="microseconds"))


def problems(session: Session) -> list[str]:
    """Each 回访 row that its call events do not account for, or that is missing, as one line."""
    calls: dict[int, list[CaseEvent]] = {}
    stmt = select(CaseEvent).where(CaseEvent.action == Action.CALLBACK_ATTEMPT.value).order_by(CaseEvent.id)
    for ev in session.scalars(stmt).yield_per(2000):
        calls.setdefault(int((ev.payload or {}).get("callback_id", 0)), []).append(ev)
    out: list[str] = []
    attempts: dict[tuple[int, int], CallbackAttempt] = {
        (a.callback_id, a.number): a for a in session.scalars(select(CallbackAttempt))
    }
    rows = {c.id: c for c in session.scalars(select(Callback).order_by(Callback.id))}
    for cid, events in sorted(calls.items()):
        row = rows.get(cid)
        if row is None:
            out.append(f"回访 {cid}: 有 {len(events)} 次回访事件, 表中缺失")
            continue
        failed, status, closed_at = 0, CallbackStatus.OPEN, None
        for n, ev in enumerate(sorted(events, key=lambda e: int(e.payload.get("attempt", 0))), start=1):
            p = ev.payload
            step = after_attempt(failed, Outcome(p["outcome"]))
            failed, status = step.failed_attempts, step.status
            if status.done and closed_at is None:
                closed_at = ev.occurred_at
            att = attempts.pop((cid, int(p["attempt"])), None)
            want = (n, p["outcome"], p.get("note") or "", ev.actor_id, _time(ev.occurred_at), ev.case_id)
            have = (
                None
                if att is None
                else (att.number, att.outcome, att.note or "", att.operator_id, _time(att.at), row.case_id)
            )
            if have != want:
                out.append(f"回访 {cid} 第 {p['attempt']} 次: 记录 {have!r} 与事件 {want!r} 不符")
        have_row = (row.attempts, row.failed_attempts, row.status, _time(row.closed_at))
        want_row = (len(events), failed, status.value, _time(closed_at))
        if status is CallbackStatus.OPEN and row.status == CallbackStatus.MOOT.value:
            want_row = (len(events), failed, row.status, _time(row.closed_at))  # moot writes no event (see above)
        if have_row != want_row:
            out.append(
                f"回访 {cid} (案件 {row.case_id}): 次数/失败次数/状态/结束时间 {have_row!r}, 按事件应为 {want_row!r}"
            )
    out.extend(f"回访 {cid} 第 {n} 次: 没有对应的回访事件" for cid, n in sorted(attempts))
    return out
