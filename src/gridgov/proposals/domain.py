"""人大代表建议 and 政协提案 (and 社情民意), as pure rules: the item's kinds and statuses, the actions as a
transition table, the deadlines counted from 交办 (calendar months with month ends kept, working days over the
city's calendar), the answer classes A/B/C/D, the ratings, and the metrics' formulas.

Nothing here imports a framework or reads the clock; services pass `now` (and the calendar's working-day test)
in. Every time limit is a setting (gridgov.config: GRIDGOV_PROPOSALS_*), carried here as `Limits`.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from gridgov.actor import Role
from gridgov.errors import GridgovError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed


# -- the item's fields -----------------------------------------------------------------------------------------
class Kind(StrEnum):
    SUGGESTION = "suggestion"  # 建议 (an NPC deputy)
    PROPOSAL = "proposal"  # 提案 (a CPPCC member)
    OPINION = "opinion"  # 社情民意 (a problem from the masses: it becomes a case)

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {Kind.SUGGESTION: "建议", Kind.PROPOSAL: "提案", Kind.OPINION: "社情民意"}


class Body(StrEnum):
    NPC = "npc"  # 人大代表
    CPPCC = "cppcc"  # 政协委员

    @property
    def label(self) -> str:
        return "人大代表" if self is Body.NPC else "政协委员"


BODY_OF_KIND = {Kind.SUGGESTION: Body.NPC, Kind.PROPOSAL: Body.CPPCC}


class AnswerClass(StrEnum):
    A = "A"  # 已解决或基本解决
    B = "B"  # 正在解决或列入计划解决 (with a timetable: each promise has a date)
    C = "C"  # 因条件限制暂时不能解决 (the reason explained)
    D = "D"  # 留作参考

    @property
    def label(self) -> str:
        return CLASS_LABELS[self]


CLASS_LABELS = {
    AnswerClass.A: "A 类: 已解决或基本解决",
    AnswerClass.B: "B 类: 正在解决或列入计划解决",
    AnswerClass.C: "C 类: 因条件限制暂时不能解决",
    AnswerClass.D: "D 类: 留作参考",
}


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {Rating.SATISFIED: "满意", Rating.BASICALLY: "基本满意", Rating.DISSATISFIED: "不满意"}
SATISFIED_ENOUGH = frozenset({Rating.SATISFIED, Rating.BASICALLY})  # what 满意率 counts


class ContactMethod(StrEnum):
    MEETING = "meeting"  # 当面座谈
    VISIT = "visit"  # 走访
    PHONE = "phone"  # 电话

    @property
    def label(self) -> str:
        return CONTACT_LABELS[self]

    @property
    def face_to_face(self) -> bool:
        return self is not ContactMethod.PHONE


CONTACT_LABELS = {ContactMethod.MEETING: "当面座谈", ContactMethod.VISIT: "走访", ContactMethod.PHONE: "电话沟通"}


class HandlerRole(StrEnum):
    LEAD = "lead"  # 主办
    CO = "co"  # 会办 / 协办

    @property
    def label(self) -> str:
        return "主办" if self is HandlerRole.LEAD else "会办"


# -- statuses and actions: the workflow as a table ----------------------------------------------------------------
class StatusKind(StrEnum):
    WAITING = "waiting"  # with the office (to assign, or to reassign)
    HANDLING = "handling"  # with the units, the answer not yet given
    ANSWERED = "answered"  # answered, with the author or being followed up
    CLOSED = "closed"  # 办结 (or, for 社情民意, handed to the case loop)


class Status(StrEnum):
    RECEIVED = "received"  # 已立案待交办
    ASSIGNED = "assigned"  # 已交办, 办理中
    RETURNED = "returned"  # 单位退回, 待重新交办
    EXTENDED = "extended"  # 已书面说明, 延期办理 (至迟 6 个月办结)
    ANSWERED = "answered"  # 已答复, 待代表委员评价
    RATED = "rated"  # 已评价 (the next step follows at once: re-handle, follow up, or finish)
    REHANDLING = "rehandling"  # 不满意, 重新办理
    TRACKING = "tracking"  # B 类承诺事项跟踪中
    CLOSED = "closed"  # 办结
    REFERRED = "referred"  # 社情民意已转案件办理

    @property
    def kind(self) -> StatusKind:
        return STATUS_KINDS[self]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_KINDS = {
    Status.RECEIVED: StatusKind.WAITING,
    Status.RETURNED: StatusKind.WAITING,
    Status.ASSIGNED: StatusKind.HANDLING,
    Status.EXTENDED: StatusKind.HANDLING,
    Status.REHANDLING: StatusKind.HANDLING,
    Status.ANSWERED: StatusKind.ANSWERED,
    Status.RATED: StatusKind.ANSWERED,
    Status.TRACKING: StatusKind.ANSWERED,
    Status.CLOSED: StatusKind.CLOSED,
    Status.REFERRED: StatusKind.CLOSED,
}
STATUS_LABELS = {
    Status.RECEIVED: "待交办",
    Status.ASSIGNED: "办理中",
    Status.RETURNED: "被退回待重新交办",
    Status.EXTENDED: "延期办理",
    Status.ANSWERED: "已答复待评价",
    Status.RATED: "已评价",
    Status.REHANDLING: "不满意重新办理",
    Status.TRACKING: "承诺事项跟踪",
    Status.CLOSED: "已办结",
    Status.REFERRED: "已转案件办理",
}


class Action(StrEnum):
    REGISTER = "register"  # the creation itself (one item, an import, a deputy's 社情民意)
    ASSIGN = "assign"  # 交办: the lead unit and co-handlers (again after a return: 重新交办)
    RETURN = "return"  # 退回: not the unit's own, within the return limit, with a reason
    SEND_VIEWS = "send_views"  # 会办意见: a co-handler's views to the lead unit
    RECORD_CONTACT = "record_contact"  # 办前面商 / 见面沟通
    EXPLAIN = "explain"  # 书面说明: cannot answer within 3 months, finished within 6
    ANSWER = "answer"  # 书面答复 with its class (again after an 不满意)
    RATE = "rate"  # 代表委员评价 办理工作 and 办理结果
    REHANDLE = "rehandle"  # follows an 不满意 (system)
    TRACK = "track"  # follows a rating of a B-class answer with promises not yet kept (system)
    KEEP_PROMISE = "keep_promise"  # 承诺事项兑现
    FINISH = "finish"  # 办结 (system, after the rating or the last promise kept)
    REFER = "refer"  # 社情民意 → a case in the case loop

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.REGISTER: "立案",
    Action.ASSIGN: "交办",
    Action.RETURN: "退回",
    Action.SEND_VIEWS: "提交会办意见",
    Action.RECORD_CONTACT: "记录办前面商",
    Action.EXPLAIN: "书面说明延期",
    Action.ANSWER: "书面答复",
    Action.RATE: "评价",
    Action.REHANDLE: "重新办理",
    Action.TRACK: "转入承诺跟踪",
    Action.KEEP_PROMISE: "承诺事项兑现",
    Action.FINISH: "办结",
    Action.REFER: "转为案件办理",
}

S, A = Status, Action
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.RECEIVED, A.ASSIGN): S.ASSIGNED,
    (S.RETURNED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.RETURN): S.RETURNED,
    (S.ASSIGNED, A.EXPLAIN): S.EXTENDED,
    (S.ASSIGNED, A.ANSWER): S.ANSWERED,
    (S.EXTENDED, A.ANSWER): S.ANSWERED,
    (S.REHANDLING, A.ANSWER): S.ANSWERED,
    (S.ANSWERED, A.RATE): S.RATED,
    (S.RATED, A.REHANDLE): S.REHANDLING,
    (S.RATED, A.TRACK): S.TRACKING,
    (S.RATED, A.FINISH): S.CLOSED,
    (S.TRACKING, A.FINISH): S.CLOSED,
    (S.RECEIVED, A.REFER): S.REFERRED,
}
for _s in (S.ASSIGNED, S.EXTENDED, S.REHANDLING):
    TRANSITIONS[(_s, A.SEND_VIEWS)] = _s
    TRANSITIONS[(_s, A.RECORD_CONTACT)] = _s
for _s in (S.ANSWERED, S.REHANDLING, S.TRACKING):
    TRANSITIONS[(_s, A.KEEP_PROMISE)] = _s

SYSTEM_ACTIONS = frozenset({A.REHANDLE, A.TRACK, A.FINISH, A.REGISTER})
# what each kind of item goes through: a 社情民意 goes to the case loop; 建议 and 提案 are assigned to units
KIND_ACTIONS = {
    Kind.OPINION: frozenset({A.REGISTER, A.REFER}),
    Kind.SUGGESTION: frozenset(Action) - {A.REFER},
    Kind.PROPOSAL: frozenset(Action) - {A.REFER},
}


def next_status(status: Status, action: Action) -> Status:
    """The one place an item's status is decided. Raises InvalidTransition."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            f"建议提案处于「{status.label}」状态，不能执行「{action.label}」", status=status.value, action=action.value
        ) from None


