"""The case workflow as a table, deadline arithmetic and the events a change leaves (pure Python).

Nothing here imports a framework or reads the clock; services pass `now` in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gridgov.accounts.domain import COMMAND_ROLES, HANDLER_ROLES, Role
from gridgov.clock import Limit, TimeUnit, WorkingDays
from gridgov.errors import InvalidTransition, PermissionDenied


class StatusKind(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    TRANSFERRED = "transferred"  # 12345 operations (issue 17): handled elsewhere, out of the local rates


class CaseStatus(StrEnum):
    REPORTED = "reported"
    REGISTERED = "registered"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    HANDLED = "handled"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    REOPENED = "reopened"
    SUSPENDED = "suspended"
    MERGED = "merged"
    TRANSFERRED = "transferred"  # 转办: passed to another hotline or system (issue 17)

    @property
    def kind(self) -> StatusKind:
        if self is CaseStatus.TRANSFERRED:
            return StatusKind.TRANSFERRED
        return StatusKind.CLOSED if self in _CLOSED else StatusKind.OPEN

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


_CLOSED = frozenset({CaseStatus.REJECTED, CaseStatus.CLOSED, CaseStatus.EVALUATED})

STATUS_LABELS = {
    CaseStatus.REPORTED: "已上报",
    CaseStatus.REGISTERED: "已立案",
    CaseStatus.REJECTED: "不予立案",
    CaseStatus.DISPATCHED: "已派遣",
    CaseStatus.ACCEPTED: "已签收",
    CaseStatus.RETURNED: "已退回",
    CaseStatus.HANDLED: "已处置",
    CaseStatus.CLOSED: "已结案",
    CaseStatus.EVALUATED: "已评价",
    CaseStatus.REOPENED: "已重启",
    CaseStatus.SUSPENDED: "已挂起",
    CaseStatus.MERGED: "已并案",
    CaseStatus.TRANSFERRED: "已转办",
}


def statuses_of_kind(kind: StatusKind) -> frozenset[CaseStatus]:
    return frozenset(s for s in CaseStatus if s.kind is kind)


class Action(StrEnum):
    REPORT_CASE = "report_case"  # the creation itself
    REGISTER = "register"
    REJECT = "reject"
    DIRECT_CLOSE = "direct_close"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    HANDLE = "handle"
    VERIFY = "verify"
    REWORK = "rework"
    EVALUATE = "evaluate"
    REOPEN = "reopen"
    REQUEST_POSTPONE = "request_postpone"
    APPROVE_POSTPONE = "approve_postpone"
    DENY_POSTPONE = "deny_postpone"
    SUSPEND = "suspend"
    RESUME = "resume"
    MERGE = "merge"
    FOLLOW_PARENT = "follow_parent"
    WHISTLE = "whistle"
    CHECK_IN = "check_in"  # 报到 by a summoned department
    TASK_FEEDBACK = "task_feedback"
    CANCEL_TASK = "cancel_task"  # the owning street withdraws a summons (e.g. a department that never came)
    RATE_DEPARTMENT = "rate_department"
    WARN = "warn"
    ESCALATE = "escalate"
    CLASSIFY = "classify"  # the system's category proposal and duplicate hints, when made after intake
    ERASE_REPORTER = "erase_reporter"  # the reporter's identity erased on request (PIPL); the case stays
    CLAIM_REPORT = "claim_report"  # a case reported by phone joins the resident account made for that phone
    COMMENT = "comment"  # a note from a connected system (Open311 servicerequestupdates); the status stays
    # 12345 operations (issue 17)
    APPEAL = "appeal"  # 申诉/甄别: a handling unit contests a verdict or asks for a class
    UPHOLD_APPEAL = "uphold_appeal"  # the command centre upholds it: the case leaves that unit's affected rates
    REFUSE_APPEAL = "refuse_appeal"
    # 督办/催办 (issue 15)
    SUPERVISE = "supervise"  # 督办: a leader or the command centre puts the case under supervision
    REPLY_SUPERVISION = "reply_supervision"  # 督办回复 by the supervised (handling) unit
    ESCALATE_SUPERVISION = "escalate_supervision"  # an unanswered 督办 past its deadline goes one level up
    URGE = "urge"  # 催办: written by the deadline scan to the handling task at yellow and at red
    CALLBACK_ATTEMPT = "callback_attempt"  # 回访: one call to the reporter (gridgov.callbacks)
    CALLBACK_UNREACHED = "callback_unreached"  # 回访: closed as 未回访 after the failed attempts
    # 转办 (issue 17): written by gridgov.transfers for a person, whose own rule (transfers.domain) decides
    TRANSFER = "transfer"  # the case goes to another hotline or system (110/119/120/122, another 12345, …)
    TRANSFER_OUTCOME = "transfer_outcome"  # what the receiving side reported back


S, A = CaseStatus, Action
_RESUME = CaseStatus.SUSPENDED  # placeholder: resume returns to the status held before suspension

TRANSITIONS: dict[tuple[CaseStatus, Action], CaseStatus] = {
    (S.REPORTED, A.REGISTER): S.REGISTERED,
    (S.REPORTED, A.REJECT): S.REJECTED,
    (S.REPORTED, A.DIRECT_CLOSE): S.CLOSED,
    (S.REGISTERED, A.DIRECT_CLOSE): S.CLOSED,
    (S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (S.RETURNED, A.DISPATCH): S.DISPATCHED,
    (S.REOPENED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.DISPATCHED, A.RETURN): S.RETURNED,
    (S.ACCEPTED, A.HANDLE): S.HANDLED,
    (S.HANDLED, A.VERIFY): S.CLOSED,
    (S.HANDLED, A.REWORK): S.ACCEPTED,
    (S.CLOSED, A.EVALUATE): S.EVALUATED,
    (S.EVALUATED, A.REOPEN): S.REOPENED,
    (S.ACCEPTED, A.REQUEST_POSTPONE): S.ACCEPTED,
    (S.ACCEPTED, A.APPROVE_POSTPONE): S.ACCEPTED,
    (S.ACCEPTED, A.DENY_POSTPONE): S.ACCEPTED,
    (S.DISPATCHED, A.SUSPEND): S.SUSPENDED,
    (S.ACCEPTED, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.RESUME): _RESUME,
    (S.REPORTED, A.MERGE): S.MERGED,
    (S.REGISTERED, A.MERGE): S.MERGED,
    (S.RETURNED, A.MERGE): S.MERGED,
    (S.MERGED, A.FOLLOW_PARENT): S.CLOSED,
    (S.MERGED, A.MERGE): S.MERGED,  # moved to another parent (its parent was itself merged)
    (S.ACCEPTED, A.WHISTLE): S.ACCEPTED,
    # a summoned or assisting unit reports and feeds back while its task is open, whatever the primary unit has
    # done meanwhile (事不完、人不撤: the case is not verified until they have)
    (S.DISPATCHED, A.CHECK_IN): S.DISPATCHED,
    (S.DISPATCHED, A.TASK_FEEDBACK): S.DISPATCHED,
    (S.ACCEPTED, A.CHECK_IN): S.ACCEPTED,
    (S.ACCEPTED, A.TASK_FEEDBACK): S.ACCEPTED,
    (S.HANDLED, A.CHECK_IN): S.HANDLED,
    (S.HANDLED, A.TASK_FEEDBACK): S.HANDLED,
    (S.SUSPENDED, A.CHECK_IN): S.SUSPENDED,
    (S.SUSPENDED, A.TASK_FEEDBACK): S.SUSPENDED,
    (S.ACCEPTED, A.CANCEL_TASK): S.ACCEPTED,
    (S.HANDLED, A.CANCEL_TASK): S.HANDLED,
    (S.ACCEPTED, A.RATE_DEPARTMENT): S.ACCEPTED,
    (S.HANDLED, A.RATE_DEPARTMENT): S.HANDLED,
    (S.CLOSED, A.RATE_DEPARTMENT): S.CLOSED,
    (S.EVALUATED, A.RATE_DEPARTMENT): S.EVALUATED,
    (S.DISPATCHED, A.WARN): S.DISPATCHED,
    (S.ACCEPTED, A.WARN): S.ACCEPTED,
    (S.DISPATCHED, A.ESCALATE): S.DISPATCHED,
    (S.ACCEPTED, A.ESCALATE): S.ACCEPTED,
    # 督办/催办 (issue 15)
    (S.DISPATCHED, A.SUPERVISE): S.DISPATCHED,
    (S.ACCEPTED, A.SUPERVISE): S.ACCEPTED,
    (S.DISPATCHED, A.URGE): S.DISPATCHED,
    (S.ACCEPTED, A.URGE): S.ACCEPTED,
    (S.CLOSED, A.CALLBACK_ATTEMPT): S.CLOSED,
    (S.CLOSED, A.CALLBACK_UNREACHED): S.CLOSED,
    # 转办 (issue 17): before a local unit has the case in hand; the outcome, once or more, leaves it transferred
    (S.REPORTED, A.TRANSFER): S.TRANSFERRED,
    (S.REGISTERED, A.TRANSFER): S.TRANSFERRED,
    (S.RETURNED, A.TRANSFER): S.TRANSFERRED,
    (S.TRANSFERRED, A.TRANSFER_OUTCOME): S.TRANSFERRED,
}
# 12345 operations (issue 17): an appeal and its decision leave the status as it is
APPEALABLE = (S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.CLOSED, S.EVALUATED, S.REOPENED, S.RETURNED)
TRANSITIONS.update({(st, A.APPEAL): st for st in APPEALABLE})
TRANSITIONS.update({(st, A.UPHOLD_APPEAL): st for st in APPEALABLE})
TRANSITIONS.update({(st, A.REFUSE_APPEAL): st for st in APPEALABLE})

# who may verify at all; which of them verifies a given case is the guard's rule (cases.guards.VERIFIERS)
_VERIFIERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY, Role.STREET, Role.DISPATCHER, Role.ADMIN})

ACTION_ROLES: dict[Action, frozenset[Role]] = {
    A.REPORT_CASE: frozenset(Role) - {Role.LEADER, Role.SYSTEM},
    A.REGISTER: COMMAND_ROLES,
    A.REJECT: COMMAND_ROLES,
    A.DIRECT_CLOSE: frozenset({Role.OPERATOR, Role.ADMIN}),
    A.DISPATCH: COMMAND_ROLES,
    A.ACCEPT: HANDLER_ROLES,
    A.RETURN: HANDLER_ROLES,
    A.HANDLE: HANDLER_ROLES,
    A.VERIFY: _VERIFIERS,
    A.REWORK: _VERIFIERS,
    A.EVALUATE: frozenset({Role.RESIDENT, Role.OPERATOR, Role.ADMIN}),
    A.REOPEN: frozenset({Role.SYSTEM}),
    A.REQUEST_POSTPONE: HANDLER_ROLES,
    A.APPROVE_POSTPONE: frozenset({Role.DISPATCHER, Role.ADMIN}),
    A.DENY_POSTPONE: frozenset({Role.DISPATCHER, Role.ADMIN}),
    A.SUSPEND: frozenset({Role.DISPATCHER, Role.ADMIN}),
    A.RESUME: frozenset({Role.DISPATCHER, Role.ADMIN}),
    A.MERGE: COMMAND_ROLES,
    A.FOLLOW_PARENT: frozenset({Role.SYSTEM}),
    A.WHISTLE: frozenset({Role.STREET}),
    A.CHECK_IN: HANDLER_ROLES,
    A.TASK_FEEDBACK: HANDLER_ROLES,
    A.CANCEL_TASK: frozenset({Role.STREET}),
    A.RATE_DEPARTMENT: frozenset({Role.STREET}),
    A.WARN: frozenset({Role.SYSTEM}),
    A.ESCALATE: frozenset({Role.SYSTEM}),
    A.CLASSIFY: frozenset({Role.SYSTEM}),
    A.ERASE_REPORTER: frozenset({Role.SYSTEM}),
    A.CLAIM_REPORT: frozenset({Role.SYSTEM}),
    A.COMMENT: frozenset({Role.SYSTEM}),
    # 12345 operations (issue 17)
    A.APPEAL: HANDLER_ROLES,
    A.UPHOLD_APPEAL: frozenset({Role.DISPATCHER, Role.ADMIN}),
    A.REFUSE_APPEAL: frozenset({Role.DISPATCHER, Role.ADMIN}),
    # 督办/催办 (issue 15)
    A.SUPERVISE: frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMIN}),
    A.REPLY_SUPERVISION: HANDLER_ROLES,
    A.ESCALATE_SUPERVISION: frozenset({Role.SYSTEM}),
    A.URGE: frozenset({Role.SYSTEM}),
    # written by gridgov.callbacks for an operator, whose own rule (callbacks.domain.CALLBACK_ROLES) decides
    A.CALLBACK_ATTEMPT: frozenset({Role.SYSTEM}),
    A.CALLBACK_UNREACHED: frozenset({Role.SYSTEM}),
    A.TRANSFER: frozenset({Role.SYSTEM}),
    A.TRANSFER_OUTCOME: frozenset({Role.SYSTEM}),
}

# the system may attach its proposal to a case in any state (it never changes the status)
TRANSITIONS.update({(st, A.CLASSIFY): st for st in CaseStatus})
TRANSITIONS.update({(st, A.ERASE_REPORTER): st for st in CaseStatus})
TRANSITIONS.update({(st, A.CLAIM_REPORT): st for st in CaseStatus})
TRANSITIONS.update({(st, A.COMMENT): st for st in CaseStatus})
# 督办/催办 (issue 15): a 督办 is answered while a unit has the case in hand; it escalates while the case is open
_WORKED = (S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.SUSPENDED)  # a unit has the case in hand
TRANSITIONS.update({(st, A.REPLY_SUPERVISION): st for st in _WORKED})
TRANSITIONS.update({(st, A.ESCALATE_SUPERVISION): st for st in CaseStatus if st.kind is StatusKind.OPEN})

# actions a person may send through the API (the rest are the system's own)
PUBLIC_ACTIONS = frozenset(a for a, roles in ACTION_ROLES.items() if roles != {Role.SYSTEM}) - {A.REPORT_CASE}

ACTION_LABELS = {
    A.REPORT_CASE: "上报",
    A.REGISTER: "立案",
    A.REJECT: "不予立案",
    A.DIRECT_CLOSE: "直接办结",
    A.DISPATCH: "派遣",
    A.ACCEPT: "签收",
    A.RETURN: "退回",
    A.HANDLE: "处置反馈",
    A.VERIFY: "核查结案",
    A.REWORK: "返工",
    A.EVALUATE: "回访评价",
    A.REOPEN: "重启",
    A.REQUEST_POSTPONE: "申请延期",
    A.APPROVE_POSTPONE: "批准延期",
    A.DENY_POSTPONE: "驳回延期",
    A.SUSPEND: "挂起",
    A.RESUME: "恢复",
    A.MERGE: "并案",
    A.FOLLOW_PARENT: "随主案结案",
    A.WHISTLE: "吹哨",
    A.CHECK_IN: "部门报到",
    A.TASK_FEEDBACK: "部门反馈",
    A.CANCEL_TASK: "撤销召集",
    A.RATE_DEPARTMENT: "评价报到部门",
    A.WARN: "黄牌预警",
    A.ESCALATE: "红牌超期升级",
    A.CLASSIFY: "智能分类与重复提示",
    A.ERASE_REPORTER: "删除反映人个人信息",
    A.CLAIM_REPORT: "归入反映人的居民账号",
    A.COMMENT: "补充说明",
    # 12345 operations (issue 17)
    A.APPEAL: "申诉",
    A.UPHOLD_APPEAL: "申诉成立",
    A.REFUSE_APPEAL: "申诉不成立",
    # 督办/催办 (issue 15)
    A.SUPERVISE: "督办",
    A.REPLY_SUPERVISION: "督办回复",
    A.ESCALATE_SUPERVISION: "督办超期升级",
    A.URGE: "催办",
    A.CALLBACK_ATTEMPT: "回访记录",
    A.CALLBACK_UNREACHED: "未回访",
    A.TRANSFER: "转办",
    A.TRANSFER_OUTCOME: "转办结果",
}


class ActionNotPermitted(PermissionDenied):
    message = "当前角色或单位无权执行此操作"


SUSPENDABLE = frozenset(s for (s, a) in TRANSITIONS if a is Action.SUSPEND)


def next_status(status: CaseStatus, action: Action, *, resume_to: CaseStatus | None = None) -> CaseStatus:
    """The one place a case's status is decided. Raises InvalidTransition."""
    try:
        target = TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            f"案件处于「{status.label}」状态，不能执行「{ACTION_LABELS[action]}」",
            status=status.value,
            action=action.value,
        ) from None
    if action is Action.RESUME:
        if resume_to not in SUSPENDABLE:
            raise InvalidTransition("挂起前状态未知，无法恢复", status=status.value, action=action.value)
        return resume_to
    return target


