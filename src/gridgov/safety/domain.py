"""安全生产 in the grids, as pure rules: the places (九小场所, rental housing, enterprises by industry) and their risk
colours, the hidden hazards' grades and their workflow as a transition table, the periods a plan generates tasks
for, and the five rates' formulas.

Nothing here imports a framework or reads the clock; services pass `now` in. The place types, the checklists
with their legal basis, the plans, the deadlines and where a referred hazard goes are data (safety/data/,
read by safety.rules).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from gridgov.actor import Role
from gridgov.errors import GridgovError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed


# -- places ----------------------------------------------------------------------------------------------------
class PlaceGroup(StrEnum):
    NINE_SMALL = "nine_small"  # 九小场所
    RENTAL = "rental"  # 出租房屋
    ENTERPRISE = "enterprise"  # 企业 (by industry)

    @property
    def label(self) -> str:
        return GROUP_LABELS[self]


GROUP_LABELS = {PlaceGroup.NINE_SMALL: "九小场所", PlaceGroup.RENTAL: "出租房屋", PlaceGroup.ENTERPRISE: "企业"}


class Risk(StrEnum):
    RED = "red"  # 重大风险
    ORANGE = "orange"  # 较大风险
    YELLOW = "yellow"  # 一般风险
    BLUE = "blue"  # 低风险

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


RISK_LABELS = {Risk.RED: "红", Risk.ORANGE: "橙", Risk.YELLOW: "黄", Risk.BLUE: "蓝"}
RISK_BY_TEXT = {v: k.value for k, v in RISK_LABELS.items()} | {
    "红色": "red",
    "橙色": "orange",
    "黄色": "yellow",
    "蓝色": "blue",
    "重大风险": "red",
    "较大风险": "orange",
    "一般风险": "yellow",
    "低风险": "blue",
}
RISK_COLOURS = {Risk.RED: "#d32f2f", Risk.ORANGE: "#f57c00", Risk.YELLOW: "#fbc02d", Risk.BLUE: "#1976d2"}


class PlaceStatus(StrEnum):
    OPEN = "open"  # 在营
    CLOSED = "closed"  # 已关停
    MERGED = "merged"  # 已合并 (into another place)

    @property
    def label(self) -> str:
        return {PlaceStatus.OPEN: "在营", PlaceStatus.CLOSED: "已关停", PlaceStatus.MERGED: "已合并"}[self]


class PlaceAction(StrEnum):
    REGISTER = "register"
    AMEND = "amend"
    CLOSE = "close"  # 关停
    MERGE = "merge"  # 合并到另一场所
    INSPECT = "inspect"  # an inspection of the place (its results, on the place's record)

    @property
    def label(self) -> str:
        return {
            PlaceAction.REGISTER: "登记场所",
            PlaceAction.AMEND: "修改场所信息",
            PlaceAction.CLOSE: "关停",
            PlaceAction.MERGE: "合并",
            PlaceAction.INSPECT: "检查",
        }[self]


PLACE_TRANSITIONS: dict[tuple[PlaceStatus, PlaceAction], PlaceStatus] = {
    (PlaceStatus.OPEN, PlaceAction.AMEND): PlaceStatus.OPEN,
    (PlaceStatus.OPEN, PlaceAction.CLOSE): PlaceStatus.CLOSED,
    (PlaceStatus.OPEN, PlaceAction.MERGE): PlaceStatus.MERGED,
    (PlaceStatus.OPEN, PlaceAction.INSPECT): PlaceStatus.OPEN,
}


def next_place_status(status: PlaceStatus, action: PlaceAction) -> PlaceStatus:
    try:
        return PLACE_TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            f"场所处于「{status.label}」状态，不能执行「{action.label}」", status=status.value, action=action.value
        ) from None


def mask_phone(phone: str) -> str:
    """138****5678: personal data is shown masked on every list, page and export."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """张** (the surname only)."""
    n = name.strip()
    return n[:1] + "*" * max(1, len(n) - 1) if n else ""


PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


# -- hazards: grades and the workflow as a table -----------------------------------------------------------------
class Grade(StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"  # 重大隐患

    @property
    def label(self) -> str:
        return "一般隐患" if self is Grade.GENERAL else "重大隐患"


class StatusKind(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class HazardStatus(StrEnum):
    AWAITING_PLAN = "awaiting_plan"  # 重大隐患: 待制定治理方案 (五落实)
    RECTIFYING = "rectifying"  # 整改中
    AWAITING_REVIEW = "awaiting_review"  # 待验收
    ACCEPTED = "accepted"  # 验收通过, 待销号
    CLOSED = "closed"  # 已销号

    @property
    def kind(self) -> StatusKind:
        return StatusKind.CLOSED if self is HazardStatus.CLOSED else StatusKind.OPEN

    @property
    def label(self) -> str:
        return HAZARD_STATUS_LABELS[self]


HAZARD_STATUS_LABELS = {
    HazardStatus.AWAITING_PLAN: "待制定治理方案",
    HazardStatus.RECTIFYING: "整改中",
    HazardStatus.AWAITING_REVIEW: "待验收",
    HazardStatus.ACCEPTED: "验收通过待销号",
    HazardStatus.CLOSED: "已销号",
}


class Action(StrEnum):
    FIND = "find"  # the creation: a failed checklist item
    FIX_ON_SPOT = "fix_on_spot"  # 立即整改 (一般隐患, with a photo)
    SUBMIT_PLAN = "submit_plan"  # 治理方案 (五落实)
    SUPERVISE = "supervise"  # 挂牌督办 (应急管理局)
    REPORT_RECTIFIED = "report_rectified"  # 整改完成, 申请验收
    PASS_REVIEW = "pass_review"  # 验收通过
    FAIL_REVIEW = "fail_review"  # 验收不通过, 退回整改
    CLOSE_OUT = "close_out"  # 销号
    FOUND_AGAIN = "found_again"  # the same place and item found again while open
    REFER = "refer"  # 转办: a case in the case loop for another department
    ESCALATE = "escalate"  # 逾期升级 (the system)

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.FIND: "发现隐患",
    Action.FIX_ON_SPOT: "立即整改",
    Action.SUBMIT_PLAN: "制定治理方案",
    Action.SUPERVISE: "挂牌督办",
    Action.REPORT_RECTIFIED: "整改完成申请验收",
    Action.PASS_REVIEW: "验收通过",
    Action.FAIL_REVIEW: "验收不通过",
    Action.CLOSE_OUT: "销号",
    Action.FOUND_AGAIN: "再次发现",
    Action.REFER: "转办其他部门",
    Action.ESCALATE: "逾期升级",
}

H, A = HazardStatus, Action
OPEN_STATUSES = tuple(s for s in HazardStatus if s.kind is StatusKind.OPEN)
TRANSITIONS: dict[tuple[HazardStatus, Action], HazardStatus] = {
    (H.RECTIFYING, A.FIX_ON_SPOT): H.CLOSED,
    (H.AWAITING_PLAN, A.SUBMIT_PLAN): H.RECTIFYING,
    (H.RECTIFYING, A.REPORT_RECTIFIED): H.AWAITING_REVIEW,
    (H.AWAITING_REVIEW, A.PASS_REVIEW): H.ACCEPTED,
    (H.AWAITING_REVIEW, A.FAIL_REVIEW): H.RECTIFYING,
    (H.ACCEPTED, A.CLOSE_OUT): H.CLOSED,
}
for _s in (H.AWAITING_PLAN, H.RECTIFYING, H.AWAITING_REVIEW):
    for _a in (A.SUPERVISE, A.FOUND_AGAIN, A.REFER, A.ESCALATE):
        TRANSITIONS[(_s, _a)] = _s
TRANSITIONS[(H.ACCEPTED, A.FOUND_AGAIN)] = H.ACCEPTED

# what a person is offered on a hazard's page (POST …/actions); FIND, FOUND_AGAIN and ESCALATE are not theirs
PERSON_ACTIONS = (
    A.SUBMIT_PLAN,
    A.SUPERVISE,
    A.REPORT_RECTIFIED,
    A.PASS_REVIEW,
    A.FAIL_REVIEW,
    A.CLOSE_OUT,
    A.REFER,
)
FIRST_STATUS = {Grade.GENERAL: H.RECTIFYING, Grade.MAJOR: H.AWAITING_PLAN}


def next_status(status: HazardStatus, action: Action) -> HazardStatus:
    """The one place a hazard's status is decided. Raises InvalidTransition."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            f"隐患处于「{status.label}」状态，不能执行「{action.label}」", status=status.value, action=action.value
        ) from None