# -- who -------------------------------------------------------------------------------------------------------
OFFICE = frozenset({Role.PROPOSAL_OFFICE, Role.ADMIN})  # run the process
UNIT_ROLES = frozenset({Role.DEPARTMENT, Role.STREET, Role.COMMUNITY})  # see and handle what is assigned to them
AUTHORS = frozenset({Role.DEPUTY})  # see their own items, rate them, report 社情民意
READ_ALL = OFFICE | frozenset({Role.LEADER})
READERS = READ_ALL | UNIT_ROLES | AUTHORS

# who may take each action (the guard adds whose item it is: the lead unit, a co-handler, an author)
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    A.REGISTER: OFFICE | AUTHORS,
    A.ASSIGN: OFFICE,
    A.RETURN: UNIT_ROLES,
    A.SEND_VIEWS: UNIT_ROLES,
    A.RECORD_CONTACT: UNIT_ROLES,
    A.EXPLAIN: UNIT_ROLES,
    A.ANSWER: UNIT_ROLES,
    A.RATE: AUTHORS | OFFICE,  # the author, or the office entering the author's returned 征询意见表
    A.KEEP_PROMISE: UNIT_ROLES | OFFICE,
    A.REFER: OFFICE,
    A.REHANDLE: frozenset({Role.SYSTEM}),
    A.TRACK: frozenset({Role.SYSTEM}),
    A.FINISH: frozenset({Role.SYSTEM}),
}


