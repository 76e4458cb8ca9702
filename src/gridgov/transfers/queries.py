"""Read-only: a case's transfers, as the case page and the API show them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.transfers.models import CaseTransfer

DIRECTION_LABELS = {"out": "转出", "in": "转入"}
STATUS_LABELS = {"sent": "已转出, 待反馈", "reported": "已反馈", "received": "已接收"}


def row_of(t: CaseTransfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "case_id": t.case_id,
        "direction": t.direction,
        "direction_label": DIRECTION_LABELS.get(t.direction, t.direction),
        "counterpart": t.counterpart,
        "counterpart_name": t.counterpart_name,
        "transfer_ref": t.transfer_ref,
        "external_ref": t.external_ref,
        "reason": t.reason,
        "status": t.status,
        "status_label": STATUS_LABELS.get(t.status, t.status),
        "outcome": t.outcome,
        "outcome_status": t.outcome_status,
        "outcome_at": t.outcome_at.isoformat() if t.outcome_at else None,
        "created_at": t.created_at.isoformat(),
    }


def transfers_of_case(session: Session, case_id: int) -> list[dict[str, Any]]:
    stmt = select(CaseTransfer).where(CaseTransfer.case_id == case_id).order_by(CaseTransfer.id)
    return [row_of(t) for t in session.scalars(stmt)]


def transfer(session: Session, transfer_id: int) -> dict[str, Any] | None:
    t = session.get(CaseTransfer, transfer_id)
    return row_of(t) if t is not None else None