# -- who ---------------------------------------------------------------------------------------------------------
# grid workers inspect; the street's safety office (street role) and the 应急管理 bureau (a department whose
# department_key is the bureau's) follow the hazards; everyone else on the staff reads
INSPECTORS = frozenset({Role.GRID_WORKER, Role.ADMIN})
FOLLOWERS = frozenset({Role.STREET, Role.DEPARTMENT, Role.ADMIN})
PLACE_WRITERS = frozenset({Role.STREET, Role.DEPARTMENT, Role.DISPATCHER, Role.ADMIN})
READERS = INSPECTORS | FOLLOWERS | PLACE_WRITERS | frozenset({Role.LEADER, Role.COMMUNITY, Role.OPERATOR})
PLANNERS = frozenset({Role.DEPARTMENT, Role.DISPATCHER, Role.ADMIN})


# -- errors ------------------------------------------------------------------------------------------------------
class PlaceNotFound(NotFound):
    code = "place_not_found"
    message = "场所不存在"


class HazardNotFound(NotFound):
    code = "hazard_not_found"
    message = "隐患不存在"


class TaskNotFound(NotFound):
    code = "inspection_task_not_found"
    message = "检查任务不存在"


class NotPermitted(PermissionDenied):
    message = "当前角色无权进行此安全生产操作"


class ImportRefused(GridgovError):
    code = "place_import_refused"
    status = 422
    message = "场所清单有误，未导入任何场所"