# -- errors ----------------------------------------------------------------------------------------------------
class ProposalNotFound(NotFound):
    code = "proposal_not_found"
    message = "建议提案不存在"


class BatchNotFound(NotFound):
    code = "proposal_batch_not_found"
    message = "批次不存在"


class NotPermitted(PermissionDenied):
    message = "当前角色无权办理该建议提案"


class LimitPassed(ValidationFailed):
    code = "proposal_limit_passed"
    message = "已超过规定时限"


class ImportRefused(GridgovError):
    code = "proposal_import_refused"
    status = 422
    message = "建议提案清单有误，未导入任何一件"


# -- deadlines -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Limits:
    """Every time limit (GRIDGOV_PROPOSALS_*)."""

    return_days: int = 10
    views_months: int = 1
    contact_working_days: int = 15
    answer_months: int = 3
    final_months: int = 6
    rehandle_months: int = 1
    max_rehandles: int = 1


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later; a day the month lacks becomes its last (01-31 + 3 → 04-30)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def add_working_days(day: date, n: int, is_working_day: Callable[[date], bool]) -> date:
    """The n-th working day after `day` (the day itself does not count)."""
    out, left = day, n
    for _ in range(3660):
        if left <= 0:
            return out
        out += timedelta(days=1)
        if is_working_day(out):
            left -= 1
    raise ValueError("the calendar has no working days")


@dataclass(frozen=True, slots=True)
class Deadlines:
    return_by: date  # 退回 (days)
    views_by: date  # 会办意见
    contact_by: date  # 办前面商 (working days)
    answer_by: date  # 书面答复
    final_by: date  # 延期办结


def deadlines(assigned_on: date, limits: Limits, is_working_day: Callable[[date], bool]) -> Deadlines:
    return Deadlines(
        return_by=assigned_on + timedelta(days=limits.return_days),
        views_by=add_months(assigned_on, limits.views_months),
        contact_by=add_working_days(assigned_on, limits.contact_working_days, is_working_day),
        answer_by=add_months(assigned_on, limits.answer_months),
        final_by=add_months(assigned_on, limits.final_months),
    )


def due_of(answer_by: date | None, final_by: date | None, extended: bool, rehandle_by: date | None) -> date | None:
    """When the item's (next) answer is due: the re-answer's date after an 不满意, the 6-month date once an
    explanation was sent, else the 3-month date."""
    if rehandle_by is not None:
        return rehandle_by
    return final_by if extended else answer_by


