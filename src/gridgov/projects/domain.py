"""三个一批 (sign a batch, start a batch, bring a batch into production), as pure rules: the project's fields and
their labels, the stages as a transition table, the entry thresholds by sector, the phase-list rules, the photo
checks, the rates' formulas and the ranking.

Nothing here imports a framework or reads the clock; services pass `now` in. The thresholds, the photo limits,
the ranking weights and where each blocker goes are data (projects/data/, read by projects.rules).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from gridgov.actor import Role
from gridgov.errors import GridgovError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed

WAN_PER_YI = 10_000  # investments are kept in 万元 (integers); the lists and pages speak 亿元


# -- the project's fields -------------------------------------------------------------------------------------
class Sector(StrEnum):
    MANUFACTURING = "manufacturing"
    EMERGING = "emerging"
    INFRASTRUCTURE = "infrastructure"
    SERVICES = "services"
    LIVELIHOOD = "livelihood"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    Sector.MANUFACTURING: "制造业",
    Sector.EMERGING: "战略性新兴产业",
    Sector.INFRASTRUCTURE: "重大基础设施",
    Sector.SERVICES: "现代服务业",
    Sector.LIVELIHOOD: "民生",
}


class Funding(StrEnum):
    FOREIGN = "foreign"
    OUT_OF_PROVINCE = "out_of_province"
    LOCAL = "local"

    @property
    def label(self) -> str:
        return FUNDING_LABELS[self]


FUNDING_LABELS = {Funding.FOREIGN: "外资", Funding.OUT_OF_PROVINCE: "省外资金", Funding.LOCAL: "省内资金"}


class SizeBand(StrEnum):
    """By total investment: under 10亿, ≥10亿, ≥50亿, ≥100亿 (the limits are data: rules.json size_bands_yi)."""

    SMALL = "small"
    TEN = "10"
    FIFTY = "50"
    HUNDRED = "100"

    @property
    def label(self) -> str:
        return SIZE_LABELS[self]


SIZE_LABELS = {
    SizeBand.SMALL: "10亿元以下",
    SizeBand.TEN: "10亿元以上",
    SizeBand.FIFTY: "50亿元以上",
    SizeBand.HUNDRED: "100亿元以上",
}


def size_band(total_wan: int, bands_yi: Sequence[int]) -> SizeBand:
    """The band of a total investment (万元): the largest limit it reaches."""
    band = SizeBand.SMALL
    for limit, name in zip(sorted(bands_yi), (SizeBand.TEN, SizeBand.FIFTY, SizeBand.HUNDRED), strict=False):
        if total_wan >= limit * WAN_PER_YI:
            band = name
    return band


def yi(wan: int | float | None) -> float | None:
    """万元 → 亿元."""
    return None if wan is None else wan / WAN_PER_YI


# -- stages: the workflow as a table -------------------------------------------------------------------------------
class StatusKind(StrEnum):
    OPEN = "open"  # on the lists, moving on
    CLOSED = "closed"  # at designed output, or taken off the lists by the yearly adjustment


class ProjectStatus(StrEnum):
    SIGNED = "signed"  # 签约
    HONOURED = "honoured"  # 履约 (the contract carried out: the company registered, the money arrived)
    STARTED = "started"  # 开工
    PRODUCING = "producing"  # 投产
    EFFECTIVE = "effective"  # 达效 (at designed output)
    WITHDRAWN = "withdrawn"  # 调出 (the yearly adjustment took it off the lists)

    @property
    def kind(self) -> StatusKind:
        return StatusKind.CLOSED if self in (ProjectStatus.EFFECTIVE, ProjectStatus.WITHDRAWN) else StatusKind.OPEN

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ProjectStatus.SIGNED: "已签约",
    ProjectStatus.HONOURED: "已履约",
    ProjectStatus.STARTED: "已开工",
    ProjectStatus.PRODUCING: "已投产",
    ProjectStatus.EFFECTIVE: "已达效",
    ProjectStatus.WITHDRAWN: "已调出",
}


class Action(StrEnum):
    SIGN = "sign"  # the creation itself: the project goes on a phase's 签约一批
    HONOUR = "honour"
    START = "start"
    PRODUCE = "produce"
    REACH = "reach"  # 达效
    WITHDRAW = "withdraw"  # only through the yearly adjustment
    AMEND = "amend"  # a correction of the project's fields (or, in the yearly adjustment, of its annual plan)
    ADD_EVIDENCE = "add_evidence"
    REPORT_INVESTMENT = "report_investment"
    REPORT_BLOCKER = "report_blocker"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SIGN: "签约",
    Action.HONOUR: "履约",
    Action.START: "开工",
    Action.PRODUCE: "投产",
    Action.REACH: "达效",
    Action.WITHDRAW: "年度调整调出",
    Action.AMEND: "修改项目信息",
    Action.ADD_EVIDENCE: "上传佐证材料",
    Action.REPORT_INVESTMENT: "填报完成投资",
    Action.REPORT_BLOCKER: "报送要素保障问题",
}

S, A = ProjectStatus, Action
OPEN_STATUSES = tuple(s for s in ProjectStatus if s.kind is StatusKind.OPEN)

TRANSITIONS: dict[tuple[ProjectStatus, Action], ProjectStatus] = {
    (S.SIGNED, A.HONOUR): S.HONOURED,
    (S.HONOURED, A.START): S.STARTED,
    (S.STARTED, A.PRODUCE): S.PRODUCING,
    (S.PRODUCING, A.REACH): S.EFFECTIVE,
}
TRANSITIONS.update({(s, A.WITHDRAW): S.WITHDRAWN for s in OPEN_STATUSES})
# what leaves the status as it is: corrections, evidence, investment and blockers, while the project is on the lists
for _s in OPEN_STATUSES:
    for _a in (A.AMEND, A.ADD_EVIDENCE, A.REPORT_INVESTMENT, A.REPORT_BLOCKER):
        TRANSITIONS[(_s, _a)] = _s
TRANSITIONS[(S.EFFECTIVE, A.REPORT_INVESTMENT)] = S.EFFECTIVE  # the last payments of a finished project
TRANSITIONS[(S.EFFECTIVE, A.ADD_EVIDENCE)] = S.EFFECTIVE

STAGE_ACTIONS = (A.HONOUR, A.START, A.PRODUCE, A.REACH)  # the person's stage actions (POST …/actions)
# where each stage action puts its date on the row, and which list (if any) it puts the project on
STAGE_DATE = {
    A.SIGN: "signed_on",
    A.HONOUR: "honoured_on",
    A.START: "started_on",
    A.PRODUCE: "producing_on",
    A.REACH: "effective_on",
}


class ListKind(StrEnum):
    SIGNED = "signed"
    STARTED = "started"
    PRODUCING = "producing"

    @property
    def label(self) -> str:
        return LIST_LABELS[self]


LIST_LABELS = {ListKind.SIGNED: "签约一批", ListKind.STARTED: "开工一批", ListKind.PRODUCING: "投产一批"}
LIST_OF = {A.SIGN: ListKind.SIGNED, A.START: ListKind.STARTED, A.PRODUCE: ListKind.PRODUCING}
# a phase's 开工一批 is drawn from earlier 签约 lists, its 投产一批 from earlier 开工 lists
DRAWN_FROM = {ListKind.STARTED: ListKind.SIGNED, ListKind.PRODUCING: ListKind.STARTED}


def next_status(status: ProjectStatus, action: Action) -> ProjectStatus:
    """The one place a project's status is decided. Raises InvalidTransition."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            f"项目处于「{status.label}」状态，不能执行「{action.label}」", status=status.value, action=action.value
        ) from None


