"""An inspection on the grid worker's phone: the place's checklist gone through, item by item, with photos per
failed item. Each failed item is a hidden hazard, graded 一般 or 重大; a 一般 one may be fixed on the spot (立即整改,
with a photo of the fix) and is then closed at once. The same place and item found again while its hazard is
open is linked to that hazard (found again), not counted twice. The inspection closes its task (已检).

A phone that was offline sends the inspection when it is back with the key it made then: the same key gives
back the inspection already stored, never a second one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gridgov.actor import Actor, Role
from gridgov.audit.domain import GENESIS
from gridgov.clock import WorkingDays
from gridgov.errors import ValidationFailed
from gridgov.logging import get_logger
from gridgov.safety import events
from gridgov.safety.domain import (
    FIRST_STATUS,
    INSPECTORS,
    Action,
    Grade,
    HazardStatus,
    InspectionRefused,
    NotPermitted,
    PlaceAction,
    PlaceNotFound,
    PlaceStatus,
    TaskNotFound,
    check_items,
    next_place_status,
    next_status,
)
from gridgov.safety.models import SafetyHazard, SafetyInspection, SafetyPlace
from gridgov.safety.ports import SafetyUnitOfWork
from gridgov.safety.rules import Item, Rules, shipped_rules
from gridgov.safety.services.common import new_code, record_hazard, store_photo, today, working_days

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ItemResult:
    result: str  # pass | fail | na
    grade: str | None = None  # for a failed item: general | major (default: the item's proposal)
    fixed_on_spot: bool = False
    photos: tuple[bytes, ...] = ()  # of what was found
    fixed_photos: tuple[bytes, ...] = ()  # of the fix on the spot
    note: str = ""


@dataclass(frozen=True, slots=True)
class InspectionDraft:
    place_id: int
    results: Mapping[str, ItemResult]
    task_id: int | None = None
    client_key: str | None = None
    note: str = ""
    inspected_at: datetime | None = None  # when the phone recorded it (offline); default: now
    generated: bool = False


@dataclass(frozen=True, slots=True)
class HazardRef:
    item_code: str
    hazard_id: int
    code: str
    grade: str
    status: str
    linked: bool  # found again: linked to the hazard already open


@dataclass(frozen=True, slots=True)
class Inspected:
    id: int
    place_id: int
    task_id: int | None
    failed: int
    hazards: tuple[HazardRef, ...] = field(default_factory=tuple)
    created: bool = True


def _check(draft: InspectionDraft, items: Mapping[str, object], rules: Rules) -> None:
    unknown = [c for c in draft.results if c not in items]
    if unknown:
        raise InspectionRefused(f"检查表中没有这些项目: {', '.join(unknown)}", field="results")
    missing = check_items(items, {c: r.result for c, r in draft.results.items()})
    if missing:
        raise InspectionRefused(f"检查表尚未填完: {', '.join(missing)}", field="results", items=missing)
    for code, r in draft.results.items():
        if r.result != "fail":
            continue
        if not r.photos:
            raise InspectionRefused(f"不合格项 {code} 须附现场照片", field="photos", item=code)
        if r.grade is not None and r.grade not in (Grade.GENERAL.value, Grade.MAJOR.value):
            raise InspectionRefused(f"隐患等级须为 一般 或 重大: {r.grade}", field="grade", item=code)
        if r.fixed_on_spot and r.grade == Grade.MAJOR.value:
            raise InspectionRefused(f"{code}: 重大隐患不能立即整改销号, 须制定治理方案", field="grade", item=code)
        if r.fixed_on_spot and not r.fixed_photos:
            raise InspectionRefused(f"{code}: 立即整改须附整改后的照片", field="fixed_photos", item=code)
        if len(r.photos) + len(r.fixed_photos) > 2 * rules.photo_max_per_item:
            raise InspectionRefused(f"{code}: 照片过多", field="photos", item=code)
        if len(r.note) > 2000:
            raise InspectionRefused(f"{code}: 说明不能超过 2000 字", field="note", item=code)


def record_inspection(
    uow: SafetyUnitOfWork,
    draft: InspectionDraft,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    rules: Rules | None = None,
) -> Inspected:
    rules = rules or shipped_rules()
    if actor.role not in INSPECTORS:
        raise NotPermitted("只有网格员可以录入检查")
    if len(draft.note) > 2000:
        raise ValidationFailed("说明不能超过 2000 字", field="note")
    at = draft.inspected_at or now
    if at > now + timedelta(minutes=5) or now - at > timedelta(days=7):
        raise ValidationFailed("检查时间须在最近 7 天内", field="inspected_at")
    with uow:
        if draft.client_key:
            done = uow.safety.inspection_by_key(draft.client_key)
            if done is not None:
                return Inspected(done.id, done.place_id, done.task_id, done.failed, created=False)
        place = uow.safety.place(draft.place_id)
        if place is None:
            raise PlaceNotFound(f"场所不存在: {draft.place_id}")
        next_place_status(PlaceStatus(place.status), PlaceAction.INSPECT)
        if actor.role is Role.GRID_WORKER and actor.user_id not in uow.safety.grid_workers(place.grid_code):
            raise NotPermitted("只能检查本人网格内的场所")
        items = rules.items_for(place.type_code)
        _check(draft, items, rules)
        task = uow.safety.task(draft.task_id) if draft.task_id else uow.safety.open_task(place.id, today(at))
        if draft.task_id and (task is None or task.place_id != place.id):
            raise TaskNotFound(f"检查任务不存在: {draft.task_id}")
        failed = [c for c, r in draft.results.items() if r.result == "fail"]
        inspection = SafetyInspection(
            place_id=place.id,
            task_id=task.id if task else None,
            inspector_id=actor.user_id,
            inspector_name=actor.name[:50],
            inspected_at=at,
            results={c: r.result for c, r in draft.results.items()},
            failed=len(failed),
            client_key=draft.client_key,
            note=draft.note,
            generated=draft.generated,
        )
        uow.safety.add_inspection(inspection)
        if task is not None and task.status == "open":
            task.status, task.inspection_id = "done", inspection.id
        refs = [_hazard(uow, place, inspection, items[c], draft.results[c], actor, at, calendar, rules) for c in failed]
        uow.safety.add_event(
            events.record(
                events.PLACE_STREAM,
                place,
                PlaceAction.INSPECT,
                actor,
                place.status,
                place.status,
                now,
                {
                    "inspection_id": inspection.id,
                    "task_id": inspection.task_id,
                    "results": inspection.results,
                    "hazards": [r.hazard_id for r in refs],
                },
            )
        )
        uow.commit()
        log.info("safety_inspection", inspection_id=inspection.id, place_id=place.id, failed=len(failed))
        return Inspected(inspection.id, place.id, inspection.task_id, len(failed), tuple(refs))


def _hazard(
    uow: SafetyUnitOfWork,
    place: SafetyPlace,
    inspection: SafetyInspection,
    item: Item,
    result: ItemResult,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    rules: Rules,
) -> HazardRef:
    open_one = uow.safety.open_hazard(place.id, item.code)
    if open_one is not None:  # several inspections, one hazard
        open_one.repeat_count += 1
        before = open_one.status
        next_status(HazardStatus(before), Action.FOUND_AGAIN)
        for data in result.photos:
            store_photo(uow, data, "found", actor, now, open_one.id, inspection.id)
        record_hazard(
            uow,
            open_one,
            Action.FOUND_AGAIN,
            actor,
            before,
            now,
            {"inspection_id": inspection.id, "repeat_count": open_one.repeat_count, "note": result.note},
        )
        return HazardRef(item.code, open_one.id, open_one.code, open_one.grade, open_one.status, True)
    grade = Grade(result.grade) if result.grade else item.grade
    status = FIRST_STATUS[grade]
    earlier = uow.safety.last_closed_hazard(place.id, item.code, now - timedelta(days=rules.repeat_window_days))
    hazard = SafetyHazard(
        code=new_code("YH", place.district_code),
        place_id=place.id,
        inspection_id=inspection.id,
        item_code=item.code,
        item_text=item.text,
        basis=item.basis,
        description=result.note,
        grade=grade.value,
        status=status.value,
        place_type=place.type_code,
        grid_code=place.grid_code,
        street_code=place.street_code,
        district_code=place.district_code,
        found_at=now,
        found_by_id=actor.user_id,
        found_by_name=actor.name[:50],
        recurrence_of_id=earlier.id if earlier else None,
        generated=inspection.generated,
        created_at=now,
        updated_at=now,
        event_count=0,
        last_event_hash=GENESIS,
        version=1,
    )
    if grade is Grade.GENERAL:
        hazard.rectify_due_at = hazard.due_at = working_days(calendar, now, rules.general_days)
    else:
        hazard.due_at = working_days(calendar, now, rules.plan_days)
    first = events.record(
        events.HAZARD_STREAM,
        hazard,
        Action.FIND,
        actor,
        None,
        status.value,
        now,
        {
            "place_id": place.id,
            "inspection_id": inspection.id,
            "item": item.code,
            "basis": item.basis,
            "grade": grade.value,
            "due_at": hazard.due_at,
            "recurrence_of": hazard.recurrence_of_id,
            "note": result.note,
        },
    )
    uow.safety.add_hazard(hazard, [first])
    photos = [store_photo(uow, data, "found", actor, now, hazard.id, inspection.id) for data in result.photos]
    if result.fixed_on_spot:
        fixed = [store_photo(uow, data, "fixed", actor, now, hazard.id, inspection.id) for data in result.fixed_photos]
        before = hazard.status
        hazard.status = next_status(HazardStatus(before), Action.FIX_ON_SPOT).value
        hazard.fixed_on_spot = True
        hazard.rectified_at = hazard.closed_at = now
        hazard.on_time = True
        hazard.due_at = None
        record_hazard(
            uow,
            hazard,
            Action.FIX_ON_SPOT,
            actor,
            before,
            now,
            {"photos": [p.sha256 for p in fixed], "found_photos": [p.sha256 for p in photos]},
        )
    return HazardRef(item.code, hazard.id, hazard.code, hazard.grade, hazard.status, False)
