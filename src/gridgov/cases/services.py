"""Use cases of the case loop. Each one owns its transaction: `with uow: ...; uow.commit()`.

Every change goes through `next_status()` and leaves a hash-chained CaseEvent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from gridgov.accounts.domain import Actor, Role, case_in_scope, scope_of
from gridgov.audit.domain import GENESIS, event_digest
from gridgov.cases.domain import (
    ACTION_LABELS,
    Action,
    AlarmLevel,
    CaseStatus,
    Clockwork,
    Satisfaction,
    StatusKind,
    TaskRole,
    TaskStatus,
    Urgency,
    check_role,
    compute_deadlines,
    due_alarm_steps,
    next_alarm_at,
    next_status,
    next_task_status,
    should_reopen,
)
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.cases.repository import AlarmRow, PoolCase
from gridgov.classify.duplicates import DuplicateParams, find_duplicates
from gridgov.classify.duplicates import Message as DupMessage
from gridgov.classify.models import CategoryLabel
from gridgov.classify.ports import Classifier, Prediction
from gridgov.classify.text import join_fields
from gridgov.clock import SHANGHAI, Limit, TimeUnit, WorkingDays
from gridgov.errors import (
    Conflict,
    DuplicateKey,
    GridgovError,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gridgov.geo.address import AddressMatch
from gridgov.geo.crs import bbox_around, to_canonical
from gridgov.geo.ports import LocateResult
from gridgov.grids.domain import check_code, is_within, level_of
from gridgov.logging import get_logger
from gridgov.units.domain import UnitKind
from gridgov.units.models import Unit
from gridgov.units.services import UnitInfo, responsible_unit, supervisors
from gridgov.uow import UnitOfWork

log = get_logger(__name__)

SOURCES = ("web", "hotline", "app", "miniprogram", "patrol", "open311", "campaign", "other")
HANDLER_UNIT_KINDS = frozenset(
    {UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_BUREAU, UnitKind.STREET_OFFICE, UnitKind.COMMUNITY}
)
SUMMONABLE_KINDS = frozenset({UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_BUREAU})


class OpenTasksRemain(GridgovError):
    code = "tasks_open"
    status = 409
    message = "仍有协办或报到部门未反馈，不能结案"


@dataclass(frozen=True, slots=True)
class CasePolicy:
    warning_fraction: float = 0.8
    whistle_report_minutes: int = 30
    reopen_window_days: int = 7
    classify_threshold: float = 0.6
    duplicates: DuplicateParams = DuplicateParams()


class Locator(Protocol):
    """Where a case is: point → L3 grid, address text → division (gridgov.geo.services.GeoLocator)."""

    def locate(self, lat: float, lon: float, crs: str = "wgs84") -> LocateResult: ...
    def parse_address(self, text: str) -> AddressMatch: ...


class OutsideCity(ValidationFailed):
    code = "outside_city"
    message = "坐标不在本市网格范围内，请提供地址或网格编码"


@dataclass(frozen=True, slots=True)
class CaseDraft:
    title: str
    description: str = ""
    source: str = "web"
    category_code: str | None = None
    grid_code: str | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    crs: str = "wgs84"
    reporter_name: str = ""
    reporter_phone: str = ""
    urgency: str | None = None
    anonymous: bool = False  # no name, phone or account is kept with the case


@dataclass(frozen=True, slots=True)
class Reported:
    id: int
    tracking_code: str
    status: str
    created: bool


# -- intake ----------------------------------------------------------------------------------------
def _tracking_code(now: datetime) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    tail = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{now.astimezone(SHANGHAI):%Y%m%d}-{tail}"


@dataclass(frozen=True, slots=True)
class _Placement:
    grid_code: str | None
    lat: float | None
    lon: float | None
    source: str
    confidence: float | None


def _place(draft: CaseDraft, locator: Locator | None) -> _Placement:
    """Where the case is. An explicit grid wins; else the point's L3 grid; else the deepest division the
    address names. A point outside the city with neither grid nor address is refused."""
    lat, lon = draft.lat, draft.lon
    if lat is not None and lon is not None:
        if locator is not None:
            found = locator.locate(lat, lon, draft.crs)
            lat, lon = found.lat, found.lon
            if draft.grid_code is None and found.inside:
                return _Placement(found.code, lat, lon, "point", 1.0)
            if draft.grid_code is None and not draft.address.strip():
                raise OutsideCity(field="lat")
        else:
            lat, lon = to_canonical(lat, lon, draft.crs)
    if draft.grid_code is not None:
        return _Placement(draft.grid_code, lat, lon, "grid", 1.0)
    if locator is not None and draft.address.strip():
        match = locator.parse_address(draft.address)
        if match.code is not None and match.level is not None and match.level >= 1:
            return _Placement(match.code, lat, lon, "address", round(match.confidence, 3))
    return _Placement(None, lat, lon, "none", None)


def _validate_draft(uow: UnitOfWork, draft: CaseDraft) -> str:
    if not draft.title.strip():
        raise ValidationFailed("标题不能为空", field="title")
    if len(draft.title) > 200:
        raise ValidationFailed("标题不能超过200字", field="title")
    if draft.source not in SOURCES:
        raise ValidationFailed(f"未知来源渠道: {draft.source}", field="source")
    urgency = draft.urgency
    if draft.category_code is not None:
        category = uow.categories.by_code(draft.category_code)
        if category is None or not category.active:
            raise ValidationFailed(f"类别不存在: {draft.category_code}", field="category_code")
        urgency = urgency or category.urgency
    urgency = urgency or Urgency.NORMAL.value
    if urgency not in {u.value for u in Urgency}:
        raise ValidationFailed(f"未知紧急程度: {urgency}", field="urgency")
    if (draft.lat is None) != (draft.lon is None):
        raise ValidationFailed("经纬度须同时提供", field="lat")
    if draft.lat is not None and draft.lon is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lon <= 180):
        raise ValidationFailed("经纬度超出范围", field="lat")
    if draft.grid_code is None and not draft.address.strip() and draft.lat is None:
        raise ValidationFailed("须提供网格编码、地址或坐标之一", field="grid_code")
    return urgency


def _grid_of(uow: UnitOfWork, code: str) -> tuple[int, int]:
    check_code(code)
    version = uow.grids.active_version()
    if version is None:
        raise ValidationFailed("尚无启用的网格版本", field="grid_code")
    grid = uow.grids.by_code(code, version.id)
    if grid is None:
        raise ValidationFailed(f"网格不存在: {code}", field="grid_code")
    return grid.id, version.id


def _request_hash(draft: CaseDraft) -> str:
    return hashlib.sha256(json.dumps(asdict(draft), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def report_case(
    uow: UnitOfWork,
    draft: CaseDraft,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None = None,
    locator: Locator | None = None,
    classifier: Classifier | None = None,
    policy: CasePolicy = CasePolicy(),
    enrich_later: Callable[[int], None] | None = None,
    key_owner: str | None = None,
) -> Reported:
    """Record a new case (status reported). The same idempotency key gives back the same case, never a second one.

    The category proposal and duplicate hints are made in the same transaction, or — with `enrich_later` —
    by a worker after the commit (see enrich_cases), so that intake stays fast."""
    check_role(Action.REPORT_CASE, actor.role)
    # a key belongs to the user who sent it, or to `key_owner` when several users act for one thing (a
    # suggestion turned into a case by whichever staff member gets there first)
    key = f"{key_owner or actor.user_id or 0}:{idempotency_key}" if idempotency_key else None
    if draft.anonymous:  # 匿名反映: nothing that identifies the reporter is stored, not even on the record
        draft = replace(draft, reporter_name="", reporter_phone="")
        actor = Actor(user_id=None, role=actor.role, unit_id=None)
    digest = _request_hash(draft)
    with uow:
        if key is not None:
            existing = uow.cases.by_idempotency_key(key)
            if existing is not None:
                if existing.request_hash != digest:
                    raise IdempotencyConflict()
                return Reported(existing.id, existing.tracking_code, existing.status, False)
        urgency = _validate_draft(uow, draft)
        place = _place(draft, locator)
        grid_id = version_id = None
        if place.grid_code is not None:
            grid_id, version_id = _grid_of(uow, place.grid_code)
        case = Case(
            tracking_code=_tracking_code(now),
            title=draft.title.strip(),
            description=draft.description,
            source=draft.source,
            category_code=draft.category_code,
            urgency=urgency,
            grid_id=grid_id,
            grid_code=place.grid_code,
            grid_version_id=version_id,
            address=draft.address,
            lat=place.lat,
            lon=place.lon,
            input_crs=draft.crs if draft.lat is not None else None,
            location_source=place.source,
            location_confidence=place.confidence,
            reporter_name=draft.reporter_name,
            reporter_phone=draft.reporter_phone,
            reporter_user_id=actor.user_id if actor.role is Role.RESIDENT else None,
            created_by_id=actor.user_id,
            idempotency_key=key,
            request_hash=digest,
            status=CaseStatus.REPORTED.value,
            created_at=now,
            updated_at=now,
            alarm_level=AlarmLevel.NONE.value,
            escalation_level=0,
            rework_count=0,
            return_count=0,
            postponed=False,
            event_count=0,
            last_event_hash=GENESIS,
        )
        if enrich_later is None:
            _suggest(
                case, classifier.predict(join_fields([case.title, case.description])) if classifier else None, policy
            )
            case.duplicate_candidates = _duplicate_hints(uow, case, now, policy.duplicates) or None
            case.enriched_at = now
        first = _record(
            uow,
            case,
            Action.REPORT_CASE,
            actor,
            None,
            CaseStatus.REPORTED,
            now,
            {
                "source": draft.source,
                "grid_code": place.grid_code,
                "located_by": place.source,
                "category_code": case.category_code,
                "suggested": case.suggested_category_code,
                "confidence": case.suggestion_confidence,
                "needs_review": case.needs_review,
            },
        )
        try:
            uow.cases.add(case, first)
        except DuplicateKey:
            if key is None:
                raise
            uow.rollback()
            existing = uow.cases.by_idempotency_key(key)
            if existing is None:
                raise
            if existing.request_hash != digest:
                raise IdempotencyConflict() from None
            return Reported(existing.id, existing.tracking_code, existing.status, False)
        if enrich_later is not None:
            case_id = case.id
            uow.after_commit(lambda: enrich_later(case_id))
        uow.commit()
        log.info("case_reported", case_id=case.id, source=draft.source)
        return Reported(case.id, case.tracking_code, case.status, True)


def _suggest(case: Case, p: Prediction | None, policy: CasePolicy) -> None:
    """Propose a category. A confident proposal fills an empty category of a case nobody has registered yet
    (the matrix then proposes the unit); a doubtful one, or the keyword fallback, sends the case to the
    "needs a person" queue with the top 3."""
    if p is None:
        case.needs_review = case.category_code is None and case.status == CaseStatus.REPORTED.value
        return
    case.suggested_category_code = p.label
    case.suggestion_confidence = round(p.confidence, 4)
    case.suggestion_source = p.source
    case.suggestion_model = p.model_version
    case.suggestions = [{"code": code, "confidence": round(conf, 4)} for code, conf in p.top[:3]]
    confident = p.source == "model" and p.confidence >= policy.classify_threshold
    if case.category_code is None and case.status == CaseStatus.REPORTED.value:
        case.needs_review = not confident
        if confident:
            case.category_code = p.label
            case.category_source = "model"
    else:
        case.category_source = "reporter"


DUPLICATE_POOL = 60  # the most recent open cases nearby that a newcomer is compared with


PoolKey = tuple[Any, ...]


def _duplicate_hints(
    uow: UnitOfWork,
    case: Case,
    at: datetime,
    params: DuplicateParams,
    pools: dict[PoolKey, list[PoolCase]] | None = None,
) -> list[dict[str, Any]]:
    """Older open cases with similar text near the same place and time (same street when there is no point).

    `at` is when the case was reported; `pools` shares the candidate look-ups of one batch."""
    since = at - timedelta(days=params.window_days)
    box = None
    key: PoolKey
    if case.lat is not None and case.lon is not None:
        key = ("box", round(case.lat, 3), round(case.lon, 3))
        box = bbox_around(key[1], key[2], params.radius_m + 150)  # the rounded centre's box covers the point's
    street = case.grid_code[:9] if case.grid_code and box is None and level_of(case.grid_code) >= 2 else None
    if box is None:
        key = ("street", street)
    if pools is not None and key in pools:
        pool = pools[key]
    else:
        pool = uow.cases.duplicate_pool(since, box, street, limit=DUPLICATE_POOL)
        if pools is not None:
            pools[key] = pool
    pool = [p for p in pool if since <= p.created_at <= at and (case.id is None or p.id < case.id)]
    if not pool:
        return []
    new = DupMessage(
        id="new",
        text=join_fields([case.title, case.description]),
        at=at,
        lat=case.lat,
        lon=case.lon,
        street_code=case.grid_code[:9] if case.grid_code else None,
    )
    others = [
        DupMessage(
            id=str(p.id),
            text=join_fields([p.title, p.description]),
            at=p.created_at,
            lat=p.lat,
            lon=p.lon,
            street_code=p.grid_code[:9] if p.grid_code else None,
        )
        for p in pool
    ]
    codes = {str(p.id): p.tracking_code for p in pool}
    return [
        {
            "case_id": int(c.id),
            "tracking_code": codes[c.id],
            "score": round(c.score, 3),
            "text_similarity": round(c.text_similarity, 3),
            "distance_m": None if c.distance_m is None else round(c.distance_m, 1),
            "days_apart": round(c.days_apart, 2),
        }
        for c in find_duplicates(new, others, params, limit=5)
    ]


def enrich_cases(
    uow_factory: Callable[[], UnitOfWork],
    case_ids: Sequence[int],
    classifier: Classifier | None,
    policy: CasePolicy,
    now: datetime,
) -> int:
    """Proposal and duplicate hints for cases reported with `enrich_later`, in one transaction per batch
    (one classifier call for the batch). Idempotent: a case is enriched once. A batch that collides with a
    person's action is redone case by case. Returns how many cases were enriched."""
    try:
        return _enrich(uow_factory, case_ids, classifier, policy, now)
    except Conflict:
        done = 0
        for case_id in case_ids:
            try:
                done += _enrich(uow_factory, [case_id], classifier, policy, now)
            except Conflict:
                log.warning("enrich_conflict", case_id=case_id)
        return done