def allowed_actions(status: CaseStatus, role: Role | None = None) -> list[Action]:
    """What a person may do to a case in this status (the system's own steps are left out); with `role`, only
    what that role may do (scope, tasks and deadlines are checked when the action is taken)."""
    return [
        a for (s, a) in TRANSITIONS if s is status and a in PUBLIC_ACTIONS and (role is None or role in ACTION_ROLES[a])
    ]


def check_role(action: Action, role: Role) -> None:
    if role not in ACTION_ROLES[action]:
        raise ActionNotPermitted(f"角色「{role.label}」不能执行「{ACTION_LABELS[action]}」", action=action.value)


# -- tasks: one per unit working on a case ---------------------------------------------------------
class TaskRole(StrEnum):
    PRIMARY = "primary"  # 主办
    ASSIST = "assist"  # 协办
    WHISTLE = "whistle"  # 吹哨报到


class TaskStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # 签收 / 报到
    RETURNED = "returned"
    FED_BACK = "fed_back"
    CANCELLED = "cancelled"

    @property
    def is_done(self) -> bool:
        return self in (TaskStatus.FED_BACK, TaskStatus.RETURNED, TaskStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class TaskView:
    """What the guards (cases.guards) need of one task of the case."""

    unit_id: int
    role: TaskRole
    status: TaskStatus
    unit_name: str | None = None
    appeal_status: str | None = None  # 12345 operations (issue 17): pending | upheld | refused


TASK_TRANSITIONS: dict[tuple[TaskStatus, str], TaskStatus] = {
    (TaskStatus.PENDING, "accept"): TaskStatus.ACCEPTED,
    (TaskStatus.PENDING, "return"): TaskStatus.RETURNED,
    (TaskStatus.PENDING, "cancel"): TaskStatus.CANCELLED,
    (TaskStatus.ACCEPTED, "feedback"): TaskStatus.FED_BACK,
    (TaskStatus.ACCEPTED, "cancel"): TaskStatus.CANCELLED,
    (TaskStatus.FED_BACK, "rework"): TaskStatus.ACCEPTED,
}


def next_task_status(status: TaskStatus, step: str) -> TaskStatus:
    try:
        return TASK_TRANSITIONS[(status, step)]
    except KeyError:
        raise InvalidTransition(
            f"任务处于「{status.value}」状态，不能执行「{step}」", task_status=status.value
        ) from None


# -- 12345 operations (issue 17): appeals (申诉/甄别) -------------------------------------------------------
class AppealKind(StrEnum):
    VERDICT = "verdict"  # 申诉评价: the resident's verdict (e.g. 不满意) was unfair
    UNREASONABLE = "unreasonable"  # 不合理诉求
    NOT_OURS = "not_ours"  # 非本单位职责
    DUPLICATE = "duplicate"  # 重复诉求
    UNREACHABLE = "unreachable"  # 无法联系

    @property
    def label(self) -> str:
        return APPEAL_LABELS[self]


APPEAL_LABELS = {
    AppealKind.VERDICT: "评价申诉",
    AppealKind.UNREASONABLE: "不合理诉求",
    AppealKind.NOT_OURS: "非本单位职责",
    AppealKind.DUPLICATE: "重复诉求",
    AppealKind.UNREACHABLE: "无法联系",
}


class Exclusion(StrEnum):
    """What an upheld appeal takes the unit's task out of (docs/metrics.md#appeals)."""

    VERDICT = "verdict"  # 解决率, 满意率
    OUTCOME = "outcome"  # 结案率, 按期结案率, 解决率, 满意率
    ALL = "all"  # every rate of the unit (the task counts nowhere for it)


APPEAL_EXCLUDES = {
    AppealKind.VERDICT: Exclusion.VERDICT,
    AppealKind.UNREASONABLE: Exclusion.OUTCOME,
    AppealKind.UNREACHABLE: Exclusion.OUTCOME,
    AppealKind.NOT_OURS: Exclusion.ALL,
    AppealKind.DUPLICATE: Exclusion.ALL,
}
APPEAL_DAYS = 5  # working days the command centre has to decide (GRIDGOV_APPEAL_DAYS)


# -- evaluation ---------------------------------------------------------------------------------
class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}[self.value]


