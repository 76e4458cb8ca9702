"""街道吹哨、部门报到: the owning street summons departments, they report and feed back, the street rates them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gridgov.cases import commands as c
from gridgov.cases.domain import Action, TaskRole, TaskStatus, next_task_status
from gridgov.cases.models import CaseTask
from gridgov.cases.services.clocks import limits
from gridgov.cases.services.context import ActionContext
from gridgov.cases.services.policy import SUMMONABLE_KINDS
from gridgov.errors import InvalidTransition, ValidationFailed
from gridgov.units.domain import UnitKind

HELPERS = (TaskRole.WHISTLE, TaskRole.ASSIST)


def whistle(ctx: ActionContext, cmd: c.Whistle) -> None:
    _, handle, _ = limits(ctx)
    open_units = {
        t.unit_id for t in ctx.tasks() if t.role == TaskRole.WHISTLE.value and not TaskStatus(t.status).is_done
    }
    report_due = ctx.now + timedelta(minutes=ctx.policy.whistle_report_minutes)
    handle_due = ctx.calendar.deadline(ctx.now, handle)
    summoned: list[dict[str, Any]] = []
    for code in dict.fromkeys(cmd.department_codes):
        unit = ctx.assignee(code, "部门")
        if UnitKind(unit.kind) not in SUMMONABLE_KINDS:
            raise ValidationFailed(f"只能召集职能部门: {unit.name}", field="department_codes")
        if unit.id in open_units:
            raise ValidationFailed(f"该部门已在报到中: {unit.name}", field="department_codes")
        task = CaseTask(
            case_id=ctx.case.id,
            unit_id=unit.id,
            role=TaskRole.WHISTLE.value,
            status=TaskStatus.PENDING.value,
            assigned_at=ctx.now,
            assigned_by_unit_id=ctx.actor.unit_id,
            response_due_at=report_due,
            handle_due_at=handle_due,
            evidence=[],
            rework_count=0,
            postponed=False,
        )
        ctx.uow.cases.add_task(task)
        summoned.append({"task_id": task.id, "unit_code": unit.code, "unit_name": unit.name})
    ctx.move(Action.WHISTLE)
    ctx.payload.update(
        departments=summoned,
        report_due_at=report_due.isoformat(),
        handle_due_at=handle_due.isoformat(),
        note=cmd.note,
    )


def check_in(ctx: ActionContext, cmd: c.CheckIn) -> None:
    task = ctx.task_of_actor(HELPERS, [TaskStatus.PENDING])
    ctx.move(Action.CHECK_IN)
    task.status = next_task_status(TaskStatus(task.status), "accept").value
    task.responded_at = ctx.now
    task.response_late = ctx.now > task.response_due_at
    ctx.payload.update(task_id=task.id, late=task.response_late, role=task.role, note=cmd.note)


def task_feedback(ctx: ActionContext, cmd: c.TaskFeedback) -> None:
    task = ctx.task_of_actor(HELPERS, [TaskStatus.ACCEPTED])
    ctx.move(Action.TASK_FEEDBACK)
    task.status = next_task_status(TaskStatus(task.status), "feedback").value
    task.handled_at, task.feedback, task.evidence = ctx.now, cmd.note, list(cmd.evidence)
    ctx.payload.update(task_id=task.id, note=cmd.note, evidence=task.evidence, on_time=ctx.now <= task.handle_due_at)


def cancel_task(ctx: ActionContext, cmd: c.CancelTask) -> None:
    """The owning street withdraws a summons that was not answered; a missed 报到 stays on the record as late."""
    unit = ctx.unit(cmd.unit_code, "部门")
    tasks = [
        t
        for t in ctx.tasks()
        if t.unit_id == unit.id and t.role == TaskRole.WHISTLE.value and not TaskStatus(t.status).is_done
    ]
    if not tasks:
        raise ValidationFailed(f"该部门没有进行中的召集: {unit.name}", field="unit_code")
    ctx.move(Action.CANCEL_TASK)
    task = tasks[-1]
    task.status = next_task_status(TaskStatus(task.status), "cancel").value
    if task.responded_at is None and ctx.now > task.response_due_at:
        task.response_late = True
    ctx.payload.update(task_id=task.id, unit_code=unit.code, reason=cmd.reason, late=task.response_late)


def rate_department(ctx: ActionContext, cmd: c.RateDepartment) -> None:
    unit = ctx.unit(cmd.unit_code, "部门")
    tasks = [t for t in ctx.tasks() if t.unit_id == unit.id and t.role == TaskRole.WHISTLE.value]
    if not tasks:
        raise ValidationFailed(f"该部门未被召集: {unit.name}", field="unit_code")
    task = tasks[-1]
    if task.status != TaskStatus.FED_BACK.value:
        raise InvalidTransition("部门反馈后才能评价")
    ctx.move(Action.RATE_DEPARTMENT)
    task.rating = cmd.rating
    task.rating_note = cmd.note
    ctx.payload.update(task_id=task.id, unit_code=unit.code, rating=cmd.rating, note=task.rating_note)