def _enrich(
    uow_factory: Callable[[], UnitOfWork],
    case_ids: Sequence[int],
    classifier: Classifier | None,
    policy: CasePolicy,
    now: datetime,
) -> int:
    with uow_factory() as uow:
        cases = [c for c in uow.cases.many(list(dict.fromkeys(case_ids))) if c.enriched_at is None]
        if not cases:
            return 0
        texts = [join_fields([c.title, c.description]) for c in cases]
        predictions: list[Prediction | None] = (
            list(classifier.predict_many(texts)) if classifier else [None] * len(cases)
        )
        pools: dict[PoolKey, list[PoolCase]] = {}
        for case, p in zip(cases, predictions, strict=True):
            before = case.category_code
            _suggest(case, p, policy)
            case.duplicate_candidates = _duplicate_hints(uow, case, case.created_at, policy.duplicates, pools) or None
            case.enriched_at = now
            status = CaseStatus(case.status)
            _record(
                uow,
                case,
                Action.CLASSIFY,
                Actor.system(),
                status,
                status,
                now,
                {
                    "suggested": case.suggested_category_code,
                    "confidence": case.suggestion_confidence,
                    "source": case.suggestion_source,
                    "model": case.suggestion_model,
                    "category_code": case.category_code if case.category_code != before else None,
                    "needs_review": case.needs_review,
                    "duplicates": [d["case_id"] for d in case.duplicate_candidates or []],
                },
            )
        uow.commit()
        return len(cases)


