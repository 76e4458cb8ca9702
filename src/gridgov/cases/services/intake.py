"""Intake: a new case is located, checked and recorded (status reported), once per idempotency key."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from gridgov.actor import Actor, Role
from gridgov.audit.domain import GENESIS
from gridgov.cases.domain import Action, AlarmLevel, CaseStatus, Urgency, check_role
from gridgov.cases.events import record_event
from gridgov.cases.models import Case
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services.enrich import duplicate_hints, suggest
from gridgov.cases.services.policy import DEFAULT_POLICY, SOURCES, CasePolicy
from gridgov.classify.ports import Classifier
from gridgov.clock import SHANGHAI
from gridgov.errors import DuplicateKey, IdempotencyConflict, ValidationFailed
from gridgov.geo.crs import to_canonical
from gridgov.geo.ports import Locator
from gridgov.grids.domain import PREFIX_LENGTH, GridLevel, check_code, pad
from gridgov.jobs.ports import ENRICH_CASES
from gridgov.logging import get_logger
from gridgov.signing import caller_key

log = get_logger(__name__)


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
    conflict: dict[str, str] | None = None  # the pin's district and the one the address names, when they differ


def district_of(code: str) -> str:
    """The district (区县) code above a grid code."""
    return pad(code[: PREFIX_LENGTH[GridLevel.DISTRICT]])


def _conflict(point_code: str | None, draft: CaseDraft, locator: Locator) -> dict[str, str] | None:
    """The pin lies in one district and the typed address names another: kept on the case for staff to see.
    Only an unambiguous address match says which district it names."""
    if point_code is None or not draft.address.strip():
        return None
    match = locator.parse_address(draft.address)
    if match.code is None or match.level is None or match.level < GridLevel.DISTRICT or match.ambiguous:
        return None
    pinned, named = district_of(point_code), district_of(match.code)
    if pinned == named:
        return None
    return {"point_district": pinned, "address_district": named, "address_match": match.code}


def _place(draft: CaseDraft, locator: Locator | None) -> _Placement:
    """Where the case is. An explicit grid wins; else the point's L3 grid; else the deepest division the
    address names. A point outside the city with neither grid nor address is refused."""
    lat, lon = draft.lat, draft.lon
    if lat is not None and lon is not None:
        if locator is not None:
            found = locator.locate(lat, lon, draft.crs)
            lat, lon = found.lat, found.lon
            if draft.grid_code is None and found.inside:
                return _Placement(found.code, lat, lon, "point", 1.0, _conflict(found.code, draft, locator))
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


def _named_conflict(
    uow: CasesUnitOfWork, conflict: dict[str, str] | None, version_id: int | None
) -> dict[str, str] | None:
    if conflict is None or version_id is None:
        return None
    names = {}
    for key in ("point_district", "address_district"):
        grid = uow.grids.by_code(conflict[key], version_id)
        names[key + "_name"] = grid.name if grid is not None else conflict[key]
    return {**conflict, **names}


def _validate_draft(uow: CasesUnitOfWork, draft: CaseDraft) -> str:
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


def grid_of(uow: CasesUnitOfWork, code: str) -> tuple[int, int]:
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


def _replay(uow: CasesUnitOfWork, key: str | None, digest: str) -> Reported | None:
    """The case already filed under this idempotency key (None: no such case); another request under it: 409."""
    existing = uow.cases.by_idempotency_key(key) if key is not None else None
    if existing is None:
        return None
    if existing.request_hash != digest:
        raise IdempotencyConflict() from None
    return Reported(existing.id, existing.tracking_code, existing.status, False)


def report_case(
    uow: CasesUnitOfWork,
    draft: CaseDraft,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None = None,
    locator: Locator | None = None,
    classifier: Classifier | None = None,
    policy: CasePolicy = DEFAULT_POLICY,
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
        # a key already used is found by the insert below (the unique key refuses it), not by a query first:
        # a new case — nearly every request — costs one round trip fewer inside its group (gridgov.groupcommit)
        try:
            urgency = _validate_draft(uow, draft)
            place = _place(draft, locator)
            grid_id = version_id = None
            if place.grid_code is not None:
                grid_id, version_id = grid_of(uow, place.grid_code)
        except ValidationFailed:
            # a retry is answered with its case even where what it names has changed since (a category retired)
            replay = _replay(uow, key, digest)
            if replay is None:
                raise
            return replay
        conflict = _named_conflict(uow, place.conflict, version_id)
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
            caller_key=caller_key(policy.caller_secret, draft.reporter_phone) if policy.caller_secret else None,
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
            suggest(case, classifier, policy)
            case.duplicate_candidates = duplicate_hints(uow, case, now, policy.duplicates) or None
            case.enriched_at = now
        first = record_event(
            uow.cases,
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
                **({"location_conflict": conflict} if conflict else {}),
            },
        )
        try:
            uow.cases.add(case, first)
            if enrich_later is not None:
                case_id = case.id
                uow.enqueue(ENRICH_CASES, case_ids=[case_id])  # a job row in this transaction (one per group commit)
                uow.after_commit(lambda: enrich_later(case_id))
            uow.commit()  # a group commit's member learns only here that its key was taken (gridgov.groupcommit)
        except DuplicateKey:
            if key is None:
                raise
            uow.rollback()
            replay = _replay(uow, key, digest)
            if replay is None:
                raise
            return replay
        log.info("case_reported", case_id=case.id, source=draft.source)
        return Reported(case.id, case.tracking_code, case.status, True)
