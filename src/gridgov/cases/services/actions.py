"""A person's action on a case: the guard decides, the handler applies the typed command, the record grows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from gridgov.accounts.domain import case_in_scope, scope_of
from gridgov.actor import Actor, Role
from gridgov.cases import commands as c
from gridgov.cases.commands import CaseCommand, action_of
from gridgov.cases.domain import Action, CaseStatus, StatusKind, check_role
from gridgov.cases.events import record_event
from gridgov.cases.facts import case_facts
from gridgov.cases.guards import GUARDS, ActorFacts, CaseFacts
from gridgov.cases.models import Case
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services.context import ActionContext
from gridgov.cases.services.handlers import (
    appeals,
    dispatch,
    handling,
    merge,
    postpone,
    supervision,  # 督办/催办 (issue 15)
    whistle,
)
from gridgov.cases.services.policy import CasePolicy
from gridgov.clock import WorkingDays
from gridgov.errors import Conflict, NotFound
from gridgov.logging import get_logger

log = get_logger(__name__)

Handler = Callable[[ActionContext, Any], None]

HANDLERS: dict[type[CaseCommand], Handler] = {
    c.Register: dispatch.register,
    c.Reject: dispatch.reject,
    c.DirectClose: dispatch.direct_close,
    c.Dispatch: dispatch.dispatch,
    c.Accept: dispatch.accept,
    c.Return: dispatch.return_,
    c.Handle: handling.handle,
    c.Verify: handling.verify,
    c.Rework: handling.rework,
    c.Evaluate: handling.evaluate,
    c.RequestPostpone: postpone.request_postpone,
    c.ApprovePostpone: postpone.approve_postpone,
    c.DenyPostpone: postpone.deny_postpone,
    c.Suspend: postpone.suspend,
    c.Resume: postpone.resume,
    c.Merge: merge.merge,
    c.Whistle: whistle.whistle,
    c.CheckIn: whistle.check_in,
    c.TaskFeedback: whistle.task_feedback,
    c.CancelTask: whistle.cancel_task,
    c.RateDepartment: whistle.rate_department,
    # 12345 operations (issue 17)
    c.Appeal: appeals.appeal,
    c.UpholdAppeal: appeals.uphold_appeal,
    c.RefuseAppeal: appeals.refuse_appeal,
    # 督办/催办 (issue 15)
    c.Supervise: supervision.supervise,
    c.ReplySupervision: supervision.reply_supervision,
}


def load_facts(uow: CasesUnitOfWork, case: Case) -> CaseFacts:
    units = {}
    tasks = []
    for task in uow.cases.tasks(case.id):
        if task.unit_id not in units:
            unit = uow.units.get(task.unit_id)
            units[task.unit_id] = unit.name if unit is not None else None
        tasks.append((task, units[task.unit_id]))
    category = uow.categories.by_code(case.category_code) if case.category_code else None
    return case_facts(case, tasks, category, uow.cases.open_supervision(case.id))


def actor_facts(uow: CasesUnitOfWork, actor: Actor) -> ActorFacts:
    grids = uow.units.assigned_grid_codes(actor.user_id) if actor.role is Role.GRID_WORKER and actor.user_id else ()
    return ActorFacts.of(actor, grids)


def apply_action(
    uow: CasesUnitOfWork,
    case_id: int,
    command: CaseCommand,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    expected_version: int | None = None,
) -> int:
    """Apply one person's action to a case. Returns the case's new version.

    Refusals, in order: the role (403), the case out of the person's scope (404), a stale `expected_version`
    (409 conflict), then the action's guard (the state, then the person's tasks and the case's facts)."""
    check_role(action_of(command), actor.role)
    with uow:
        case = apply_within(uow, case_id, command, actor, now, calendar, policy, expected_version)
        uow.commit()
        log.info("case_action", case_id=case_id, action=action_of(command).value, status=case.status)
        return case.version


def apply_within(
    uow: CasesUnitOfWork,
    case_id: int,
    command: CaseCommand,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    expected_version: int | None = None,
) -> Case:
    """`apply_action` inside a transaction the caller owns (a 回访 that becomes the evaluation): the same checks,
    nothing committed."""
    act = action_of(command)
    check_role(act, actor.role)
    case = uow.cases.get(case_id)
    if case is None or not _in_scope(uow, case, actor):
        raise NotFound(f"案件不存在: {case_id}")
    if expected_version is not None and case.version != expected_version:
        raise Conflict(expected=expected_version, actual=case.version)
    refused = GUARDS[act](load_facts(uow, case), actor_facts(uow, actor))
    if refused is not None:
        raise refused
    ctx = ActionContext(uow, case, actor, now, calendar, policy)
    before = ctx.status()
    HANDLERS[type(command)](ctx, command)
    record_event(uow.cases, case, act, actor, before, ctx.status(), now, ctx.payload)
    for follow in ctx.after:
        follow(ctx)
    if ctx.status().kind is StatusKind.CLOSED and before.kind is StatusKind.OPEN:
        merge.close_children(uow, case, now)
        supervision.end_with_case(uow, case, now)  # 督办/催办 (issue 15)
    return case


def _in_scope(uow: CasesUnitOfWork, case: Case, actor: Actor) -> bool:
    scope = scope_of(actor)
    if scope.everything:
        return True
    units = frozenset(t.unit_id for t in uow.cases.tasks(case.id))
    return case_in_scope(scope, case.grid_code, case.reporter_user_id, case.owner_unit_id, units)


def record_claim(uow: CasesUnitOfWork, case: Case, user_id: int, now: datetime) -> None:
    """A case reported by phone joins the account made for that phone: an event of its own on the record."""
    status = CaseStatus(case.status)
    record_event(uow.cases, case, Action.CLAIM_REPORT, Actor.system(), status, status, now, {"user_id": user_id})


def record_erasure(uow: CasesUnitOfWork, case: Case, now: datetime) -> None:
    """The erasure itself leaves an event on the case's record (with no personal data in it), and the case's salt
    goes: the digests of the erased values in the log can no longer be linked to them (docs/adr/0006)."""
    status = CaseStatus(case.status)
    uow.audit.forget("case", case.id)
    record_event(
        uow.cases,
        case,
        Action.ERASE_REPORTER,
        Actor.system(),
        status,
        status,
        now,
        {"fields": ["reporter_name", "reporter_phone"]},
    )