# -- events ----------------------------------------------------------------------------------------
_PAST = {
    Action.REPORT_CASE: "case_reported",
    Action.REGISTER: "case_registered",
    Action.REJECT: "case_rejected",
    Action.DIRECT_CLOSE: "case_closed_directly",
    Action.DISPATCH: "case_dispatched",
    Action.ACCEPT: "case_accepted",
    Action.RETURN: "case_returned",
    Action.HANDLE: "case_handled",
    Action.VERIFY: "case_verified",
    Action.REWORK: "case_reworked",
    Action.EVALUATE: "case_evaluated",
    Action.REOPEN: "case_reopened",
    Action.REQUEST_POSTPONE: "postponement_requested",
    Action.APPROVE_POSTPONE: "postponement_approved",
    Action.DENY_POSTPONE: "postponement_denied",
    Action.SUSPEND: "case_suspended",
    Action.RESUME: "case_resumed",
    Action.MERGE: "case_merged",
    Action.FOLLOW_PARENT: "case_closed_with_parent",
    Action.WHISTLE: "whistle_blown",
    Action.CHECK_IN: "department_checked_in",
    Action.TASK_FEEDBACK: "task_fed_back",
    Action.CANCEL_TASK: "summons_withdrawn",
    Action.RATE_DEPARTMENT: "department_rated",
    Action.WARN: "deadline_warned",
    Action.ESCALATE: "case_escalated",
    Action.CLASSIFY: "case_classified",
    Action.ERASE_REPORTER: "reporter_erased",
}


def _tag(action: Action, changed: bool) -> str:
    if action in (Action.WARN, Action.ESCALATE):
        return "case:deadline"
    if action is Action.CLASSIFY:
        return "case:classified"
    if action is Action.ERASE_REPORTER:
        return "case:privacy"
    if action is Action.REPORT_CASE:
        return "case:created"
    return "case:status:changed" if changed else "case:task:changed"


def _event_row(
    case: Case | AlarmRow,
    action: Action,
    actor: Actor,
    from_status: CaseStatus | None,
    to_status: CaseStatus,
    now: datetime,
    payload: Mapping[str, Any],
    unit_id: int | None = None,
) -> dict[str, Any]:
    """The next event of the case's chain as column values, and the chain's head moved on the case."""
    seq = case.event_count + 1
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=_PAST[action],
        tag=_tag(action, from_status != to_status),
        action=action.value,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=unit_id if unit_id is not None else actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    digest = event_digest(prev_hash=case.last_event_hash, case_ref=case.tracking_code, **fields)
    row = {"case_id": case.id, "prev_hash": case.last_event_hash, "hash": digest, **fields}
    case.event_count = seq
    case.last_event_hash = digest
    case.updated_at = now
    return row


def _record(
    uow: UnitOfWork,
    case: Case,
    action: Action,
    actor: Actor,
    from_status: CaseStatus | None,
    to_status: CaseStatus,
    now: datetime,
    payload: Mapping[str, Any],
    unit_id: int | None = None,
) -> CaseEvent:
    """Append the next event to the case's chain and move the chain's head on the case row.

    For a case not yet written (no id) the event is returned for the caller to insert with the case."""
    event = CaseEvent(**_event_row(case, action, actor, from_status, to_status, now, payload, unit_id))
    if case.id is not None:
        uow.cases.add_event(event)
    return event


# -- actions ---------------------------------------------------------------------------------------
@dataclass
class _Ctx:
    uow: UnitOfWork
    case: Case
    actor: Actor
    now: datetime
    calendar: WorkingDays
    policy: CasePolicy
    params: Mapping[str, Any]
    payload: dict[str, Any] = field(default_factory=dict)
    after: list[Callable[[_Ctx], None]] = field(default_factory=list)  # system steps that follow this action

    def text(self, name: str, *, required: bool, label: str) -> str:
        value = self.params.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ValidationFailed(f"{label}不能为空", field=name)
            return ""
        if not isinstance(value, str):
            raise ValidationFailed(f"{label}须为文字", field=name)
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise ValidationFailed(f"{label}含有不可见控制字符", field=name)
        if len(value) > 4000:
            raise ValidationFailed(f"{label}过长", field=name)
        return value.strip()

    def strings(self, name: str) -> list[str]:
        value = self.params.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationFailed(f"{name} 须为字符串列表", field=name)
        return [v for v in value if v.strip()]

    def status(self) -> CaseStatus:
        return CaseStatus(self.case.status)

    def move(self, action: Action, *, resume_to: CaseStatus | None = None) -> tuple[CaseStatus, CaseStatus]:
        before = self.status()
        after = next_status(before, action, resume_to=resume_to)
        self.case.status = after.value
        return before, after

    def task_of_actor(self, roles: Sequence[TaskRole], statuses: Sequence[TaskStatus]) -> CaseTask:
        for task in self.uow.cases.tasks(self.case.id):
            if (
                task.unit_id == self.actor.unit_id
                and TaskRole(task.role) in roles
                and TaskStatus(task.status) in statuses
            ):
                return task
        raise PermissionDenied("本单位在该案件上没有待办任务", case_id=self.case.id)

    def primary_task(self) -> CaseTask:
        for task in reversed(self.uow.cases.tasks(self.case.id)):
            if task.role == TaskRole.PRIMARY.value and task.status != TaskStatus.CANCELLED.value:
                return task
        raise InvalidTransition("案件尚未派遣")

    def unit(self, code: str, label: str) -> Unit:
        unit = self.uow.units.by_code(code)
        if unit is None:
            raise ValidationFailed(f"{label}不存在: {code}", field="unit_code")
        return unit