# -- who -------------------------------------------------------------------------------------------------------
# 发改委 staff run the lists: they sign in as the command centre's dispatchers (a blocker is a case they register
# and dispatch themselves); the city's leaders and the other staff read.
WRITERS = frozenset({Role.DISPATCHER, Role.ADMIN})
READERS = WRITERS | frozenset({Role.LEADER, Role.OPERATOR, Role.DEPARTMENT, Role.STREET})


# -- errors ----------------------------------------------------------------------------------------------------
class ProjectNotFound(NotFound):
    code = "project_not_found"
    message = "项目不存在"


class PhaseNotFound(NotFound):
    code = "phase_not_found"
    message = "期次不存在"


class NotPermitted(PermissionDenied):
    message = "当前角色无权操作三个一批项目"


class BelowThreshold(ValidationFailed):
    code = "below_threshold"
    message = "项目总投资低于入库门槛"


class PhaseListRefused(ValidationFailed):
    code = "phase_list_refused"
    message = "项目不能列入该期名单"


class EvidenceRefused(ValidationFailed):
    code = "evidence_refused"
    message = "佐证材料不符合要求"


class AdjustmentAlreadyMade(GridgovError):
    code = "adjustment_already_made"
    status = 409
    message = "本年度已调整过名单，每年只能调整一次"


