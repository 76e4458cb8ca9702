"""Handling and checking: the unit's feedback, the on-site verification or rework, the resident's verdict."""

from __future__ import annotations

from gridgov.actor import Actor
from gridgov.cases import commands as c
from gridgov.cases.domain import Action, TaskRole, TaskStatus, next_task_status, should_reopen
from gridgov.cases.events import record_event
from gridgov.cases.services.clocks import handling_clock, start_clock
from gridgov.cases.services.context import ActionContext


def handle(ctx: ActionContext, cmd: c.Handle) -> None:
    """The primary unit's feedback. Summoned or assisting units still at work are named on the event; they go on
    reporting and feeding back, and the case is verified only once they have."""
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.ACCEPTED])
    still_working = [
        t.unit_id
        for t in ctx.tasks()
        if t.role != TaskRole.PRIMARY.value and TaskStatus(t.status) in (TaskStatus.PENDING, TaskStatus.ACCEPTED)
    ]
    ctx.move(Action.HANDLE)
    evidence = list(cmd.evidence)
    task.status = next_task_status(TaskStatus(task.status), "feedback").value
    task.handled_at = ctx.now
    task.feedback, task.evidence = cmd.note, evidence
    ctx.case.handled_at = ctx.now
    start_clock(ctx, None)
    ctx.payload.update(
        task_id=task.id,
        note=cmd.note,
        evidence=evidence,
        on_time=ctx.case.handle_due_at is None or ctx.now <= ctx.case.handle_due_at,
    )
    if still_working:
        names = [u.name for u in (ctx.uow.units.get(i) for i in still_working) if u is not None]
        ctx.payload["open_summons"] = names


def verify(ctx: ActionContext, cmd: c.Verify) -> None:
    ctx.move(Action.VERIFY)
    ctx.case.closed_at = ctx.now
    ctx.primary_task().closed_at = ctx.now
    ctx.payload.update(note=cmd.note, evidence=list(cmd.evidence))


def rework(ctx: ActionContext, cmd: c.Rework) -> None:
    ctx.move(Action.REWORK)
    task = ctx.primary_task()
    task.status = next_task_status(TaskStatus(task.status), "rework").value
    task.rework_count += 1
    ctx.case.rework_count += 1
    ctx.case.handled_at = None
    start_clock(ctx, handling_clock(ctx.case), reset=False)
    ctx.payload.update(reason=cmd.reason, rework_count=ctx.case.rework_count, evidence=list(cmd.evidence))


def evaluate(ctx: ActionContext, cmd: c.Evaluate) -> None:
    ctx.move(Action.EVALUATE)
    case = ctx.case
    case.resolved, case.satisfaction, case.evaluated_at = cmd.resolved, cmd.satisfaction.value, ctx.now
    if case.dispatched_at is not None:  # a directly closed consultation has no task
        task = ctx.primary_task()
        task.resolved, task.satisfaction = cmd.resolved, cmd.satisfaction.value
    ctx.payload.update(resolved=cmd.resolved, satisfaction=cmd.satisfaction.value, comment=cmd.comment)
    assert case.closed_at is not None
    if should_reopen(cmd.satisfaction, case.closed_at, ctx.now, ctx.policy.reopen_window_days):
        ctx.after.append(reopen)


def reopen(ctx: ActionContext) -> None:
    """不满意 within the window: the system reopens the case, as a second event."""
    before, after = ctx.move(Action.REOPEN)
    ctx.case.closed_at = None
    ctx.case.handled_at = None
    ctx.case.owner_unit_id = None
    record_event(
        ctx.uow.cases,
        ctx.case,
        Action.REOPEN,
        Actor.system(),
        before,
        after,
        ctx.now,
        {"reason": "居民不满意，案件重启", "window_days": ctx.policy.reopen_window_days},
    )