def _limits(ctx: _Ctx) -> tuple[Limit, Limit, Urgency]:
    code = ctx.case.category_code
    category = ctx.uow.categories.by_code(code) if code else None
    if category is None:
        raise ValidationFailed("案件类别未确定，请先设置类别", field="category_code")
    return (
        Limit(category.response_limit, TimeUnit(category.response_unit)),
        Limit(category.handle_limit, TimeUnit(category.handle_unit)),
        Urgency(category.urgency),
    )


def _max_escalations(ctx: _Ctx) -> int:
    if ctx.case.owner_unit_id is None:
        return 0
    return len(supervisors(ctx.uow, ctx.case.owner_unit_id))


def _start_clock(ctx: _Ctx, clock: Clockwork | None, *, reset: bool = True) -> None:
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
        _max_escalations(ctx),
    )


def _clock(case: Case | AlarmRow) -> Clockwork | None:
    if case.clock_start is None or case.clock_due is None or case.clock_unit is None:
        return None
    return Clockwork(case.clock_start, case.clock_due, TimeUnit(case.clock_unit))


def _handling_clock(case: Case) -> Clockwork:
    assert case.dispatched_at is not None and case.handle_due_at is not None
    return Clockwork(case.dispatched_at, case.handle_due_at, TimeUnit(case.handle_unit or TimeUnit.HOURS.value))


def _register(ctx: _Ctx) -> None:
    grid_code = ctx.params.get("grid_code")
    if grid_code:
        ctx.case.grid_id, ctx.case.grid_version_id = _grid_of(ctx.uow, str(grid_code))
        ctx.case.grid_code = str(grid_code)
        ctx.payload["grid_code"] = grid_code
    category_code = ctx.params.get("category_code")
    if category_code:
        category = ctx.uow.categories.by_code(str(category_code))
        if category is None:
            raise ValidationFailed(f"类别不存在: {category_code}", field="category_code")
        ctx.case.category_code = category.code
        ctx.payload["category_code"] = category.code
    urgency = ctx.params.get("urgency")
    if urgency:
        if urgency not in {u.value for u in Urgency}:
            raise ValidationFailed(f"未知紧急程度: {urgency}", field="urgency")
        ctx.case.urgency = str(urgency)
        ctx.payload["urgency"] = urgency
    if ctx.case.grid_code is None:
        raise ValidationFailed("立案须确定所在网格 (grid_code)", field="grid_code")
    ctx.move(Action.REGISTER)
    ctx.case.registered_at = ctx.now
    case = ctx.case
    if category_code:
        case.category_source = "dispatcher"
    case.needs_review = False
    if case.category_code:  # every category a person confirms or corrects is a label for the next training
        _record_label(ctx)


def _record_label(ctx: _Ctx) -> None:
    case = ctx.case
    ctx.uow.cases.add_label(
        CategoryLabel(
            case_id=case.id,
            text=join_fields([case.title, case.description]),
            label=case.category_code,
            predicted=case.suggested_category_code,
            model_version=case.suggestion_model,
            source="dispatcher",
            actor_id=ctx.actor.user_id,
            created_at=ctx.now,
        )
    )
    ctx.payload["label"] = {"category_code": case.category_code, "predicted": case.suggested_category_code}


def _reject(ctx: _Ctx) -> None:
    ctx.payload["reason"] = ctx.text("reason", required=True, label="不予立案理由")
    ctx.move(Action.REJECT)
    ctx.case.closed_at = ctx.now


def _direct_close(ctx: _Ctx) -> None:
    """直接办结 is for consultations and requests answered on the phone: never for urgent cases or for
    数字城管 部件/事件, which need someone on site."""
    if Urgency(ctx.case.urgency) is not Urgency.NORMAL:
        raise InvalidTransition("紧急案件不能直接办结，须派遣处置")
    code = ctx.case.category_code
    category = ctx.uow.categories.by_code(code) if code else None
    if category is not None and category.kind in ("component", "event"):
        raise InvalidTransition(f"数字城管类别「{category.name}」须派遣现场处置，不能直接办结")
    ctx.payload["note"] = ctx.text("note", required=True, label="办结说明")
    ctx.move(Action.DIRECT_CLOSE)
    ctx.case.closed_at = ctx.now
    ctx.case.handled_at = ctx.now


def _dispatch(ctx: _Ctx) -> None:
    case = ctx.case
    before = ctx.status()
    next_status(before, Action.DISPATCH)  # fail fast before any lookup
    if case.grid_code is None:
        raise ValidationFailed("案件缺少所在网格，无法派遣", field="grid_code")
    category_code = ctx.params.get("category_code")
    if category_code and case.category_code is None:  # registered without one: the dispatcher sets it now
        category = ctx.uow.categories.by_code(str(category_code))
        if category is None:
            raise ValidationFailed(f"类别不存在: {category_code}", field="category_code")
        case.category_code, case.category_source, case.needs_review = category.code, "dispatcher", False
        ctx.payload["category_code"] = category.code
        _record_label(ctx)
    response, handle, cat_urgency = _limits(ctx)
    code = ctx.params.get("unit_code")
    unit = ctx.unit(str(code), "派遣单位") if code else responsible_unit(ctx.uow, case.category_code, case.grid_code)
    if UnitKind(unit.kind) not in HANDLER_UNIT_KINDS:
        raise ValidationFailed(f"不能派遣给该类单位: {unit.name}", field="unit_code")
    assists = [ctx.unit(c, "协办单位") for c in dict.fromkeys(ctx.strings("assist_unit_codes"))]
    for a in assists:
        if a.id == unit.id or UnitKind(a.kind) not in HANDLER_UNIT_KINDS:
            raise ValidationFailed(f"协办单位不合适: {a.name}", field="assist_unit_codes")
    for old in ctx.uow.cases.tasks(case.id):
        if not TaskStatus(old.status).is_done:
            old.status = TaskStatus.CANCELLED.value
    deadlines = compute_deadlines(ctx.now, response, handle, cat_urgency, Urgency(case.urgency), ctx.calendar)
    for u, role in [(unit, TaskRole.PRIMARY)] + [(a, TaskRole.ASSIST) for a in assists]:
        ctx.uow.cases.add_task(
            CaseTask(
                case_id=case.id,
                unit_id=u.id,
                role=role.value,
                status=TaskStatus.PENDING.value,
                assigned_at=ctx.now,
                assigned_by_unit_id=ctx.actor.unit_id,
                response_due_at=deadlines.response_due,
                handle_due_at=deadlines.handle_due,
                evidence=[],
                rework_count=0,
                postponed=False,
            )
        )
    ctx.move(Action.DISPATCH)
    case.owner_unit_id = unit.id
    case.dispatched_at = ctx.now
    case.response_due_at = deadlines.response_due
    case.handle_due_at = deadlines.handle_due
    case.handle_unit = deadlines.unit.value
    case.response_unit = deadlines.response_unit.value
    _start_clock(ctx, Clockwork(ctx.now, deadlines.response_due, deadlines.response_unit))
    ctx.payload.update(
        unit_code=unit.code,
        unit_name=unit.name,
        assist_unit_codes=[a.code for a in assists],
        response_due_at=deadlines.response_due.isoformat(),
        handle_due_at=deadlines.handle_due.isoformat(),
        note=ctx.text("note", required=False, label="派遣意见"),
    )