def should_reopen(satisfaction: Satisfaction, closed_at: datetime, now: datetime, window_days: int) -> bool:
    """不满意 within the configured window after closing reopens the case."""
    elapsed = (now - closed_at).total_seconds()
    return satisfaction is Satisfaction.UNSATISFIED and 0 <= elapsed <= window_days * 86400


# -- deadlines and alarms -----------------------------------------------------------------------
class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return {"normal": 0, "urgent": 1, "emergency": 2}[self.value]


# limits imposed by urgency when a case is more urgent than its category's default (DOMAIN.md: unverified, local)
URGENCY_LIMITS: dict[Urgency, tuple[Limit, Limit]] = {
    Urgency.URGENT: (Limit(1, TimeUnit.HOURS), Limit(24, TimeUnit.HOURS)),
    Urgency.EMERGENCY: (Limit(30, TimeUnit.MINUTES), Limit(2, TimeUnit.HOURS)),
}


@dataclass(frozen=True, slots=True)
class Deadlines:
    response_due: datetime
    handle_due: datetime
    unit: TimeUnit  # the handling limit's measure (natural or working time)
    response_unit: TimeUnit  # the response limit's measure, after any tightening by urgency


def compute_deadlines(
    start: datetime,
    response: Limit,
    handle: Limit,
    category_urgency: Urgency,
    case_urgency: Urgency,
    calendar: WorkingDays,
) -> Deadlines:
    """Deadlines from the category's limits, tightened when the case is more urgent than its category."""
    resp_due = calendar.deadline(start, response)
    hand_due = calendar.deadline(start, handle)
    unit, resp_unit = handle.unit, response.unit
    if case_urgency.rank > category_urgency.rank:
        u_resp, u_hand = URGENCY_LIMITS[case_urgency]
        tight_resp = calendar.deadline(start, u_resp)
        if tight_resp < resp_due:
            resp_due, resp_unit = tight_resp, u_resp.unit
        tight = calendar.deadline(start, u_hand)
        if tight < hand_due:
            hand_due, unit = tight, u_hand.unit
    return Deadlines(resp_due, hand_due, unit, resp_unit)


