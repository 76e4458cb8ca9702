"""Registering, rejecting, closing on the phone, dispatching, and the unit's answer (accept or return)."""

from __future__ import annotations

from gridgov.cases import commands as c
from gridgov.cases.domain import Action, Clockwork, TaskRole, TaskStatus, Urgency, compute_deadlines, next_task_status
from gridgov.cases.models import CaseTask
from gridgov.cases.services.clocks import handling_clock, limits, start_clock
from gridgov.cases.services.context import ActionContext
from gridgov.cases.services.intake import grid_of
from gridgov.cases.services.policy import HANDLER_UNIT_KINDS
from gridgov.classify.models import CategoryLabel
from gridgov.classify.text import join_fields
from gridgov.errors import ValidationFailed
from gridgov.units.domain import UnitKind
from gridgov.units.services import responsible_unit


def register(ctx: ActionContext, cmd: c.Register) -> None:
    if cmd.grid_code:
        ctx.case.grid_id, ctx.case.grid_version_id = grid_of(ctx.uow, cmd.grid_code)
        ctx.case.grid_code = cmd.grid_code
        ctx.payload["grid_code"] = cmd.grid_code
    if cmd.category_code:
        category = ctx.uow.categories.by_code(cmd.category_code)
        if category is None:
            raise ValidationFailed(f"类别不存在: {cmd.category_code}", field="category_code")
        ctx.case.category_code = category.code
        ctx.payload["category_code"] = category.code
    if cmd.urgency:
        if cmd.urgency not in {u.value for u in Urgency}:
            raise ValidationFailed(f"未知紧急程度: {cmd.urgency}", field="urgency")
        ctx.case.urgency = cmd.urgency
        ctx.payload["urgency"] = cmd.urgency
    if ctx.case.grid_code is None:
        raise ValidationFailed("立案须确定所在网格 (grid_code)", field="grid_code")
    if cmd.note:
        ctx.payload["note"] = cmd.note
    ctx.move(Action.REGISTER)
    ctx.case.registered_at = ctx.now
    case = ctx.case
    if cmd.category_code:
        case.category_source = "dispatcher"
    case.needs_review = False
    if case.category_code:  # every category a person confirms or corrects is a label for the next training
        record_label(ctx)


def record_label(ctx: ActionContext) -> None:
    case = ctx.case
    ctx.uow.cases.add_label(
        CategoryLabel(
            case_id=case.id,
            text=join_fields([case.title, case.description]),
            label=case.category_code,
            predicted=case.suggested_category_code,
            model_version=case.suggestion_model,
            source="dispatcher",
            actor_id=ctx.actor.user_id,
            created_at=ctx.now,
        )
    )
    ctx.payload["label"] = {"category_code": case.category_code, "predicted": case.suggested_category_code}


def reject(ctx: ActionContext, cmd: c.Reject) -> None:
    ctx.payload["reason"] = cmd.reason
    ctx.move(Action.REJECT)
    ctx.case.closed_at = ctx.now


def direct_close(ctx: ActionContext, cmd: c.DirectClose) -> None:
    ctx.payload["note"] = cmd.note
    if cmd.citation is not None:  # 12345 operations (issue 17): answered from the knowledge base
        ctx.payload["article"] = {
            "id": cmd.citation.article_id,
            "code": cmd.citation.code,
            "version": cmd.citation.version,
            "title": cmd.citation.title,
        }
    ctx.move(Action.DIRECT_CLOSE)
    ctx.case.closed_at = ctx.now
    ctx.case.handled_at = ctx.now