def _accept(ctx: _Ctx) -> None:
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.PENDING])
    ctx.move(Action.ACCEPT)
    task.status = next_task_status(TaskStatus(task.status), "accept").value
    task.responded_at = ctx.now
    task.response_late = ctx.now > task.response_due_at
    ctx.payload.update(task_id=task.id, late=task.response_late)
    _start_clock(ctx, _handling_clock(ctx.case))


def _return(ctx: _Ctx) -> None:
    reason = ctx.text("reason", required=True, label="退回理由")
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.PENDING])
    ctx.move(Action.RETURN)
    task.status = next_task_status(TaskStatus(task.status), "return").value
    task.responded_at = ctx.now
    task.response_late = ctx.now > task.response_due_at
    task.return_reason = reason
    for other in ctx.uow.cases.tasks(ctx.case.id):
        if other.role == TaskRole.ASSIST.value and not TaskStatus(other.status).is_done:
            other.status = TaskStatus.CANCELLED.value
    ctx.case.return_count += 1
    ctx.case.owner_unit_id = None
    _start_clock(ctx, None)
    ctx.payload.update(task_id=task.id, reason=reason)


def _handle(ctx: _Ctx) -> None:
    note = ctx.text("note", required=True, label="处置说明")
    evidence = ctx.strings("evidence")
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.ACCEPTED])
    ctx.move(Action.HANDLE)
    task.status = next_task_status(TaskStatus(task.status), "feedback").value
    task.handled_at = ctx.now
    task.feedback, task.evidence = note, evidence
    ctx.case.handled_at = ctx.now
    _start_clock(ctx, None)
    ctx.payload.update(
        task_id=task.id,
        note=note,
        evidence=evidence,
        on_time=ctx.case.handle_due_at is None or ctx.now <= ctx.case.handle_due_at,
    )


def _check_verifier(ctx: _Ctx) -> None:
    if ctx.actor.role is Role.GRID_WORKER:
        assert ctx.actor.user_id is not None
        grids = ctx.uow.units.assigned_grid_codes(ctx.actor.user_id)
        code = ctx.case.grid_code or ""
        if not any(is_within(code, g) for g in grids):
            raise PermissionDenied("只能核查本人负责网格内的案件")


def _verify(ctx: _Ctx) -> None:
    _check_verifier(ctx)
    note = ctx.text("note", required=False, label="核查说明")
    open_units = [
        t.unit_id
        for t in ctx.uow.cases.tasks(ctx.case.id)
        if t.role != TaskRole.PRIMARY.value and TaskStatus(t.status) in (TaskStatus.PENDING, TaskStatus.ACCEPTED)
    ]
    next_status(ctx.status(), Action.VERIFY)
    if open_units:
        names = [u.name for u in (ctx.uow.units.get(i) for i in open_units) if u is not None]
        raise OpenTasksRemain(f"以下单位尚未反馈，不能结案: {'、'.join(names)}", units=names)
    ctx.move(Action.VERIFY)
    ctx.case.closed_at = ctx.now
    ctx.primary_task().closed_at = ctx.now
    ctx.payload.update(note=note, evidence=ctx.strings("evidence"))


def _rework(ctx: _Ctx) -> None:
    _check_verifier(ctx)
    reason = ctx.text("reason", required=True, label="返工理由")
    ctx.move(Action.REWORK)
    task = ctx.primary_task()
    task.status = next_task_status(TaskStatus(task.status), "rework").value
    task.rework_count += 1
    ctx.case.rework_count += 1
    ctx.case.handled_at = None
    _start_clock(ctx, _handling_clock(ctx.case), reset=False)
    ctx.payload.update(reason=reason, rework_count=ctx.case.rework_count, evidence=ctx.strings("evidence"))


def _evaluate(ctx: _Ctx) -> None:
    if ctx.actor.role is Role.RESIDENT and ctx.case.reporter_user_id != ctx.actor.user_id:
        raise PermissionDenied("只能评价本人上报的案件")
    resolved = ctx.params.get("resolved")
    if not isinstance(resolved, bool):
        raise ValidationFailed("请说明问题是否解决 (resolved: true/false)", field="resolved")
    try:
        satisfaction = Satisfaction(str(ctx.params.get("satisfaction")))
    except ValueError:
        raise ValidationFailed(
            "满意度须为 satisfied / basically_satisfied / unsatisfied", field="satisfaction"
        ) from None
    comment = ctx.text("comment", required=False, label="评价意见")
    ctx.move(Action.EVALUATE)
    case = ctx.case
    case.resolved, case.satisfaction, case.evaluated_at = resolved, satisfaction.value, ctx.now
    if case.dispatched_at is not None:  # a directly closed consultation has no task
        task = ctx.primary_task()
        task.resolved, task.satisfaction = resolved, satisfaction.value
    ctx.payload.update(resolved=resolved, satisfaction=satisfaction.value, comment=comment)
    assert case.closed_at is not None
    if should_reopen(satisfaction, case.closed_at, ctx.now, ctx.policy.reopen_window_days):
        ctx.after.append(_reopen)


def _reopen(ctx: _Ctx) -> None:
    before, after = ctx.move(Action.REOPEN)
    ctx.case.closed_at = None
    ctx.case.handled_at = None
    ctx.case.owner_unit_id = None
    _record(
        ctx.uow,
        ctx.case,
        Action.REOPEN,
        Actor.system(),
        before,
        after,
        ctx.now,
        {"reason": "居民不满意，案件重启", "window_days": ctx.policy.reopen_window_days},
    )


