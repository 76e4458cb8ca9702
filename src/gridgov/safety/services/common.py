"""What every safety use case shares: the hazard looked up and guarded, its facts, the record, photos, codes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.clock import SHANGHAI, Limit, TimeUnit, WorkingDays
from gridgov.errors import Conflict
from gridgov.media.services import clean_image
from gridgov.safety import events
from gridgov.safety.domain import Action, Grade, HazardNotFound, HazardStatus
from gridgov.safety.guards import GUARDS, HazardFacts
from gridgov.safety.models import SafetyHazard, SafetyPhoto
from gridgov.safety.ports import SafetyUnitOfWork
from gridgov.safety.rules import Rules

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(prefix: str, area: str) -> str:
    return f"{prefix}{area}-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def working_days(calendar: WorkingDays, start: datetime, days: int) -> datetime:
    return calendar.deadline(start, Limit(days, TimeUnit.WORKING_DAYS))


def facts_of(uow: SafetyUnitOfWork, hazard: SafetyHazard, rules: Rules) -> HazardFacts:
    return HazardFacts(
        hazard_id=hazard.id,
        status=HazardStatus(hazard.status),
        grade=Grade(hazard.grade),
        supervised=hazard.supervised,
        street_code=hazard.street_code,
        district_code=hazard.district_code,
        referred=hazard.case_id is not None,
        bureau_units=uow.safety.bureau_units(hazard.district_code, rules.bureau_key),
        grid_workers=uow.safety.grid_workers(hazard.grid_code),
    )


def guarded(
    uow: SafetyUnitOfWork,
    hazard_id: int,
    action: Action,
    actor: Actor,
    rules: Rules,
    expected_version: int | None = None,
) -> SafetyHazard:
    """The hazard, once the action's guard allows it (in a transaction the caller holds)."""
    hazard = uow.safety.hazard(hazard_id)
    if hazard is None:
        raise HazardNotFound(f"隐患不存在: {hazard_id}")
    if expected_version is not None and hazard.version != expected_version:
        raise Conflict("隐患已被他人修改，请刷新后重试", expected=expected_version, actual=hazard.version)
    refused = GUARDS[action](facts_of(uow, hazard, rules), actor)
    if refused is not None:
        raise refused
    return hazard


def record_hazard(
    uow: SafetyUnitOfWork,
    hazard: SafetyHazard,
    action: Action,
    actor: Actor,
    before: str,
    now: datetime,
    payload: Mapping[str, Any],
) -> int:
    event = events.record(events.HAZARD_STREAM, hazard, action, actor, before, hazard.status, now, payload)
    uow.safety.add_event(event)
    return event.seq


def store_photo(
    uow: SafetyUnitOfWork,
    data: bytes,
    purpose: str,
    actor: Actor,
    now: datetime,
    hazard_id: int | None = None,
    inspection_id: int | None = None,
) -> SafetyPhoto:
    """A photo through the house's checks (type by content, decoded in full, metadata stripped)."""
    clean, kind, _, _ = clean_image(data)
    photo = SafetyPhoto(
        hazard_id=hazard_id,
        inspection_id=inspection_id,
        purpose=purpose,
        content_type=kind,
        data=clean,
        sha256=hashlib.sha256(clean).hexdigest(),
        size=len(clean),
        uploaded_by=actor.user_id,
        created_at=now,
    )
    uow.safety.add_photo(photo)
    return photo
