"""Read-only selects of the 回访 queue for the operators' screen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.callbacks.domain import OUTCOME_LABELS, CallbackStatus, Outcome
from gridgov.callbacks.models import Callback, CallbackAttempt
from gridgov.cases.domain import Satisfaction
from gridgov.cases.models import Case
from gridgov.categories.models import Category


def _rows(session: Session, statuses: list[str], limit: int, newest_first: bool) -> list[dict[str, Any]]:
    order = (Callback.closed_at.desc(), Callback.id.desc()) if newest_first else (Callback.due_at, Callback.id)
    stmt = (
        select(
            Callback,
            Case.tracking_code,
            Case.title,
            Case.reporter_name,
            Case.reporter_phone,
            Case.closed_at,
            Category.name,
        )
        .join(Case, Case.id == Callback.case_id)
        .outerjoin(Category, Category.code == Callback.category_code)
        .where(Callback.status.in_(statuses))
        .order_by(*order)
        .limit(limit)
    )
    out: list[dict[str, Any]] = []
    tries: dict[int, list[dict[str, Any]]] = {}
    for cb, code, title, name, phone, closed_at, category in session.execute(stmt):
        out.append(
            {
                "id": cb.id,
                "case_id": cb.case_id,
                "tracking_code": code,
                "title": title,
                "category_name": category or cb.category_code or "",
                "reporter_name": name,
                "reporter_phone": phone,
                "case_closed_at": closed_at,
                "due_at": cb.due_at,
                "status": cb.status,
                "status_label": CallbackStatus(cb.status).label,
                "attempts": cb.attempts,
                "failed_attempts": cb.failed_attempts,
                "closed_at": cb.closed_at,
                "tries": tries.setdefault(cb.id, []),
            }
        )
    if out:
        stmt_tries = select(CallbackAttempt).where(CallbackAttempt.callback_id.in_(list(tries)))
        for a in session.scalars(stmt_tries.order_by(CallbackAttempt.id)):
            tries[a.callback_id].append(
                {"number": a.number, "outcome": OUTCOME_LABELS[Outcome(a.outcome)], "at": a.at, "note": a.note}
            )
    return out


def queue(session: Session, now: datetime, limit: int = 200) -> dict[str, Any]:
    """The open call-backs, the most urgent first (overdue ones marked), and the last ones finished."""
    open_rows = _rows(session, [CallbackStatus.OPEN.value], limit, newest_first=False)
    for r in open_rows:
        r["overdue"] = r["due_at"] < now
    done = [s.value for s in CallbackStatus if s.done and s is not CallbackStatus.SKIPPED]
    return {"open": open_rows, "done": _rows(session, done, 20, newest_first=True)}


def callback_counts(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Call-backs finished in [start, end), by result (metrics.domain.CallbackCounts)."""
    stmt = (
        select(Callback.status, Case.satisfaction, func.count())
        .join(Case, Case.id == Callback.case_id)
        .where(Callback.closed_at >= start, Callback.closed_at < end)
        .group_by(Callback.status, Case.satisfaction)
    )
    out = {"satisfied": 0, "unsatisfied": 0, "unreached": 0, "refused": 0}
    for status, satisfaction, n in session.execute(stmt):
        if status == CallbackStatus.REACHED.value:
            out["unsatisfied" if satisfaction == Satisfaction.UNSATISFIED.value else "satisfied"] += int(n)
        elif status in ("unreached", "refused"):
            out[status] += int(n)
    return out