def _request_postpone(ctx: _Ctx) -> None:
    task = ctx.task_of_actor([TaskRole.PRIMARY], [TaskStatus.ACCEPTED])
    if ctx.case.postpone_request:
        raise InvalidTransition("已有待审批的延期申请")
    limit = _limit_param(ctx)
    reason = ctx.text("reason", required=True, label="延期理由")
    ctx.move(Action.REQUEST_POSTPONE)
    ctx.case.postpone_request = {
        "amount": limit.amount,
        "unit": limit.unit.value,
        "reason": reason,
        "task_id": task.id,
        "requested_at": ctx.now.isoformat(),
    }
    ctx.payload.update(ctx.case.postpone_request)


POSTPONE_MAX = {TimeUnit.MINUTES: 60 * 24 * 30, TimeUnit.HOURS: 24 * 30, TimeUnit.WORKING_DAYS: 60}


def _limit_param(ctx: _Ctx) -> Limit:
    try:
        limit = Limit(int(ctx.params.get("amount", 0)), TimeUnit(str(ctx.params.get("unit", ""))))
    except (ValueError, TypeError):
        raise ValidationFailed("延期时长须为正整数，单位为 minutes / hours / working_days", field="amount") from None
    if limit.amount > POSTPONE_MAX[limit.unit]:
        raise ValidationFailed(f"延期不能超过 {POSTPONE_MAX[limit.unit]} {limit.unit.value}", field="amount")
    return limit


def _approve_postpone(ctx: _Ctx) -> None:
    request = ctx.case.postpone_request
    if not request:
        raise InvalidTransition("没有待审批的延期申请")
    ctx.move(Action.APPROVE_POSTPONE)
    limit = Limit(int(request["amount"]), TimeUnit(request["unit"]))
    case = ctx.case
    assert case.handle_due_at is not None
    new_due = ctx.calendar.deadline(case.handle_due_at, limit)
    case.handle_due_at = new_due
    case.postponed = True
    case.postpone_request = None
    task = ctx.primary_task()
    task.handle_due_at, task.postponed = new_due, True
    _start_clock(ctx, _handling_clock(case))
    ctx.payload.update(
        amount=limit.amount,
        unit=limit.unit.value,
        handle_due_at=new_due.isoformat(),
        note=ctx.text("note", required=False, label="审批意见"),
    )


def _deny_postpone(ctx: _Ctx) -> None:
    if not ctx.case.postpone_request:
        raise InvalidTransition("没有待审批的延期申请")
    reason = ctx.text("reason", required=True, label="驳回理由")
    ctx.move(Action.DENY_POSTPONE)
    ctx.case.postpone_request = None
    ctx.payload.update(reason=reason)


def _suspend(ctx: _Ctx) -> None:
    reason = ctx.text("reason", required=True, label="挂起理由")
    before, _ = ctx.move(Action.SUSPEND)
    ctx.case.status_before_suspend = before.value
    ctx.case.suspended_at = ctx.now
    ctx.case.next_alarm_at = None
    ctx.payload.update(reason=reason)


def _resume(ctx: _Ctx) -> None:
    case = ctx.case
    target = CaseStatus(case.status_before_suspend) if case.status_before_suspend else None
    ctx.move(Action.RESUME, resume_to=target)
    assert case.suspended_at is not None
    paused_from, clock = case.suspended_at, _clock(case)
    resp_unit = TimeUnit(case.response_unit or TimeUnit.MINUTES.value)
    hand_unit = TimeUnit(case.handle_unit or TimeUnit.HOURS.value)
    if case.response_due_at is not None:
        case.response_due_at = _shift(ctx, case.response_due_at, paused_from, resp_unit)
    if case.handle_due_at is not None:
        case.handle_due_at = _shift(ctx, case.handle_due_at, paused_from, hand_unit)
    for task in ctx.uow.cases.tasks(case.id):
        if TaskStatus(task.status).is_done:
            continue
        task.handle_due_at = _shift(ctx, task.handle_due_at, paused_from, hand_unit)
        if task.responded_at is None:
            unit = TimeUnit.MINUTES if task.role == TaskRole.WHISTLE.value else resp_unit
            task.response_due_at = _shift(ctx, task.response_due_at, paused_from, unit)
    level, escalations = AlarmLevel(case.alarm_level), case.escalation_level
    if clock is not None:
        shifted = clock.shifted(ctx.calendar, paused_from, ctx.now)
        case.clock_start, case.clock_due = shifted.start, shifted.due
        case.next_alarm_at = next_alarm_at(
            shifted, level, escalations, ctx.calendar, ctx.policy.warning_fraction, _max_escalations(ctx)
        )
    ctx.payload.update(
        paused_seconds=int((ctx.now - paused_from).total_seconds()),
        handle_due_at=case.handle_due_at.isoformat() if case.handle_due_at else None,
    )
    case.suspended_at = None
    case.status_before_suspend = None


def _shift(ctx: _Ctx, due: datetime, paused_from: datetime, unit: TimeUnit) -> datetime:
    paused = max(ctx.calendar.measure(paused_from, ctx.now, unit), 0.0)
    return ctx.calendar.advance(due, paused, unit)


def _merge(ctx: _Ctx) -> None:
    raw = ctx.params.get("into_case_id")
    if not isinstance(raw, int):
        raise ValidationFailed("请指定主案编号 into_case_id", field="into_case_id")
    if raw == ctx.case.id:
        raise ValidationFailed("不能与自身并案", field="into_case_id")
    parent = ctx.uow.cases.get(raw)
    if parent is None:
        raise NotFound(f"主案不存在: {raw}", field="into_case_id")
    if CaseStatus(parent.status).kind is StatusKind.CLOSED or parent.status == CaseStatus.MERGED.value:
        raise InvalidTransition("主案已结案或本身已被并案")
    ctx.move(Action.MERGE)
    ctx.case.parent_case_id = parent.id
    ctx.payload.update(into_case_id=parent.id, into_tracking_code=parent.tracking_code)
    for child in ctx.uow.cases.children(ctx.case.id):  # this case's own duplicates move with it
        status = CaseStatus(child.status)
        next_status(status, Action.MERGE)
        child.parent_case_id = parent.id
        _record(
            ctx.uow,
            child,
            Action.MERGE,
            Actor.system(),
            status,
            status,
            ctx.now,
            {"into_case_id": parent.id, "into_tracking_code": parent.tracking_code, "via_case_id": ctx.case.id},
        )


def _whistle_owner(ctx: _Ctx) -> None:
    if ctx.case.owner_unit_id is None or ctx.actor.unit_id != ctx.case.owner_unit_id:
        raise PermissionDenied("只有承办该案件的街道可以吹哨或评价报到部门")


