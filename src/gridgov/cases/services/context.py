"""What a handler works with: the unit of work, the loaded case, the person, the time and the policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.cases.domain import Action, CaseStatus, TaskRole, TaskStatus, next_status
from gridgov.cases.models import Case, CaseTask
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services.policy import CasePolicy
from gridgov.clock import WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gridgov.units.models import Unit


@dataclass
class ActionContext:
    uow: CasesUnitOfWork
    case: Case
    actor: Actor
    now: datetime
    calendar: WorkingDays
    policy: CasePolicy
    payload: dict[str, Any] = field(default_factory=dict)
    after: list[Callable[[ActionContext], None]] = field(default_factory=list)  # system steps that follow

    def status(self) -> CaseStatus:
        return CaseStatus(self.case.status)

    def move(self, action: Action, *, resume_to: CaseStatus | None = None) -> tuple[CaseStatus, CaseStatus]:
        before = self.status()
        after = next_status(before, action, resume_to=resume_to)
        self.case.status = after.value
        return before, after

    def tasks(self) -> Sequence[CaseTask]:
        return self.uow.cases.tasks(self.case.id)

    def task_of_actor(self, roles: Sequence[TaskRole], statuses: Sequence[TaskStatus]) -> CaseTask:
        """The task of the person's unit that the guard found (the newest one)."""
        for task in self.tasks():
            if (
                task.unit_id == self.actor.unit_id
                and TaskRole(task.role) in roles
                and TaskStatus(task.status) in statuses
            ):
                return task
        raise PermissionDenied("本单位在该案件上没有待办任务", case_id=self.case.id)

    def primary_task(self) -> CaseTask:
        for task in reversed(self.tasks()):
            if task.role == TaskRole.PRIMARY.value and task.status != TaskStatus.CANCELLED.value:
                return task
        raise InvalidTransition("案件尚未派遣")

    def unit(self, code: str, label: str) -> Unit:
        unit = self.uow.units.by_code(code)
        if unit is None:
            raise ValidationFailed(f"{label}不存在: {code}", field="unit_code")
        return unit

    def assignee(self, code: str, label: str) -> Unit:
        """A unit that is to receive new work: it must exist and still be active (not merged or retired)."""
        unit = self.unit(code, label)
        if unit.active is False:
            raise ValidationFailed(f"{label}已撤销或合并，不能再分派: {unit.name}", field="unit_code")
        return unit