class ImportRefused(GridgovError):
    code = "project_import_refused"
    status = 422
    message = "项目清单有误，未导入任何项目"


# -- entry thresholds (data) -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Threshold:
    sector: Sector
    min_total_wan: int
    min_attracted_wan: int  # for 招商引资 projects
    note: str = ""


def threshold_refusal(
    thresholds: Mapping[Sector, Threshold], sector: Sector, total_wan: int, attracted: bool
) -> str | None:
    """Why a project is below its sector's entry threshold, or None."""
    t = thresholds.get(sector)
    if t is None:
        return f"行业「{sector.label}」没有入库门槛"
    floor = t.min_attracted_wan if attracted else t.min_total_wan
    if total_wan < floor:
        kind = (
            f"{sector.label}招商引资项目"
            if attracted and t.min_attracted_wan != t.min_total_wan
            else f"{sector.label}项目"
        )
        return f"{kind}总投资须不低于 {format_yi(floor)} 亿元，本项目 {format_yi(total_wan)} 亿元"
    return None


def format_yi(wan: int | float) -> str:
    text = f"{wan / WAN_PER_YI:,.4f}".rstrip("0").rstrip(".")  # 1 万元 is 0.0001 亿元
    return text or "0"


# -- phases and their lists --------------------------------------------------------------------------------------
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 40 → 四十, 99 → 九十九 (1..999)."""
    if not 0 < n < 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += _DIGITS[ones]
    return out


def phase_name(number: int) -> str:
    return f"第{chinese_number(number)}期"


def phase_entry_refusal(kind: ListKind, phase: int, earlier: int | None) -> str | None:
    """May a project go on phase `phase`'s list `kind`? A 开工一批 takes projects from an earlier phase's 签约一批,
    a 投产一批 from an earlier 开工一批. `earlier` is the phase of the list it must come from (None: not on it)."""
    source = DRAWN_FROM.get(kind)
    if source is None:
        return None
    if earlier is None:
        return f"项目不在任何一期的「{source.label}」名单上，不能列入「{kind.label}」"
    if earlier >= phase:
        return (
            f"项目列入{phase_name(earlier)}「{source.label}」，"
            f"只能列入之后期次的「{kind.label}」，不能列入{phase_name(phase)}"
        )
    return None


def stage_date_refusal(
    action: Action, on: date, previous: date | None, phase_held_on: date | None, today: date
) -> str | None:
    """A stage's date: not in the future, not before the stage before it, and (for a list) by the phase's date."""
    label = action.label
    if on > today:
        return f"{label}日期不能晚于今天"
    if previous is not None and on < previous:
        return f"{label}日期不能早于上一阶段的日期 {previous.isoformat()}"
    if phase_held_on is not None and on > phase_held_on:
        return f"{label}日期不能晚于该期活动日期 {phase_held_on.isoformat()}"
    return None


# -- evidence --------------------------------------------------------------------------------------------------
class EvidenceKind(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"

    @property
    def label(self) -> str:
        return "现场照片" if self is EvidenceKind.PHOTO else "文件"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, WGS-84 mean radius)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def photo_refusal(
    project_point: tuple[float, float] | None,
    point: tuple[float, float] | None,
    taken_at: datetime | None,
    now: datetime,
    max_distance_m: float,
    max_age_days: int,
) -> str | None:
    """An on-site photo must say where and when it was taken, near the project, recently, and not in the future."""
    if point is None or taken_at is None:
        return "现场照片须注明拍摄位置 (经纬度) 和拍摄时间"
    if taken_at > now + timedelta(minutes=5):
        return "照片拍摄时间晚于当前时间"
    if now - taken_at > timedelta(days=max_age_days):
        return f"照片拍摄于 {(now - taken_at).days} 天前，超过 {max_age_days} 天，请上传近期现场照片"
    if project_point is None:
        return "项目没有位置，无法核对现场照片"
    d = distance_m(project_point[0], project_point[1], point[0], point[1])
    if d > max_distance_m:
        return f"照片拍摄点距项目位置 {d:,.0f} 米，超过 {max_distance_m:,.0f} 米，不是现场照片"
    return None


def missing_evidence(required: Sequence[str], kinds: Sequence[str]) -> list[str]:
    """The kinds of evidence a stage needs that were not given."""
    return [k for k in required if k not in kinds]


# -- blockers ----------------------------------------------------------------------------------------------------
class BlockerKind(StrEnum):
    LAND = "land"
    POWER = "power"
    PERMITS = "permits"
    FINANCING = "financing"
    DEMOLITION = "demolition"

    @property
    def label(self) -> str:
        return BLOCKER_LABELS[self]


BLOCKER_LABELS = {
    BlockerKind.LAND: "用地",
    BlockerKind.POWER: "用电",
    BlockerKind.PERMITS: "审批手续",
    BlockerKind.FINANCING: "融资",
    BlockerKind.DEMOLITION: "征迁",
}


# -- rates and ranking -------------------------------------------------------------------------------------------
class Measure(StrEnum):
    HONOUR_RATE = "honour_rate"  # 签约项目履约率
    START_RATE = "start_rate"  # 履约项目开工率
    PRODUCTION_RATE = "production_rate"  # 开工项目投产率
    EFFECTIVE_RATE = "effective_rate"  # 投产项目达效率
    INVESTMENT_RATE = "investment_rate"  # 投资完成率 (completed against the annual plan)

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self]


MEASURE_LABELS = {
    Measure.HONOUR_RATE: "签约项目履约率",
    Measure.START_RATE: "履约项目开工率",
    Measure.PRODUCTION_RATE: "开工项目投产率",
    Measure.EFFECTIVE_RATE: "投产项目达效率",
    Measure.INVESTMENT_RATE: "投资完成率",
}
FOUR_RATES = (Measure.HONOUR_RATE, Measure.START_RATE, Measure.PRODUCTION_RATE, Measure.EFFECTIVE_RATE)


def rate(numerator: int | float, denominator: int | float) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by (shown as —, never as 0)."""
    return None if not denominator else numerator / denominator