def _whistle(ctx: _Ctx) -> None:
    _whistle_owner(ctx)
    next_status(ctx.status(), Action.WHISTLE)
    codes = list(dict.fromkeys(ctx.strings("department_codes")))
    if not codes:
        raise ValidationFailed("请至少指定一个报到部门", field="department_codes")
    _, handle, _ = _limits(ctx)
    open_units = {
        t.unit_id
        for t in ctx.uow.cases.tasks(ctx.case.id)
        if t.role == TaskRole.WHISTLE.value and not TaskStatus(t.status).is_done
    }
    report_due = ctx.now + timedelta(minutes=ctx.policy.whistle_report_minutes)
    handle_due = ctx.calendar.deadline(ctx.now, handle)
    summoned = []
    for code in codes:
        unit = ctx.unit(code, "部门")
        if UnitKind(unit.kind) not in SUMMONABLE_KINDS:
            raise ValidationFailed(f"只能召集职能部门: {unit.name}", field="department_codes")
        if unit.id in open_units:
            raise ValidationFailed(f"该部门已在报到中: {unit.name}", field="department_codes")
        task = CaseTask(
            case_id=ctx.case.id,
            unit_id=unit.id,
            role=TaskRole.WHISTLE.value,
            status=TaskStatus.PENDING.value,
            assigned_at=ctx.now,
            assigned_by_unit_id=ctx.actor.unit_id,
            response_due_at=report_due,
            handle_due_at=handle_due,
            evidence=[],
            rework_count=0,
            postponed=False,
        )
        ctx.uow.cases.add_task(task)
        summoned.append({"task_id": task.id, "unit_code": unit.code, "unit_name": unit.name})
    ctx.move(Action.WHISTLE)
    ctx.payload.update(
        departments=summoned,
        report_due_at=report_due.isoformat(),
        handle_due_at=handle_due.isoformat(),
        note=ctx.text("note", required=False, label="吹哨事由"),
    )


def _check_in(ctx: _Ctx) -> None:
    task = ctx.task_of_actor([TaskRole.WHISTLE, TaskRole.ASSIST], [TaskStatus.PENDING])
    ctx.move(Action.CHECK_IN)
    task.status = next_task_status(TaskStatus(task.status), "accept").value
    task.responded_at = ctx.now
    task.response_late = ctx.now > task.response_due_at
    ctx.payload.update(task_id=task.id, late=task.response_late, role=task.role)


def _task_feedback(ctx: _Ctx) -> None:
    note = ctx.text("note", required=True, label="反馈说明")
    task = ctx.task_of_actor([TaskRole.WHISTLE, TaskRole.ASSIST], [TaskStatus.ACCEPTED])
    ctx.move(Action.TASK_FEEDBACK)
    task.status = next_task_status(TaskStatus(task.status), "feedback").value
    task.handled_at, task.feedback, task.evidence = ctx.now, note, ctx.strings("evidence")
    ctx.payload.update(task_id=task.id, note=note, evidence=task.evidence, on_time=ctx.now <= task.handle_due_at)


def _cancel_task(ctx: _Ctx) -> None:
    """The owning street withdraws a summons that was not answered; a missed 报到 stays on the record as late."""
    _whistle_owner(ctx)
    reason = ctx.text("reason", required=True, label="撤销理由")
    unit = ctx.unit(str(ctx.params.get("unit_code")), "部门")
    tasks = [
        t
        for t in ctx.uow.cases.tasks(ctx.case.id)
        if t.unit_id == unit.id and t.role == TaskRole.WHISTLE.value and not TaskStatus(t.status).is_done
    ]
    if not tasks:
        raise ValidationFailed(f"该部门没有进行中的召集: {unit.name}", field="unit_code")
    ctx.move(Action.CANCEL_TASK)
    task = tasks[-1]
    task.status = next_task_status(TaskStatus(task.status), "cancel").value
    if task.responded_at is None and ctx.now > task.response_due_at:
        task.response_late = True
    ctx.payload.update(task_id=task.id, unit_code=unit.code, reason=reason, late=task.response_late)


def _rate_department(ctx: _Ctx) -> None:
    _whistle_owner(ctx)
    code = ctx.params.get("unit_code")
    rating = ctx.params.get("rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationFailed("评分须为 1–5 的整数", field="rating")
    unit = ctx.unit(str(code), "部门")
    tasks = [t for t in ctx.uow.cases.tasks(ctx.case.id) if t.unit_id == unit.id and t.role == TaskRole.WHISTLE.value]
    if not tasks:
        raise ValidationFailed(f"该部门未被召集: {unit.name}", field="unit_code")
    task = tasks[-1]
    if task.status != TaskStatus.FED_BACK.value:
        raise InvalidTransition("部门反馈后才能评价")
    ctx.move(Action.RATE_DEPARTMENT)
    task.rating = rating
    task.rating_note = ctx.text("note", required=False, label="评价说明")
    ctx.payload.update(task_id=task.id, unit_code=unit.code, rating=rating, note=task.rating_note)


HANDLERS: dict[Action, Callable[[_Ctx], None]] = {
    Action.REGISTER: _register,
    Action.REJECT: _reject,
    Action.DIRECT_CLOSE: _direct_close,
    Action.DISPATCH: _dispatch,
    Action.ACCEPT: _accept,
    Action.RETURN: _return,
    Action.HANDLE: _handle,
    Action.VERIFY: _verify,
    Action.REWORK: _rework,
    Action.EVALUATE: _evaluate,
    Action.REQUEST_POSTPONE: _request_postpone,
    Action.APPROVE_POSTPONE: _approve_postpone,
    Action.DENY_POSTPONE: _deny_postpone,
    Action.SUSPEND: _suspend,
    Action.RESUME: _resume,
    Action.MERGE: _merge,
    Action.WHISTLE: _whistle,
    Action.CHECK_IN: _check_in,
    Action.TASK_FEEDBACK: _task_feedback,
    Action.RATE_DEPARTMENT: _rate_department,
    Action.CANCEL_TASK: _cancel_task,
}


def apply_action(
    uow: UnitOfWork,
    case_id: int,
    action: str,
    params: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    expected_version: int | None = None,
) -> int:
    """Apply one person's action to a case. Returns the case's new version."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(f"未知操作: {action}", field="action") from None
    if act not in HANDLERS:
        raise ValidationFailed(f"该操作由系统执行，不能手工提交: {ACTION_LABELS[act]}", field="action")
    check_role(act, actor.role)
    with uow:
        case = uow.cases.get(case_id)
        if case is None or not _in_scope(uow, case, actor):
            raise NotFound(f"案件不存在: {case_id}")
        if expected_version is not None and case.version != expected_version:
            raise Conflict(expected=expected_version, actual=case.version)
        ctx = _Ctx(uow, case, actor, now, calendar, policy, params)
        before = ctx.status()
        if act is not Action.RESUME:
            next_status(before, act)  # a wrong state is 409 invalid_transition before any other check
        HANDLERS[act](ctx)
        _record(uow, case, act, actor, before, ctx.status(), now, ctx.payload)
        for follow in ctx.after:
            follow(ctx)
        if ctx.status().kind is StatusKind.CLOSED and before.kind is StatusKind.OPEN:
            _close_children(uow, case, now)
        uow.commit()
        log.info("case_action", case_id=case_id, action=act.value, status=case.status)
        return case.version


def record_erasure(session: Any, case: Case, now: datetime) -> None:
    """The erasure itself leaves an event on the case's record (with no personal data in it)."""
    status = CaseStatus(case.status)
    row = _event_row(
        case,
        Action.ERASE_REPORTER,
        Actor.system(),
        status,
        status,
        now,
        {"fields": ["reporter_name", "reporter_phone"]},
    )
    session.add(CaseEvent(**row))


def _in_scope(uow: UnitOfWork, case: Case, actor: Actor) -> bool:
    scope = scope_of(actor)
    if scope.everything:
        return True
    units = frozenset(t.unit_id for t in uow.cases.tasks(case.id))
    return case_in_scope(scope, case.grid_code, case.reporter_user_id, case.owner_unit_id, units)


def _close_children(uow: UnitOfWork, parent: Case, now: datetime) -> None:
    for child in uow.cases.children(parent.id):
        if child.status != CaseStatus.MERGED.value:
            continue
        before = CaseStatus(child.status)
        after = next_status(before, Action.FOLLOW_PARENT)
        child.status = after.value
        child.closed_at = now
        _record(
            uow,
            child,
            Action.FOLLOW_PARENT,
            Actor.system(),
            before,
            after,
            now,
            {"parent_case_id": parent.id, "parent_tracking_code": parent.tracking_code, "parent_status": parent.status},
        )


# -- deadlines: warnings and escalation --------------------------------------------------------------
@dataclass
class ScanReport:
    scanned: int = 0
    warned: int = 0
    escalated: int = 0
    skipped: int = 0  # changed by someone else during the scan; picked up by the next scan
    steps: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: ScanReport, keep_steps: int) -> None:
        self.scanned += other.scanned
        self.warned += other.warned
        self.escalated += other.escalated
        self.steps.extend(other.steps[: max(keep_steps - len(self.steps), 0)])


