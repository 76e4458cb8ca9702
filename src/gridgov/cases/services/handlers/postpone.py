"""More time: postponement requested by the unit and judged by the dispatcher; 挂起 and 恢复 of the clock."""

from __future__ import annotations

from datetime import datetime

from gridgov.cases import commands as c
from gridgov.cases.domain import Action, AlarmLevel, CaseStatus, TaskRole, TaskStatus, next_alarm_at
from gridgov.cases.services.clocks import clock_of, handling_clock, max_escalations, start_clock
from gridgov.cases.services.context import ActionContext
from gridgov.clock import Limit, TimeUnit


def request_postpone(ctx: ActionContext, cmd: c.RequestPostpone) -> None:
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.ACCEPTED])
    ctx.move(Action.REQUEST_POSTPONE)
    ctx.case.postpone_request = {
        "amount": cmd.limit.amount,
        "unit": cmd.limit.unit.value,
        "reason": cmd.reason,
        "task_id": task.id,
        "requested_at": ctx.now.isoformat(),
    }
    ctx.payload.update(ctx.case.postpone_request)


def approve_postpone(ctx: ActionContext, cmd: c.ApprovePostpone) -> None:
    request = ctx.case.postpone_request
    assert request  # the guard saw a pending request
    ctx.move(Action.APPROVE_POSTPONE)
    limit = Limit(int(request["amount"]), TimeUnit(request["unit"]))
    case = ctx.case
    assert case.handle_due_at is not None
    new_due = ctx.calendar.deadline(case.handle_due_at, limit)
    case.handle_due_at = new_due
    case.postponed = True
    case.postpone_request = None
    task = ctx.primary_task()
    task.handle_due_at, task.postponed = new_due, True
    start_clock(ctx, handling_clock(case))
    ctx.payload.update(amount=limit.amount, unit=limit.unit.value, handle_due_at=new_due.isoformat(), note=cmd.note)


def deny_postpone(ctx: ActionContext, cmd: c.DenyPostpone) -> None:
    ctx.move(Action.DENY_POSTPONE)
    ctx.case.postpone_request = None
    ctx.payload.update(reason=cmd.reason)


def suspend(ctx: ActionContext, cmd: c.Suspend) -> None:
    before, _ = ctx.move(Action.SUSPEND)
    ctx.case.status_before_suspend = before.value
    ctx.case.suspended_at = ctx.now
    ctx.case.next_alarm_at = None
    ctx.payload.update(reason=cmd.reason)


def resume(ctx: ActionContext, cmd: c.Resume) -> None:
    case = ctx.case
    target = CaseStatus(case.status_before_suspend) if case.status_before_suspend else None
    ctx.move(Action.RESUME, resume_to=target)
    assert case.suspended_at is not None
    paused_from, clock = case.suspended_at, clock_of(case)
    resp_unit = TimeUnit(case.response_unit or TimeUnit.MINUTES.value)
    hand_unit = TimeUnit(case.handle_unit or TimeUnit.HOURS.value)
    if case.response_due_at is not None:
        case.response_due_at = _shift(ctx, case.response_due_at, paused_from, resp_unit)
    if case.handle_due_at is not None:
        case.handle_due_at = _shift(ctx, case.handle_due_at, paused_from, hand_unit)
    for task in ctx.tasks():
        if TaskStatus(task.status).is_done:
            continue
        task.handle_due_at = _shift(ctx, task.handle_due_at, paused_from, hand_unit)
        if task.responded_at is None:
            unit = TimeUnit.MINUTES if task.role == TaskRole.WHISTLE.value else resp_unit
            task.response_due_at = _shift(ctx, task.response_due_at, paused_from, unit)
    level, escalations = AlarmLevel(case.alarm_level), case.escalation_level
    if clock is not None:
        shifted = clock.shifted(ctx.calendar, paused_from, ctx.now)
        case.clock_start, case.clock_due = shifted.start, shifted.due
        case.next_alarm_at = next_alarm_at(
            shifted, level, escalations, ctx.calendar, ctx.policy.warning_fraction, max_escalations(ctx)
        )
    ctx.payload.update(
        paused_seconds=int((ctx.now - paused_from).total_seconds()),
        handle_due_at=case.handle_due_at.isoformat() if case.handle_due_at else None,
    )
    case.suspended_at = None
    case.status_before_suspend = None


def _shift(ctx: ActionContext, due: datetime, paused_from: datetime, unit: TimeUnit) -> datetime:
    paused = max(ctx.calendar.measure(paused_from, ctx.now, unit), 0.0)
    return ctx.calendar.advance(due, paused, unit)