class AlarmLevel(StrEnum):
    NONE = "none"
    YELLOW = "yellow"  # 80% of the time spent
    RED = "red"  # overdue


@dataclass(frozen=True, slots=True)
class Clockwork:
    """One running deadline: its start, due time and measure."""

    start: datetime
    due: datetime
    unit: TimeUnit

    def period(self, calendar: WorkingDays) -> float:
        return max(calendar.measure(self.start, self.due, self.unit), 60.0)

    def warn_at(self, calendar: WorkingDays, fraction: float) -> datetime:
        return calendar.advance(self.start, self.period(calendar) * fraction, self.unit)

    def escalation_at(self, calendar: WorkingDays, n: int) -> datetime:
        """When the n-th escalation is due: at the deadline, then once more each further period."""
        return calendar.advance(self.due, self.period(calendar) * (n - 1), self.unit)

    def shifted(self, calendar: WorkingDays, paused_from: datetime, resumed_at: datetime) -> Clockwork:
        """The clock after a pause (挂起): start and due move on by the time spent paused, in the same measure."""
        paused = max(calendar.measure(paused_from, resumed_at, self.unit), 0.0)
        return Clockwork(
            start=calendar.advance(self.start, paused, self.unit),
            due=calendar.advance(self.due, paused, self.unit),
            unit=self.unit,
        )

    def extended(self, calendar: WorkingDays, extra: Limit) -> Clockwork:
        """The clock after an approved postponement (延期): the due time moves by the granted limit."""
        return Clockwork(start=self.start, due=calendar.deadline(self.due, extra), unit=self.unit)