def scan_overdue(
    uow_factory: Callable[[], UnitOfWork],
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    batch_size: int = 1000,
    dry_run: bool = False,
    keep_steps: int = 1000,
) -> ScanReport:
    """Yellow warning at the warning fraction, red + one level up the tree when overdue, again each period.

    Idempotent: the case row remembers its alarm level and escalation count, so a second run at the
    same `now` finds nothing to do. Runs in batches of `batch_size`, each its own transaction; a batch
    that collides with a person's action on one of its cases is redone case by case, so one busy case
    never holds back the others.
    """
    report = ScanReport()
    after: tuple[datetime, int] | None = None
    chains: dict[int, list[UnitInfo]] = {}
    while True:
        local = ScanReport()
        ids: list[int] = []
        try:
            with uow_factory() as uow:
                batch = uow.cases.due_alarm_rows(now, batch_size, after)
                if not batch:
                    break
                last = batch[-1]
                assert last.next_alarm_at is not None
                after = (last.next_alarm_at, last.id)
                ids = [c.id for c in batch]
                events: list[dict[str, Any]] = []
                for row in batch:
                    local.scanned += 1
                    _alarm_case(uow, row, now, calendar, policy, chains, local, keep_steps, events)
                uow.cases.save_alarm_rows(batch)
                uow.cases.insert_event_rows(events)
                if dry_run:
                    uow.rollback()
                else:
                    uow.commit()
            report.merge(local, keep_steps)
        except Conflict:
            for case_id in ids:
                _alarm_one(uow_factory, case_id, now, calendar, policy, chains, report, keep_steps)
    log.info(
        "deadline_scan",
        scanned=report.scanned,
        warned=report.warned,
        escalated=report.escalated,
        skipped=report.skipped,
        dry_run=dry_run,
    )
    return report


def _alarm_one(
    uow_factory: Callable[[], UnitOfWork],
    case_id: int,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    chains: dict[int, list[UnitInfo]],
    report: ScanReport,
    keep_steps: int,
) -> None:
    local = ScanReport()
    try:
        with uow_factory() as uow:
            row = uow.cases.alarm_row(case_id)
            if row is None or row.next_alarm_at is None or row.next_alarm_at > now:
                return
            if CaseStatus(row.status).kind is StatusKind.CLOSED:
                return
            local.scanned += 1
            events: list[dict[str, Any]] = []
            _alarm_case(uow, row, now, calendar, policy, chains, local, keep_steps, events)
            uow.cases.save_alarm_rows([row])
            uow.cases.insert_event_rows(events)
            uow.commit()
        report.merge(local, keep_steps)
    except Conflict:
        report.skipped += 1
        log.warning("deadline_scan_conflict", case_id=case_id)


def _alarm_case(
    uow: UnitOfWork,
    case: AlarmRow,
    now: datetime,
    calendar: WorkingDays,
    policy: CasePolicy,
    chains: dict[int, list[UnitInfo]],
    report: ScanReport,
    keep_steps: int,
    events: list[dict[str, Any]],
) -> None:
    clock = _clock(case)
    case.updated_at = now
    if clock is None or case.owner_unit_id is None:
        case.next_alarm_at = None
        return
    chain = chains.get(case.owner_unit_id)
    if chain is None:
        chain = chains[case.owner_unit_id] = supervisors(uow, case.owner_unit_id)
    level, escalations = AlarmLevel(case.alarm_level), case.escalation_level
    for step in due_alarm_steps(clock, level, escalations, now, calendar, policy.warning_fraction, len(chain)):
        status = CaseStatus(case.status)
        next_status(status, step.action)
        payload: dict[str, Any] = {"due_at": clock.due.isoformat(), "step_due_at": step.at.isoformat()}
        target = None
        if step.action is Action.ESCALATE:
            target = chain[step.escalation - 1]
            payload.update(level=step.escalation, to_unit_code=target.code, to_unit_name=target.name)
            case.escalated_to_unit_id = target.id
            report.escalated += 1
        else:
            report.warned += 1
        case.alarm_level, case.escalation_level = step.level.value, step.escalation or case.escalation_level
        level, escalations = step.level, case.escalation_level
        events.append(
            _event_row(
                case,
                step.action,
                Actor.system(),
                status,
                status,
                now,
                payload,
                unit_id=target.id if target else case.owner_unit_id,
            )
        )
        if len(report.steps) < keep_steps:
            report.steps.append(
                {"case_id": case.id, "tracking_code": case.tracking_code, "action": step.action.value, **payload}
            )
    case.next_alarm_at = next_alarm_at(clock, level, escalations, calendar, policy.warning_fraction, len(chain))