class InspectionRefused(ValidationFailed):
    code = "inspection_refused"
    message = "检查记录不符合要求"


class PlanRefused(ValidationFailed):
    code = "rectification_plan_refused"
    message = "治理方案须落实责任、措施、资金、时限和预案"


class UnknownPlan(ValidationFailed):
    code = "unknown_inspection_plan"
    message = "检查计划不存在"


def refuse(message: str | None, error: type[GridgovError], **details: object) -> None:
    if message is not None:
        raise error(message, **details)


# -- the 五落实 --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RectificationPlan:
    """治理方案: 责任 (who), 措施 (what), 资金 (元), 时限 (by when), 预案 (the contingency plan meanwhile)."""

    responsible: str
    measures: str
    funds: int
    time_limit: date
    contingency: str


def plan_refusal(plan: RectificationPlan, today: date) -> str | None:
    missing = [
        label
        for label, value in (
            ("责任落实 (责任人)", plan.responsible.strip()),
            ("措施落实 (整改措施)", plan.measures.strip()),
            ("预案落实 (应急预案)", plan.contingency.strip()),
        )
        if not value
    ]
    if missing:
        return "治理方案缺少: " + "、".join(missing)
    if plan.funds <= 0:
        return "资金落实: 整改资金须大于 0 元"
    if plan.time_limit < today:
        return "时限落实: 整改时限不能早于今天"
    return None


# -- plans: periods and slots ------------------------------------------------------------------------------------
class Frequency(StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return "每月" if self is Frequency.MONTHLY else "每周"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m[2]) <= 12 or not 2000 <= int(m[1]) <= 2100:
        raise ValidationFailed(f"期间须为 YYYY-MM, 例如 2026-12: {text}", field="period")
    return int(m[1]), int(m[2])


def month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Slot:
    """One round of a plan: its key ("2026-12" or "2026-W49"), the days it covers and its due day."""

    key: str
    start: date
    due: date


def slots(frequency: Frequency, year: int, month: int) -> list[Slot]:
    """A month's rounds: the month itself, or every ISO week whose Monday falls in the month (so each week is
    counted in one month only)."""
    first, last = date(year, month, 1), month_end(year, month)
    if frequency is Frequency.MONTHLY:
        return [Slot(f"{year}-{month:02d}", first, last)]
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while monday <= last:
        iso = monday.isocalendar()
        out.append(Slot(f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return out


@dataclass(frozen=True, slots=True)
class PlanRule:
    """A plan as data: which places (a group, a type or a risk colour) and how often."""

    code: str
    name: str
    frequency: Frequency
    group: PlaceGroup | None = None
    risk: Risk | None = None
    types: tuple[str, ...] = ()


# -- rates -------------------------------------------------------------------------------------------------------
class Measure(StrEnum):
    COVERAGE = "coverage"  # 检查覆盖率
    RECTIFICATION = "rectification"  # 隐患整改率
    ON_TIME = "on_time"  # 按期整改率
    MAJOR_CLOSED = "major_closed"  # 重大隐患销号率
    RECURRENCE = "recurrence"  # 隐患复发率

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self]


MEASURE_LABELS = {
    Measure.COVERAGE: "检查覆盖率",
    Measure.RECTIFICATION: "隐患整改率",
    Measure.ON_TIME: "按期整改率",
    Measure.MAJOR_CLOSED: "重大隐患销号率",
    Measure.RECURRENCE: "隐患复发率",
}


@dataclass(frozen=True, slots=True)
class Counts:
    """What the five rates are computed from, for one area and period (see docs/safety.md)."""

    due: int = 0  # 应检: tasks whose round falls in the period
    done: int = 0  # 已检: of those, inspected
    found: int = 0  # hazards found in the period
    closed: int = 0  # of those, 销号 (fixed on the spot included)
    on_time: int = 0  # of those closed, rectified by their deadline
    major: int = 0  # major hazards found in the period
    major_closed: int = 0  # of those, 销号
    repeats: int = 0  # hazards found in the period at a place and item whose earlier hazard was 销号


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by (shown as —, never as 0)."""
    return None if not denominator else numerator / denominator


def rates(c: Counts) -> dict[Measure, float | None]:
    return {
        Measure.COVERAGE: rate(c.done, c.due),
        Measure.RECTIFICATION: rate(c.closed, c.found),
        Measure.ON_TIME: rate(c.on_time, c.closed),
        Measure.MAJOR_CLOSED: rate(c.major_closed, c.major),
        Measure.RECURRENCE: rate(c.repeats, c.found),
    }


def add_counts(items: Sequence[Counts]) -> Counts:
    fields = Counts.__dataclass_fields__
    return Counts(**{f: sum(getattr(c, f) for c in items) for f in fields})


def check_items(template: Mapping[str, object], results: Mapping[str, str]) -> list[str]:
    """The items of a checklist that an inspection's results leave out or answer with neither pass nor fail."""
    return [code for code in template if results.get(code) not in ("pass", "fail", "na")]
