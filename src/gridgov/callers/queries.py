"""Read-only: a caller's earlier cases, found by the keyed hash of the phone (cases.caller_key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.callers.domain import EarlierCall
from gridgov.cases.domain import CaseStatus, StatusKind
from gridgov.cases.models import Case

LIMIT = 50


def earlier_calls(session: Session, key: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The cases of this caller received in [since, until], newest first."""
    stmt = (
        select(
            Case.id, Case.tracking_code, Case.title, Case.description, Case.status, Case.created_at, Case.parent_case_id
        )
        .where(Case.caller_key == key, Case.created_at >= since, Case.created_at <= until)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(LIMIT)
    )
    return [dict(r) for r in session.execute(stmt).mappings()]


def as_calls(rows: list[dict[str, Any]]) -> list[EarlierCall]:
    return [
        EarlierCall(
            r["id"],
            f"{r['title']} {r['description'] or ''}",
            r["created_at"],
            CaseStatus(r["status"]).kind is StatusKind.OPEN and r["status"] != CaseStatus.MERGED.value,
            r["parent_case_id"] is not None,
        )
        for r in rows
    ]


def case_caller(session: Session, case_id: int) -> dict[str, Any] | None:
    row = (
        session.execute(
            select(
                Case.id,
                Case.caller_key,
                Case.title,
                Case.description,
                Case.created_at,
                Case.status,
                Case.parent_case_id,
            ).where(Case.id == case_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None