def growth(this: int | float, last: int | float) -> float | None:
    """Growth on the same period last year: (this − last) / last; None when last year had nothing."""
    return None if not last else (this - last) / last


def score(rates: Mapping[Measure, float | None], weights: Mapping[Measure, float]) -> float | None:
    """The weighted mean of the measures a district has (a rate with nothing to divide by is left out and the other
    weights carry the score); None when it has none."""
    have = [(weights[m], v) for m, v in rates.items() if v is not None and weights.get(m)]
    total = sum(w for w, _ in have)
    return None if not total else sum(w * v for w, v in have) / total


@dataclass(frozen=True, slots=True)
class Ranked:
    key: str
    score: float | None
    rank: int | None


def rank(scores: Mapping[str, float | None]) -> list[Ranked]:
    """Competition ranking (1, 2, 2, 4) by score, highest first; equal scores share a place, ordered by key; a
    district without a score comes last, unranked."""
    scored = sorted(((round(s, 9), k) for k, s in scores.items() if s is not None), key=lambda t: (-t[0], t[1]))
    out: list[Ranked] = []
    previous: float | None = None
    place = 0
    for i, (s, k) in enumerate(scored, start=1):
        if s != previous:
            place, previous = i, s
        out.append(Ranked(k, scores[k], place))
    out.extend(Ranked(k, None, None) for k in sorted(k for k, s in scores.items() if s is None))
    return out


def refuse(message: str | None, error: type[GridgovError], **details: object) -> None:
    if message is not None:
        raise error(message, **details)
