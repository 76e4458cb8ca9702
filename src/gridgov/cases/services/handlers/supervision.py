"""督办 and 督办回复 (issue 15): a leader or the command centre puts a case under supervision with a deadline and a
note, addressed to the unit handling it; that unit answers. The unanswered ones escalate in
gridgov.cases.services.supervision."""

from __future__ import annotations

from datetime import datetime, timedelta

from gridgov.cases import commands as c
from gridgov.cases.domain import (
    SUPERVISION_MAX_DAYS,
    Action,
    SupervisionStatus,
    next_supervision_check,
    supervision_on_time,
)
from gridgov.cases.models import Case, CaseSupervision
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services.context import ActionContext
from gridgov.errors import ValidationFailed


def supervise(ctx: ActionContext, cmd: c.Supervise) -> None:
    if cmd.due_at <= ctx.now:
        raise ValidationFailed("督办时限须晚于当前时间", field="due_at")
    if cmd.due_at > ctx.now + timedelta(days=SUPERVISION_MAX_DAYS):
        raise ValidationFailed(f"督办时限不能超过 {SUPERVISION_MAX_DAYS} 天", field="due_at")
    ctx.move(Action.SUPERVISE)
    task = ctx.primary_task()
    unit = ctx.uow.units.get(task.unit_id)
    row = CaseSupervision(
        case_id=ctx.case.id,
        unit_id=task.unit_id,
        status=SupervisionStatus.OPEN.value,
        note=cmd.note,
        issued_at=ctx.now,
        issued_by_id=ctx.actor.user_id,
        issued_by_role=ctx.actor.role.value,
        due_at=cmd.due_at,
        escalation_level=0,
        next_check_at=next_supervision_check(ctx.now, cmd.due_at, 0, 1),
    )
    ctx.uow.cases.add_supervision(row)
    ctx.payload.update(
        supervision_id=row.id,
        task_id=task.id,
        unit_id=task.unit_id,
        unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None,
        due_at=cmd.due_at.isoformat(),
        note=cmd.note,
    )


def reply_supervision(ctx: ActionContext, cmd: c.ReplySupervision) -> None:
    row = ctx.uow.cases.open_supervision(ctx.case.id)
    assert row is not None  # the guard saw it
    ctx.move(Action.REPLY_SUPERVISION)
    on_time = supervision_on_time(ctx.now, row.due_at)
    row.status = SupervisionStatus.REPLIED.value
    row.replied_at, row.replied_by_id, row.reply, row.on_time = ctx.now, ctx.actor.user_id, cmd.note, on_time
    row.next_check_at = None
    unit = ctx.uow.units.get(row.unit_id)
    ctx.payload.update(
        supervision_id=row.id,
        due_at=row.due_at.isoformat(),
        on_time=on_time,
        note=cmd.note,
        issued_by_id=row.issued_by_id,  # the leader or command centre that asked is told of the reply
        unit_name=unit.name if unit else None,
    )


def end_with_case(uow: CasesUnitOfWork, case: Case, now: datetime) -> None:
    """A case that closes takes its open 督办 with it (nothing is left to answer; it counts as not answered)."""
    row = uow.cases.open_supervision(case.id)
    if row is not None:
        row.status, row.next_check_at = SupervisionStatus.ENDED.value, None
