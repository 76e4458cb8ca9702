"""The case's running deadline (the clock the scanner watches) and the limits it comes from."""

from __future__ import annotations

from gridgov.cases.domain import AlarmLevel, Clockwork, Urgency, next_alarm_at
from gridgov.cases.models import Case
from gridgov.cases.ports import AlarmRow
from gridgov.cases.services.context import ActionContext
from gridgov.clock import Limit, TimeUnit
from gridgov.errors import ValidationFailed
from gridgov.units.services import supervisors


def limits(ctx: ActionContext) -> tuple[Limit, Limit, Urgency]:
    """The category's response and handling limits and its urgency."""
    code = ctx.case.category_code
    category = ctx.uow.categories.by_code(code) if code else None
    if category is None:
        raise ValidationFailed("案件类别未确定，请先设置类别", field="category_code")
    return (
        Limit(category.response_limit, TimeUnit(category.response_unit)),
        Limit(category.handle_limit, TimeUnit(category.handle_unit)),
        Urgency(category.urgency),
    )


def max_escalations(ctx: ActionContext) -> int:
    if ctx.case.owner_unit_id is None:
        return 0
    return len(supervisors(ctx.uow, ctx.case.owner_unit_id))


def start_clock(ctx: ActionContext, clock: Clockwork | None, *, reset: bool = True) -> None:
    """Run `clock` as the case's deadline. A new deadline (reset) clears the alarm state; the same deadline
    running again (after a rework) keeps it, so no warning or escalation is repeated."""
    case = ctx.case
    if clock is None:
        case.clock_start = case.clock_due = case.clock_unit = None
        case.next_alarm_at = None
        return
    case.clock_start, case.clock_due, case.clock_unit = clock.start, clock.due, clock.unit.value
    if reset:
        case.alarm_level = AlarmLevel.NONE.value
        case.escalation_level = 0
        case.escalated_to_unit_id = None
    case.next_alarm_at = next_alarm_at(
        clock,
        AlarmLevel(case.alarm_level),
        case.escalation_level,
        ctx.calendar,
        ctx.policy.warning_fraction,
        max_escalations(ctx),
    )


def clock_of(case: Case | AlarmRow) -> Clockwork | None:
    if case.clock_start is None or case.clock_due is None or case.clock_unit is None:
        return None
    return Clockwork(case.clock_start, case.clock_due, TimeUnit(case.clock_unit))


def handling_clock(case: Case) -> Clockwork:
    assert case.dispatched_at is not None and case.handle_due_at is not None
    return Clockwork(case.dispatched_at, case.handle_due_at, TimeUnit(case.handle_unit or TimeUnit.HOURS.value))
