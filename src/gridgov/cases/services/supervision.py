"""The 督办 scan (issue 15): a 督办 not answered by its deadline escalates one level up the handling unit's chain,
then once more each further period, as a case's red escalation does. Each escalation is an event of the case's
chain (`supervision_escalated`), written in the transaction that moves the 督办 on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.cases.domain import (
    Action,
    CaseStatus,
    StatusKind,
    SupervisionStatus,
    due_supervision_steps,
    next_supervision_check,
)
from gridgov.cases.events import record_event
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.errors import Conflict
from gridgov.logging import get_logger
from gridgov.units.services import supervisors

log = get_logger(__name__)


@dataclass
class SupervisionScan:
    checked: int = 0
    escalated: int = 0
    ended: int = 0  # their case closed meanwhile
    skipped: int = 0  # changed by someone else during the scan; the next scan picks them up
    steps: list[dict[str, Any]] = field(default_factory=list)


def scan_supervisions(
    uow_factory: Callable[[], CasesUnitOfWork], now: datetime, batch_size: int = 500
) -> SupervisionScan:
    """Idempotent: the 督办 row remembers how often it escalated, so a second run at the same `now` finds
    nothing to do; each 督办 is its own transaction, so a busy case holds back no other."""
    report = SupervisionScan()
    with uow_factory() as uow:
        due = uow.cases.due_supervisions(now, batch_size)
    for supervision_id in due:
        try:
            with uow_factory() as uow:
                _escalate(uow, supervision_id, now, report)
                uow.commit()
        except Conflict:
            report.skipped += 1
            log.warning("supervision_scan_conflict", supervision_id=supervision_id)
    log.info("supervision_scan", checked=report.checked, escalated=report.escalated, ended=report.ended)
    return report


def _escalate(uow: CasesUnitOfWork, supervision_id: int, now: datetime, report: SupervisionScan) -> None:
    row = uow.cases.get_supervision(supervision_id)
    if row is None or row.status != SupervisionStatus.OPEN.value or row.next_check_at is None:
        return
    case = uow.cases.get(row.case_id)  # locked: the event moves the case's chain head
    if case is None or row.next_check_at > now:
        return
    report.checked += 1
    status = CaseStatus(case.status)
    if status.kind is StatusKind.CLOSED:
        row.status, row.next_check_at = SupervisionStatus.ENDED.value, None
        report.ended += 1
        return
    chain = supervisors(uow, row.unit_id)
    for step in due_supervision_steps(row.issued_at, row.due_at, row.escalation_level, now, len(chain)):
        target = chain[step.level - 1]
        payload = {
            "supervision_id": row.id,
            "level": step.level,
            "unit_id": row.unit_id,
            "to_unit_id": target.id,
            "to_unit_code": target.code,
            "to_unit_name": target.name,
            "due_at": row.due_at.isoformat(),
            "step_due_at": step.at.isoformat(),
        }
        record_event(
            uow.cases, case, Action.ESCALATE_SUPERVISION, Actor.system(), status, status, now, payload, target.id
        )
        row.escalation_level, row.escalated_to_unit_id = step.level, target.id
        report.escalated += 1
        report.steps.append({"case_id": case.id, "tracking_code": case.tracking_code, **payload})
    row.next_check_at = next_supervision_check(row.issued_at, row.due_at, row.escalation_level, len(chain))