@dataclass(frozen=True, slots=True)
class AlarmStep:
    action: Action  # WARN or ESCALATE
    level: AlarmLevel
    escalation: int  # escalation count after this step (0 for a warning)
    at: datetime  # when the step became due


def due_alarm_steps(
    clock: Clockwork,
    level: AlarmLevel,
    escalations: int,
    now: datetime,
    calendar: WorkingDays,
    fraction: float,
    max_escalations: int,
) -> list[AlarmStep]:
    """The warning/escalation steps that are due by `now` and not yet taken (idempotent by state)."""
    steps: list[AlarmStep] = []
    if level is AlarmLevel.NONE:
        warn = clock.warn_at(calendar, fraction)
        if now >= warn and now < clock.due:
            steps.append(AlarmStep(Action.WARN, AlarmLevel.YELLOW, 0, warn))
    n = escalations
    while n < max_escalations:
        at = clock.escalation_at(calendar, n + 1)
        if now < at:
            break
        n += 1
        steps.append(AlarmStep(Action.ESCALATE, AlarmLevel.RED, n, at))
    return steps


def next_alarm_at(
    clock: Clockwork,
    level: AlarmLevel,
    escalations: int,
    calendar: WorkingDays,
    fraction: float,
    max_escalations: int,
) -> datetime | None:
    """When the scanner must look at the case again (None: nothing more will happen)."""
    if level is AlarmLevel.NONE:
        warn = clock.warn_at(calendar, fraction)
        if warn < clock.due:
            return warn
    if escalations >= max_escalations:
        return None
    return clock.escalation_at(calendar, escalations + 1)


