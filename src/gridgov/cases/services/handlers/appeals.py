"""12345 operations (issue 17): appeals (申诉/甄别). A handling unit contests the verdict on its work, or asks
for the case to be classed 不合理诉求, 非本单位职责, 重复诉求 or 无法联系, with its reason and evidence; the command
centre decides within `policy.appeal_days` working days. An upheld appeal marks what the unit's task is taken
out of (cases.domain.APPEAL_EXCLUDES; the formulas are in docs/metrics.md#appeals)."""

from __future__ import annotations

from gridgov.cases import commands as c
from gridgov.cases.domain import APPEAL_EXCLUDES, Action, AppealKind, TaskStatus
from gridgov.cases.models import CaseTask
from gridgov.cases.services.context import ActionContext
from gridgov.clock import Limit, TimeUnit
from gridgov.errors import InvalidTransition, ValidationFailed


def appeal(ctx: ActionContext, cmd: c.Appeal) -> None:
    task = next(
        (
            t
            for t in reversed(ctx.tasks())
            if t.unit_id == ctx.actor.unit_id and t.status != TaskStatus.CANCELLED.value and t.appeal_status is None
        ),
        None,
    )
    if task is None:  # the guard checked; a concurrent appeal of the same unit lost the race
        raise InvalidTransition("本单位已就该案件申诉过")
    kind = AppealKind(cmd.appeal_kind)
    if kind is AppealKind.VERDICT and task.satisfaction is None and task.resolved is None:
        raise ValidationFailed("该任务尚无评价，不能申诉评价", field="appeal_kind")
    due = ctx.calendar.deadline(ctx.now, Limit(ctx.policy.appeal_days, TimeUnit.WORKING_DAYS))
    task.appeal_kind, task.appeal_status, task.appeal_reason = kind.value, "pending", cmd.reason
    task.appeal_evidence, task.appealed_at, task.appeal_due_at = list(cmd.evidence), ctx.now, due
    ctx.payload.update(
        {
            "unit_id": task.unit_id,
            "task_id": task.id,
            "appeal_kind": kind.value,
            "appeal_label": kind.label,
            "reason": cmd.reason,
            "evidence": list(cmd.evidence),
            "appeal_due_at": due.isoformat(),
        }
    )
    ctx.move(Action.APPEAL)


def _pending(ctx: ActionContext, unit_code: str | None) -> CaseTask:
    pending = [t for t in ctx.tasks() if t.appeal_status == "pending"]
    if unit_code:
        unit = ctx.unit(unit_code, "申诉单位")
        pending = [t for t in pending if t.unit_id == unit.id]
    if not pending:
        raise ValidationFailed("该单位没有待审核的申诉", field="unit_code")
    if len(pending) > 1:
        raise ValidationFailed("有多个单位的申诉待审核，请指定 unit_code", field="unit_code")
    return pending[0]


def _decide(ctx: ActionContext, unit_code: str | None, reason: str, upheld: bool, action: Action) -> None:
    task = _pending(ctx, unit_code)
    kind = AppealKind(task.appeal_kind or AppealKind.VERDICT.value)
    task.appeal_status = "upheld" if upheld else "refused"
    task.appeal_decided_at, task.appeal_decision = ctx.now, reason
    task.appeal_excludes = APPEAL_EXCLUDES[kind].value if upheld else None
    ctx.payload.update(
        {
            "unit_id": task.unit_id,
            "task_id": task.id,
            "appeal_kind": kind.value,
            "reason": reason,
            "excludes": task.appeal_excludes,
            "on_time": task.appeal_due_at is None or ctx.now <= task.appeal_due_at,
        }
    )
    ctx.move(action)


def uphold_appeal(ctx: ActionContext, cmd: c.UpholdAppeal) -> None:
    _decide(ctx, cmd.unit_code, cmd.reason, True, Action.UPHOLD_APPEAL)


def refuse_appeal(ctx: ActionContext, cmd: c.RefuseAppeal) -> None:
    _decide(ctx, cmd.unit_code, cmd.reason, False, Action.REFUSE_APPEAL)
