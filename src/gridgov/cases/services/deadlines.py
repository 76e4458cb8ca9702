"""The deadline scan: yellow warnings at the warning fraction, red escalation one level up the tree per period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.cases.domain import (  # 督办/催办 (issue 15)
    Action,
    AlarmLevel,
    AlarmStep,
    CaseStatus,
    StatusKind,
    due_alarm_steps,
    next_alarm_at,
    next_status,
    urge_level,
)
from gridgov.cases.events import event_row
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.repository import AlarmRow
from gridgov.cases.services.clocks import clock_of
from gridgov.cases.services.policy import CasePolicy
from gridgov.clock import WorkingDays
from gridgov.errors import Conflict
from gridgov.logging import get_logger
from gridgov.units.services import UnitInfo, supervisors

log = get_logger(__name__)


@dataclass
class ScanReport:
    scanned: int = 0
    warned: int = 0
    escalated: int = 0
    skipped: int = 0  # changed by someone else during the scan; picked up by the next scan
    steps: list[dict[str, Any]] = field(default_factory=list)
    urged: int = 0  # 催办 written (督办/催办, issue 15)

    def merge(self, other: ScanReport, keep_steps: int) -> None:
        self.scanned += other.scanned
        self.warned += other.warned
        self.escalated += other.escalated
        self.urged += other.urged
        self.steps.extend(other.steps[: max(keep_steps - len(self.steps), 0)])


def scan_overdue(
    uow_factory: Callable[[], CasesUnitOfWork],
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    batch_size: int = 1000,
    dry_run: bool = False,
    keep_steps: int = 1000,
) -> ScanReport:
    """Yellow warning at the warning fraction, red + one level up the tree when overdue, again each period.

    Idempotent: the case row remembers its alarm level and escalation count, so a second run at the
    same `now` finds nothing to do. Runs in batches of `batch_size`, each its own transaction; a batch
    that collides with a person's action on one of its cases is redone case by case, so one busy case
    never holds back the others.
    """
    report = ScanReport()
    after: tuple[datetime, int] | None = None
    chains: dict[int, list[UnitInfo]] = {}
    while True:
        local = ScanReport()
        ids: list[int] = []
        try:
            with uow_factory() as uow:
                batch = uow.cases.due_alarm_rows(now, batch_size, after)
                if not batch:
                    break
                last = batch[-1]
                assert last.next_alarm_at is not None
                after = (last.next_alarm_at, last.id)
                ids = [c.id for c in batch]
                events: list[dict[str, Any]] = []
                urges = _Urges.load(uow, ids, now)
                for row in batch:
                    local.scanned += 1
                    _alarm_case(uow, row, now, calendar, policy, chains, local, keep_steps, events, urges)
                uow.cases.save_alarm_rows(batch)
                uow.cases.insert_event_rows(events)
                uow.cases.add_urges(urges.rows)
                if dry_run:
                    uow.rollback()
                else:
                    uow.commit()
            report.merge(local, keep_steps)
        except Conflict:
            for case_id in ids:
                _alarm_one(uow_factory, case_id, now, calendar, policy, chains, report, keep_steps)
    log.info(
        "deadline_scan",
        scanned=report.scanned,
        warned=report.warned,
        escalated=report.escalated,
        skipped=report.skipped,
        dry_run=dry_run,
    )
    return report


def _alarm_one(
    uow_factory: Callable[[], CasesUnitOfWork],
    case_id: int,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    chains: dict[int, list[UnitInfo]],
    report: ScanReport,
    keep_steps: int,
) -> None:
    local = ScanReport()
    try:
        with uow_factory() as uow:
            row = uow.cases.alarm_row(case_id)
            if row is None or row.next_alarm_at is None or row.next_alarm_at > now:
                return
            if CaseStatus(row.status).kind is StatusKind.CLOSED:
                return
            local.scanned += 1
            events: list[dict[str, Any]] = []
            urges = _Urges.load(uow, [case_id], now)
            _alarm_case(uow, row, now, calendar, policy, chains, local, keep_steps, events, urges)
            uow.cases.save_alarm_rows([row])
            uow.cases.insert_event_rows(events)
            uow.cases.add_urges(urges.rows)
            uow.commit()
        report.merge(local, keep_steps)
    except Conflict:
        report.skipped += 1
        log.warning("deadline_scan_conflict", case_id=case_id)


def _alarm_case(
    uow: CasesUnitOfWork,
    case: AlarmRow,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    chains: dict[int, list[UnitInfo]],
    report: ScanReport,
    keep_steps: int,
    events: list[dict[str, Any]],
    urges: _Urges | None = None,
) -> None:
    clock = clock_of(case)
    case.updated_at = now
    if clock is None or case.owner_unit_id is None:
        case.next_alarm_at = None
        return
    chain = chains.get(case.owner_unit_id)
    if chain is None:
        chain = chains[case.owner_unit_id] = supervisors(uow, case.owner_unit_id)
    level, escalations = AlarmLevel(case.alarm_level), case.escalation_level
    for step in due_alarm_steps(clock, level, escalations, now, calendar, policy.warning_fraction, len(chain)):
        status = CaseStatus(case.status)
        next_status(status, step.action)
        payload: dict[str, Any] = {"due_at": clock.due.isoformat(), "step_due_at": step.at.isoformat()}
        target = None
        if step.action is Action.ESCALATE:
            target = chain[step.escalation - 1]
            payload.update(level=step.escalation, to_unit_code=target.code, to_unit_name=target.name)
            case.escalated_to_unit_id = target.id
            report.escalated += 1
        else:
            report.warned += 1
        case.alarm_level, case.escalation_level = step.level.value, step.escalation or case.escalation_level
        level, escalations = step.level, case.escalation_level
        events.append(
            event_row(
                case,
                step.action,
                Actor.system(),
                status,
                status,
                now,
                payload,
                unit_id=target.id if target else case.owner_unit_id,
            )
        )
        if len(report.steps) < keep_steps:
            report.steps.append(
                {"case_id": case.id, "tracking_code": case.tracking_code, "action": step.action.value, **payload}
            )
        if urges is not None and urges.urge(case, step, status, now, payload, events):
            report.urged += 1
    case.next_alarm_at = next_alarm_at(clock, level, escalations, calendar, policy.warning_fraction, len(chain))


# -- 督办/催办 (issue 15) ------------------------------------------------------------------------------
@dataclass
class _Urges:
    """催办 of one scan batch: the handling task of each case, the (task, level) already urged, the rows to write."""

    tasks: dict[int, tuple[int, int]]
    done: set[tuple[int, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, uow: CasesUnitOfWork, case_ids: list[int], now: datetime) -> _Urges:
        tasks = uow.cases.primary_tasks(case_ids)
        return cls(tasks, uow.cases.urged([t for t, _ in tasks.values()]))

    def urge(
        self,
        case: AlarmRow,
        step: AlarmStep,
        status: CaseStatus,
        now: datetime,
        alarm: dict[str, Any],
        events: list[dict[str, Any]],
    ) -> bool:
        """The 催办 this step writes to the case's handling task (yellow at the warning, red at the first
        escalation), once per task and level: an event of the case's chain and a row under a unique key."""
        level = urge_level(step)
        task = self.tasks.get(case.id)
        if level is None or task is None or (task[0], level.value) in self.done:
            return False
        task_id, unit_id = task
        self.done.add((task_id, level.value))
        self.rows.append(
            {"case_id": case.id, "task_id": task_id, "unit_id": unit_id, "level": level.value, "urged_at": now}
        )
        payload = {"task_id": task_id, "unit_id": unit_id, "level": level.value, "due_at": alarm["due_at"]}
        events.append(event_row(case, Action.URGE, Actor.system(), status, status, now, payload, unit_id=unit_id))
        return True
