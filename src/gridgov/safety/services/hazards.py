"""A hazard followed to 销号: the rectification plan (五落实) of a 重大隐患, 挂牌督办 by the 应急管理 bureau, the
rectification reported with photos, the review (验收) by the street or the bureau, 销号; a failed review sends it
back. A hazard that needs another department (fire, gas) is referred: it becomes a case in the case loop,
reported through the cases' intake, registered and dispatched to the unit the responsibility matrix names for
the referral's category and the place's grid, and linked both ways (the case id here, the hazard in the case's
text and through GET /api/v1/safety/hazards/by-case/{case_id}).

Late ones escalate up the tree (street → district → city) on the same working-day calendar as cases
(`scan_overdue_hazards`, run with the cases' deadline scan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from gridgov.actor import Actor, Role
from gridgov.cases.services import CaseDraft, CasePolicy, report_case
from gridgov.cases.services import apply_action as apply_case_action
from gridgov.cases.services import build_command as build_case_command
from gridgov.clock import SHANGHAI, WorkingDays
from gridgov.errors import ValidationFailed
from gridgov.grids.domain import pad
from gridgov.logging import get_logger
from gridgov.safety.commands import (
    CloseOut,
    FailReview,
    HazardCommand,
    PassReview,
    Refer,
    ReportRectified,
    SubmitPlan,
    Supervise,
    action_of,
)
from gridgov.safety.domain import Action, HazardStatus, PlanRefused, next_status, plan_refusal, refuse
from gridgov.safety.models import SafetyHazard
from gridgov.safety.ports import SafetyUnitOfWork
from gridgov.safety.rules import Rules, shipped_rules
from gridgov.safety.services.common import guarded, record_hazard, store_photo, today, working_days
from gridgov.units.services import resolve

log = get_logger(__name__)

# the command centre's automatic dispatch of a referred hazard: registered and sent where the matrix says
AUTO_DISPATCH = Actor(user_id=None, role=Role.DISPATCHER, unit_id=None, name="安全生产转办")
LEVEL_LABELS = {0: "街道", 1: "区(县)", 2: "市"}


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), SHANGHAI)


def _apply(
    uow: SafetyUnitOfWork,
    hazard: SafetyHazard,
    command: HazardCommand,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    rules: Rules,
) -> dict[str, object]:
    """The command's changes to the row; returns the event's payload."""
    payload: dict[str, object] = {"note": getattr(command, "note", "")}
    if isinstance(command, SubmitPlan):
        plan = command.plan
        refuse(plan_refusal(plan, today(now)), PlanRefused, field="plan")
        hazard.responsible, hazard.measures, hazard.funds = plan.responsible, plan.measures, plan.funds
        hazard.time_limit, hazard.contingency = plan.time_limit, plan.contingency
        hazard.rectify_due_at = hazard.due_at = _end_of(plan.time_limit)
        payload |= {
            "responsible": plan.responsible,
            "measures": plan.measures,
            "funds": plan.funds,
            "time_limit": plan.time_limit.isoformat(),
            "contingency": plan.contingency,
        }
    elif isinstance(command, Supervise):
        unit = uow.units.get(actor.unit_id) if actor.unit_id else None
        hazard.supervised, hazard.supervised_at = True, now
        hazard.supervisor_unit = unit.code if unit else ""
        payload["unit"] = hazard.supervisor_unit
    elif isinstance(command, ReportRectified):
        photos = [store_photo(uow, data, "rectified", actor, now, hazard.id) for data in command.photos]
        hazard.rectified_at = now
        hazard.due_at = working_days(calendar, now, rules.review_days)
        payload["photos"] = [p.sha256 for p in photos]
    elif isinstance(command, PassReview):
        hazard.reviews += 1
        hazard.reviewed_at, hazard.reviewer_name = now, actor.name[:50]
        hazard.on_time = bool(
            hazard.rectified_at and hazard.rectify_due_at and hazard.rectified_at <= hazard.rectify_due_at
        )
        hazard.due_at = working_days(calendar, now, rules.review_days)
        payload |= {"review": hazard.reviews, "on_time": hazard.on_time}
    elif isinstance(command, FailReview):
        hazard.reviews += 1
        hazard.reviewed_at, hazard.reviewer_name = now, actor.name[:50]
        hazard.rectified_at = None
        hazard.due_at = working_days(calendar, now, rules.general_days)
        payload |= {"review": hazard.reviews, "due_at": hazard.due_at}
    elif isinstance(command, CloseOut):
        hazard.closed_at, hazard.due_at = now, None
        payload["supervision_lifted"] = hazard.supervised
    return payload


def apply_hazard_action(
    uow_factory: Callable[[], SafetyUnitOfWork],
    hazard_id: int,
    command: HazardCommand,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    rules: Rules | None = None,
    expected_version: int | None = None,
) -> str:
    """One person's action on a hazard; returns the hazard's status after it."""
    rules = rules or shipped_rules()
    if isinstance(command, Refer):
        refer_hazard(uow_factory, hazard_id, command, actor, now, calendar, policy, rules)
        return _status(uow_factory, hazard_id)
    action = action_of(command)
    uow = uow_factory()
    with uow:
        hazard = guarded(uow, hazard_id, action, actor, rules, expected_version)
        before = hazard.status
        payload = _apply(uow, hazard, command, actor, now, calendar, rules)
        hazard.status = next_status(HazardStatus(before), action).value
        record_hazard(uow, hazard, action, actor, before, now, payload)
        uow.commit()
        log.info("safety_hazard_action", hazard_id=hazard_id, action=action.value)
        return hazard.status


def _status(uow_factory: Callable[[], SafetyUnitOfWork], hazard_id: int) -> str:
    uow = uow_factory()
    with uow:
        hazard = uow.safety.hazard(hazard_id)
        return hazard.status if hazard else ""


@dataclass(frozen=True, slots=True)
class Referred:
    hazard_id: int
    case_id: int
    tracking_code: str
    unit_code: str


def refer_hazard(
    uow_factory: Callable[[], SafetyUnitOfWork],
    hazard_id: int,
    command: Refer,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    rules: Rules,
) -> Referred:
    """转办: the hazard becomes a case for the department the matrix names (see the module's note). The link is
    written right after the report, so a dispatch that fails leaves a linked case in the command centre's queue."""
    route = rules.referrals.get(command.kind)
    if route is None:
        raise ValidationFailed(f"未知的转办类别: {command.kind}; 可选 {', '.join(rules.referrals)}", field="kind")
    uow = uow_factory()
    with uow:
        hazard = guarded(uow, hazard_id, Action.REFER, actor, rules)
        if uow.categories.by_code(route.category_code) is None:
            raise ValidationFailed(f"转办类别未配置: {route.category_code}", field="kind")
        unit = resolve(uow.units, route.category_code, hazard.grid_code)
        place = uow.safety.place(hazard.place_id)
        assert place is not None
        draft = CaseDraft(
            title=f"【安全生产隐患转办·{route.label}】{place.name}：{hazard.item_text}"[:200],
            description=(
                f"隐患 {hazard.code} ({'重大隐患' if hazard.grade == 'major' else '一般隐患'}) 于场所「{place.name}」"
                f"({place.address}) 检查发现: {hazard.item_text}。依据: {hazard.basis}。{command.note}\n"
                f"隐患页面: /safety/hazards/{hazard.id}"
            ),
            source="patrol",
            category_code=route.category_code,
            grid_code=hazard.grid_code,
            address=place.address,
            lat=place.lat,
            lon=place.lon,
        )
        unit_code = unit.code
        # the command centre of the place's city (its whole city in scope)
        dispatcher = replace(AUTO_DISPATCH, unit_grid=pad(hazard.district_code[:4]))
    reported = report_case(uow_factory(), draft, actor, now, f"safety-hazard:{hazard_id}", policy=policy)
    uow = uow_factory()
    with uow:
        hazard = guarded(uow, hazard_id, Action.REFER, actor, rules)
        before = hazard.status
        hazard.case_id = reported.id
        record_hazard(
            uow,
            hazard,
            Action.REFER,
            actor,
            before,
            now,
            {
                "kind": command.kind,
                "case_id": reported.id,
                "tracking_code": reported.tracking_code,
                "unit_code": unit_code,
                "note": command.note,
            },
        )
        uow.commit()
    note = f"安全生产隐患转办 ({route.label}), 按权属表派遣"
    apply_case_action(
        uow_factory(), reported.id, build_case_command("register", {"note": note}), dispatcher, now, calendar, policy
    )
    apply_case_action(
        uow_factory(),
        reported.id,
        build_case_command("dispatch", {"unit_code": unit_code, "note": note}),
        dispatcher,
        now,
        calendar,
        policy,
    )
    log.info("safety_hazard_referred", hazard_id=hazard_id, case_id=reported.id)
    return Referred(hazard_id, reported.id, reported.tracking_code, unit_code)


@dataclass(frozen=True, slots=True)
class Escalations:
    escalated: int
    ids: tuple[int, ...]


def scan_overdue_hazards(
    uow_factory: Callable[[], SafetyUnitOfWork],
    now: datetime,
    calendar: WorkingDays,
    rules: Rules | None = None,
    limit: int = 1000,
) -> Escalations:
    """Every open hazard past its step's deadline goes one level up the tree (street → district → city) with a new
    deadline of `escalation_days` working days; one at the top stays there, its lateness on the record."""
    rules = rules or shipped_rules()
    uow = uow_factory()
    with uow:
        ids = list(uow.safety.overdue_hazards(now, rules.max_escalation, limit))
    done: list[int] = []
    for hazard_id in ids:
        uow = uow_factory()
        with uow:
            hazard = uow.safety.hazard(hazard_id)
            if hazard is None or hazard.due_at is None or hazard.due_at >= now:
                continue
            if hazard.escalation_level >= rules.max_escalation:
                continue
            before = hazard.status
            next_status(HazardStatus(before), Action.ESCALATE)
            hazard.escalation_level += 1
            overdue_since = hazard.due_at
            hazard.due_at = working_days(calendar, now, rules.escalation_days)
            to_unit = (
                f"{hazard.district_code}-{rules.bureau_key}"
                if hazard.escalation_level == 1
                else (f"{hazard.district_code[:4]}-{rules.bureau_key}")
            )
            record_hazard(
                uow,
                hazard,
                Action.ESCALATE,
                Actor.system(),
                before,
                now,
                {
                    "level": hazard.escalation_level,
                    "level_label": LEVEL_LABELS.get(hazard.escalation_level, ""),
                    "to_unit": to_unit,
                    "overdue_since": overdue_since,
                    "due_at": hazard.due_at,
                },
            )
            uow.commit()
            done.append(hazard_id)
    if done:
        log.info("safety_hazards_escalated", count=len(done))
    return Escalations(len(done), tuple(done))
