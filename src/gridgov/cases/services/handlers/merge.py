"""并案: a duplicate follows its parent case, and closes when the parent closes."""

from __future__ import annotations

from datetime import datetime

from gridgov.actor import Actor
from gridgov.cases import commands as c
from gridgov.cases.domain import Action, CaseStatus, StatusKind, next_status
from gridgov.cases.events import record_event
from gridgov.cases.models import Case
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services.context import ActionContext
from gridgov.errors import InvalidTransition, NotFound, ValidationFailed


def merge(ctx: ActionContext, cmd: c.Merge) -> None:
    if cmd.into_case_id == ctx.case.id:
        raise ValidationFailed("不能与自身并案", field="into_case_id")
    parent = ctx.uow.cases.get(cmd.into_case_id)
    if parent is None:
        raise NotFound(f"主案不存在: {cmd.into_case_id}", field="into_case_id")
    if CaseStatus(parent.status).kind is not StatusKind.OPEN or parent.status == CaseStatus.MERGED.value:
        raise InvalidTransition("主案已结案、已转办或本身已被并案")
    ctx.move(Action.MERGE)
    ctx.case.parent_case_id = parent.id
    ctx.payload.update(into_case_id=parent.id, into_tracking_code=parent.tracking_code)
    for child in ctx.uow.cases.children(ctx.case.id):  # this case's own duplicates move with it
        status = CaseStatus(child.status)
        next_status(status, Action.MERGE)
        child.parent_case_id = parent.id
        record_event(
            ctx.uow.cases,
            child,
            Action.MERGE,
            Actor.system(),
            status,
            status,
            ctx.now,
            {"into_case_id": parent.id, "into_tracking_code": parent.tracking_code, "via_case_id": ctx.case.id},
        )


def close_children(uow: CasesUnitOfWork, parent: Case, now: datetime) -> None:
    """The parent closed (verified, closed directly or rejected): its merged duplicates close with it."""
    for child in uow.cases.children(parent.id):
        if child.status != CaseStatus.MERGED.value:
            continue
        before = CaseStatus(child.status)
        after = next_status(before, Action.FOLLOW_PARENT)
        child.status = after.value
        child.closed_at = now
        record_event(
            uow.cases,
            child,
            Action.FOLLOW_PARENT,
            Actor.system(),
            before,
            after,
            now,
            {"parent_case_id": parent.id, "parent_tracking_code": parent.tracking_code, "parent_status": parent.status},
        )