def dispatch(ctx: ActionContext, cmd: c.Dispatch) -> None:
    case = ctx.case
    if case.grid_code is None:
        raise ValidationFailed("案件缺少所在网格，无法派遣", field="grid_code")
    if cmd.category_code and case.category_code is None:  # registered without one: the dispatcher sets it now
        category = ctx.uow.categories.by_code(cmd.category_code)
        if category is None:
            raise ValidationFailed(f"类别不存在: {cmd.category_code}", field="category_code")
        case.category_code, case.category_source, case.needs_review = category.code, "dispatcher", False
        ctx.payload["category_code"] = category.code
        record_label(ctx)
    response, handle, cat_urgency = limits(ctx)
    if cmd.unit_code:
        unit = ctx.assignee(cmd.unit_code, "派遣单位")
    else:
        unit = responsible_unit(ctx.uow, case.category_code, case.grid_code)
    if UnitKind(unit.kind) not in HANDLER_UNIT_KINDS:
        raise ValidationFailed(f"不能派遣给该类单位: {unit.name}", field="unit_code")
    assists = [ctx.assignee(code, "协办单位") for code in dict.fromkeys(cmd.assist_unit_codes)]
    for a in assists:
        if a.id == unit.id or UnitKind(a.kind) not in HANDLER_UNIT_KINDS:
            raise ValidationFailed(f"协办单位不合适: {a.name}", field="assist_unit_codes")
    for old in ctx.tasks():
        if not TaskStatus(old.status).is_done:
            old.status = TaskStatus.CANCELLED.value
    deadlines = compute_deadlines(ctx.now, response, handle, cat_urgency, Urgency(case.urgency), ctx.calendar)
    for u, role in [(unit, TaskRole.PRIMARY)] + [(a, TaskRole.ASSIST) for a in assists]:
        ctx.uow.cases.add_task(
            CaseTask(
                case_id=case.id,
                unit_id=u.id,
                role=role.value,
                status=TaskStatus.PENDING.value,
                assigned_at=ctx.now,
                assigned_by_unit_id=ctx.actor.unit_id,
                response_due_at=deadlines.response_due,
                handle_due_at=deadlines.handle_due,
                evidence=[],
                rework_count=0,
                postponed=False,
            )
        )
    ctx.move(Action.DISPATCH)
    case.owner_unit_id = unit.id
    case.dispatched_at = ctx.now
    case.response_due_at = deadlines.response_due
    case.handle_due_at = deadlines.handle_due
    case.handle_unit = deadlines.unit.value
    case.response_unit = deadlines.response_unit.value
    start_clock(ctx, Clockwork(ctx.now, deadlines.response_due, deadlines.response_unit))
    ctx.payload.update(
        unit_code=unit.code,
        unit_name=unit.name,
        assist_unit_codes=[a.code for a in assists],
        response_due_at=deadlines.response_due.isoformat(),
        handle_due_at=deadlines.handle_due.isoformat(),
        note=cmd.note,
    )
    # an open 督办 follows the case to the unit that now has it in hand: that unit answers it
    supervision = ctx.uow.cases.open_supervision(case.id)
    if supervision is not None and supervision.unit_id != unit.id:
        ctx.payload["supervision_moved"] = {
            "supervision_id": supervision.id,
            "from_unit_id": supervision.unit_id,
            "to_unit_id": unit.id,
        }
        supervision.unit_id = unit.id


def accept(ctx: ActionContext, cmd: c.Accept) -> None:
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.PENDING])
    ctx.move(Action.ACCEPT)
    task.status = next_task_status(TaskStatus(task.status), "accept").value
    task.responded_at = ctx.now
    task.response_late = ctx.now > task.response_due_at
    ctx.payload.update(task_id=task.id, late=task.response_late)
    start_clock(ctx, handling_clock(ctx.case))


def return_(ctx: ActionContext, cmd: c.Return) -> None:
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.PENDING])
    ctx.move(Action.RETURN)
    task.status = next_task_status(TaskStatus(task.status), "return").value
    task.responded_at = ctx.now
    task.response_late = ctx.now > task.response_due_at
    task.return_reason = cmd.reason
    for other in ctx.tasks():
        if other.role == TaskRole.ASSIST.value and not TaskStatus(other.status).is_done:
            other.status = TaskStatus.CANCELLED.value
    ctx.case.return_count += 1
    ctx.case.owner_unit_id = None
    start_clock(ctx, None)
    ctx.payload.update(task_id=task.id, reason=cmd.reason, late=task.response_late)