# -- 督办/催办 (issue 15) ------------------------------------------------------------------------------
class SupervisionStatus(StrEnum):
    OPEN = "open"  # 挂牌督办: waiting for the unit's answer
    REPLIED = "replied"  # 督办回复 received (on time or late)
    ENDED = "ended"  # the case closed before an answer came

    @property
    def label(self) -> str:
        return SUPERVISION_STATUS_LABELS[self]


SUPERVISION_STATUS_LABELS = {
    SupervisionStatus.OPEN: "督办中",
    SupervisionStatus.REPLIED: "已回复",
    SupervisionStatus.ENDED: "随案件办结",
}
SUPERVISION_MAX_DAYS = 60  # the furthest a 督办 deadline may lie ahead, in days


@dataclass(frozen=True, slots=True)
class SupervisionView:
    """What the guards need of a case's open 督办."""

    id: int
    unit_id: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class SupervisionStep:
    level: int  # escalations after this step
    at: datetime  # when it became due


def due_supervision_steps(
    issued_at: datetime, due_at: datetime, escalations: int, now: datetime, max_escalations: int
) -> list[SupervisionStep]:
    """An unanswered 督办 escalates one level up at its deadline, then once more each further period (the time
    it was given), as far as the chain of units goes (idempotent by the escalation count)."""
    period = max(due_at - issued_at, timedelta(minutes=1))
    steps: list[SupervisionStep] = []
    n = escalations
    while n < max_escalations:
        at = due_at + period * n
        if now < at:
            break
        n += 1
        steps.append(SupervisionStep(n, at))
    return steps


def next_supervision_check(
    issued_at: datetime, due_at: datetime, escalations: int, max_escalations: int
) -> datetime | None:
    if escalations >= max_escalations:
        return None
    return due_at + max(due_at - issued_at, timedelta(minutes=1)) * escalations


def supervision_on_time(replied_at: datetime, due_at: datetime) -> bool:
    """督办按期回复: the answer came no later than the deadline."""
    return replied_at <= due_at


class UrgeLevel(StrEnum):
    YELLOW = "yellow"  # 催办 at the yellow warning
    RED = "red"  # and again when the task turns red (once per task and level)


def urge_level(step: AlarmStep) -> UrgeLevel | None:
    """Which 催办 an alarm step writes: the warning, and the first escalation (later ones are the escalation's)."""
    if step.action is Action.WARN:
        return UrgeLevel.YELLOW
    if step.action is Action.ESCALATE and step.escalation == 1:
        return UrgeLevel.RED
    return None
