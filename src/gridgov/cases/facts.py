"""The plain facts the guards decide on, read off a loaded case (used by the actions and by the case page)."""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.cases.domain import CaseStatus, SupervisionView, TaskRole, TaskStatus, TaskView, Urgency
from gridgov.cases.guards import CaseFacts
from gridgov.cases.models import Case, CaseSupervision, CaseTask
from gridgov.categories.models import Category


def case_facts(
    case: Case,
    tasks: Sequence[tuple[CaseTask, str | None]],
    category: Category | None,
    supervision: CaseSupervision | None = None,
) -> CaseFacts:
    """`tasks` are the case's tasks with their unit's name; `supervision` the case's open 督办."""
    return CaseFacts(
        case_id=case.id,
        status=CaseStatus(case.status),
        urgency=Urgency(case.urgency),
        category_kind=category.kind if category else None,
        category_name=category.name if category else None,
        owner_unit_id=case.owner_unit_id,
        reporter_user_id=case.reporter_user_id,
        grid_code=case.grid_code,
        tasks=tuple(
            TaskView(t.unit_id, TaskRole(t.role), TaskStatus(t.status), name, t.appeal_status) for t, name in tasks
        ),
        postpone_pending=bool(case.postpone_request),
        resume_to=CaseStatus(case.status_before_suspend) if case.status_before_suspend else None,
        supervision=(
            SupervisionView(supervision.id, supervision.unit_id, supervision.due_at)
            if supervision is not None
            else None
        ),
    )