# -- ratings ---------------------------------------------------------------------------------------------------
def after_rating(
    work: Rating, result: Rating, rehandles: int, limits: Limits, answer_class: AnswerClass | None, unkept: int
) -> Action:
    """What follows a rating: an 不满意 (of either) sends it back once (REHANDLE); a B-class answer with a promise
    not yet kept is followed up (TRACK); anything else is finished (FINISH)."""
    if Rating.DISSATISFIED in (work, result) and rehandles < limits.max_rehandles:
        return Action.REHANDLE
    if answer_class is AnswerClass.B and unkept:
        return Action.TRACK
    return Action.FINISH


# -- metrics ---------------------------------------------------------------------------------------------------
def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by (shown as —, never as 0)."""
    return None if not denominator else numerator / denominator


@dataclass(frozen=True, slots=True)
class ItemFigures:
    """What the metrics read of one assigned item (建议 or 提案) of one lead unit."""

    kind: Kind
    due: date | None  # the first answer's date limit (3 months, or 6 after an explanation)
    first_answered_on: date | None
    face_to_face: bool
    rating_work: Rating | None  # the latest rating
    rating_result: Rating | None
    answer_class: AnswerClass | None  # the latest answer's class
    promises_due: int  # promises whose date is on or before the report's day
    promises_kept: int  # of those, kept (on any day up to the report's day)


@dataclass(frozen=True, slots=True)
class Metrics:
    items: int
    due: int
    on_time: int
    on_time_rate: float | None  # 按期答复率
    met: int
    meeting_rate: float | None  # 见面率
    rated: int
    work_satisfied: int
    work_rate: float | None  # 满意率 (办理工作)
    result_satisfied: int
    result_rate: float | None  # 满意率 (办理结果)
    classes: dict[str, int]  # A/B/C/D distribution
    promises_due: int
    promises_kept: int
    promise_rate: float | None  # 承诺兑现率


def metrics(rows: Iterable[ItemFigures], today: date) -> Metrics:
    """The formulas (docs/proposals.md#metrics):

    - 按期答复率 = items first answered on or before their limit / items answered or whose limit has passed;
    - 见面率 = items with a face-to-face contact (meeting or visit) / items;
    - 满意率 (工作), (结果) = items whose latest rating of the work (the result) is 满意 or 基本满意 / items rated;
    - A/B/C/D = the count of items by the class of their latest answer;
    - 承诺兑现率 = promises due by today and kept / promises due by today."""
    items = list(rows)
    due = [r for r in items if r.first_answered_on is not None or (r.due is not None and r.due < today)]
    on_time = [r for r in due if r.first_answered_on is not None and r.due is not None and r.first_answered_on <= r.due]
    met = [r for r in items if r.face_to_face]
    rated = [r for r in items if r.rating_work is not None and r.rating_result is not None]
    work_ok = [r for r in rated if r.rating_work in SATISFIED_ENOUGH]
    result_ok = [r for r in rated if r.rating_result in SATISFIED_ENOUGH]
    classes = {c.value: 0 for c in AnswerClass}
    for r in items:
        if r.answer_class is not None:
            classes[r.answer_class.value] += 1
    p_due = sum(r.promises_due for r in items)
    p_kept = sum(r.promises_kept for r in items)
    return Metrics(
        items=len(items),
        due=len(due),
        on_time=len(on_time),
        on_time_rate=rate(len(on_time), len(due)),
        met=len(met),
        meeting_rate=rate(len(met), len(items)),
        rated=len(rated),
        work_satisfied=len(work_ok),
        work_rate=rate(len(work_ok), len(rated)),
        result_satisfied=len(result_ok),
        result_rate=rate(len(result_ok), len(rated)),
        classes=classes,
        promises_due=p_due,
        promises_kept=p_kept,
        promise_rate=rate(p_kept, p_due),
    )


def metrics_by(rows: Iterable[tuple[str, ItemFigures]], today: date) -> dict[str, Metrics]:
    """The metrics of each key's rows (a unit's code)."""
    grouped: dict[str, list[ItemFigures]] = {}
    for key, row in rows:
        grouped.setdefault(key, []).append(row)
    return {k: metrics(v, today) for k, v in sorted(grouped.items())}


def refuse(message: str | None, error: type[GridgovError] = ValidationFailed, **details: object) -> None:
    if message is not None:
        raise error(message, **details)


def labels(enum_labels: Mapping[StrEnum, str]) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in enum_labels.items()]


def joined(values: Sequence[str]) -> str:
    return "、".join(values)
