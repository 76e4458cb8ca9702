"""The 回访 queue: closed cases go in (all, or a sample per category), operators call, the outcome is recorded on
the case's chain, and an answered call becomes the case's evaluation through the case loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gridgov.actor import Actor
from gridgov.callbacks.domain import (
    CALLBACK_ROLES,
    DEFAULT_DUE_WORKING_DAYS,
    CallbackStatus,
    Outcome,
    SamplePlan,
    after_attempt,
    sampled,
)
from gridgov.callbacks.models import Callback, CallbackAttempt
from gridgov.callbacks.ports import CallbacksUnitOfWork
from gridgov.cases.commands import Evaluate
from gridgov.cases.domain import Action, CaseStatus, Satisfaction
from gridgov.cases.events import record_event
from gridgov.cases.services import CasePolicy
from gridgov.cases.services.actions import apply_within
from gridgov.clock import Limit, TimeUnit, WorkingDays
from gridgov.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from gridgov.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    due_working_days: int = DEFAULT_DUE_WORKING_DAYS
    sample: SamplePlan = field(default_factory=SamplePlan)

    @property
    def due_limit(self) -> Limit:
        return Limit(self.due_working_days, TimeUnit.WORKING_DAYS)

    @classmethod
    def of(cls, due_working_days: int, default_rate: float, rates: dict[str, float]) -> CallbackPolicy:
        """From the settings (GRIDGOV_CALLBACK_*); a rate outside 0..1 is refused."""
        for code, rate in rates.items():
            if not 0 <= rate <= 1:
                raise ValidationFailed(f"回访抽样比例须在 0 到 1 之间: {code}={rate}", field="callback_sample_rates")
        return cls(due_working_days, SamplePlan(default_rate, dict(rates)))


@dataclass(frozen=True, slots=True)
class Answers:
    """What the resident said when reached: the case loop's evaluation."""

    resolved: bool
    satisfaction: Satisfaction
    comment: str = ""


@dataclass
class SweepReport:
    queued: int = 0
    skipped: int = 0  # not in the sample, or no contact to call


def sweep_closed(
    uow: CallbacksUnitOfWork, now: datetime, calendar: WorkingDays, policy: CallbackPolicy, limit: int = 1000
) -> SweepReport:
    """Every closed case not yet looked at: into the queue (due N working days after closing) when it is in its
    category's sample and has a contact, else marked skipped, so that it is looked at once. Idempotent (one row
    per case, under a unique key)."""
    report = SweepReport()
    with uow:
        for case in uow.callbacks.closed_not_queued(limit):
            wanted = case.has_contact and sampled(case.tracking_code, policy.sample.rate(case.category_code))
            due = calendar.deadline(case.closed_at, policy.due_limit)
            uow.callbacks.add(
                Callback(
                    case_id=case.id,
                    category_code=case.category_code,
                    status=(CallbackStatus.OPEN if wanted else CallbackStatus.SKIPPED).value,
                    queued_at=now,
                    due_at=due,
                    attempts=0,
                    failed_attempts=0,
                    closed_at=None if wanted else now,
                )
            )
            if wanted:
                report.queued += 1
            else:
                report.skipped += 1
        uow.commit()
    log.info("callbacks_swept", queued=report.queued, skipped=report.skipped)
    return report


def record_attempt(
    uow: CallbacksUnitOfWork,
    callback_id: int,
    outcome: Outcome,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    answers: Answers | None = None,
    note: str = "",
) -> CallbackStatus:
    """One call. Reached: the answers become the case's evaluation (its evaluate rules, 不满意 reopens it);
    refused: the call-back ends; no answer or a wrong number: a failed attempt, the third ends it as 未回访.
    Every call is an event of the case's chain (callback_attempted; callback_unreached at the end)."""
    if actor.role not in CALLBACK_ROLES:
        raise PermissionDenied(f"角色「{actor.role.label}」不能办理回访")
    if outcome is Outcome.REACHED and answers is None:
        raise ValidationFailed("已接通: 请记录问题是否解决和满意程度", field="resolved")
    with uow:
        callback = uow.callbacks.get(callback_id)
        if callback is None:
            raise NotFound(f"回访不存在: {callback_id}")
        if CallbackStatus(callback.status).done:
            raise InvalidTransition(f"该回访已结束 ({CallbackStatus(callback.status).label})")
        case = uow.cases.get(callback.case_id)
        assert case is not None
        status = CaseStatus(case.status)
        if status is not CaseStatus.CLOSED:  # the resident evaluated it meanwhile, or it was reopened
            callback.status, callback.closed_at = CallbackStatus.MOOT.value, now
            uow.commit()
            return CallbackStatus.MOOT
        step = after_attempt(callback.failed_attempts, outcome)
        callback.attempts += 1
        callback.failed_attempts = step.failed_attempts
        callback.status = step.status.value
        if step.status.done:
            callback.closed_at = now
        uow.callbacks.add_attempt(
            CallbackAttempt(
                callback_id=callback.id,
                number=callback.attempts,
                outcome=outcome.value,
                note=note,
                operator_id=actor.user_id,
                at=now,
            )
        )
        payload = {"callback_id": callback.id, "attempt": callback.attempts, "outcome": outcome.value, "note": note}
        record_event(uow.cases, case, Action.CALLBACK_ATTEMPT, actor, status, status, now, payload)
        if step.status is CallbackStatus.UNREACHED:
            record_event(
                uow.cases,
                case,
                Action.CALLBACK_UNREACHED,
                actor,
                status,
                status,
                now,
                {"callback_id": callback.id, "failed_attempts": step.failed_attempts},
            )
        if outcome is Outcome.REACHED:
            assert answers is not None
            evaluation = Evaluate(answers.resolved, answers.satisfaction, answers.comment)
            apply_within(uow, case.id, evaluation, actor, now, calendar, policy)
        uow.commit()
    log.info("callback_attempt", callback_id=callback_id, outcome=outcome.value, status=step.status.value)
    return step.status
