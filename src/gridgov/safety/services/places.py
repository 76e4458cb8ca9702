"""Places (场所/企业): one registered (register_place) or a whole list imported (import_places: all or nothing, every
bad line named), located on the grid tree by the geo locator; closed down or merged into another, with the
history kept on each place's record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS
from gridgov.errors import ValidationFailed
from gridgov.geo.ports import Locator
from gridgov.logging import get_logger
from gridgov.safety import events
from gridgov.safety.domain import (
    PHONE,
    PLACE_WRITERS,
    ImportRefused,
    NotPermitted,
    PlaceAction,
    PlaceNotFound,
    PlaceStatus,
    Risk,
    next_place_status,
)
from gridgov.safety.models import SafetyEvent, SafetyPlace
from gridgov.safety.ports import SafetyUnitOfWork
from gridgov.safety.rules import Rules, shipped_rules
from gridgov.safety.services.common import new_code

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PlaceDraft:
    name: str
    type_code: str
    address: str
    lat: float | None
    lon: float | None
    risk: str
    responsible_name: str = ""
    responsible_phone: str = ""
    code: str | None = None
    generated: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str
    line: int | None = None

    def text(self) -> str:
        return f"第 {self.line} 行: {self.message}" if self.line is not None else self.message


@dataclass
class Checked:
    problems: list[Problem] = field(default_factory=list)
    grid_code: str | None = None


def check_place(draft: PlaceDraft, rules: Rules, locator: Locator | None) -> Checked:
    """Every problem of one draft (the import reports them all, line by line), and the grid of its point."""
    out = Checked()

    def bad(name: str, message: str) -> None:
        out.problems.append(Problem(name, message))

    if not draft.name.strip():
        bad("name", "场所名称不能为空")
    elif len(draft.name) > 200:
        bad("name", "场所名称不能超过 200 字")
    if len(draft.address) > 300:
        bad("address", "地址不能超过 300 字")
    if draft.type_code not in rules.types:
        bad("type_code", f"未知的场所类型: {draft.type_code}")
    if draft.risk not in {r.value for r in Risk}:
        bad("risk", f"风险等级须为 红 / 橙 / 黄 / 蓝: {draft.risk}")
    if len(draft.responsible_name) > 50:
        bad("responsible_name", "负责人姓名不能超过 50 字")
    phone = draft.responsible_phone.strip()
    if phone and not PHONE.match(phone):
        bad("responsible_phone", "负责人电话须为手机号或固定电话")
    if draft.lat is None or draft.lon is None:
        bad("lat", "须提供经纬度")
    elif not (-90 <= draft.lat <= 90 and -180 <= draft.lon <= 180):
        bad("lat", "经纬度超出范围")
    elif locator is None:
        bad("lat", "没有可用的网格定位服务")
    else:
        found = locator.locate(draft.lat, draft.lon)
        if not found.inside or found.code is None:
            bad("lat", f"位置 ({draft.lat}, {draft.lon}) 不在本市网格范围内")
        else:
            out.grid_code = found.code
    return out


def new_place(
    draft: PlaceDraft, grid_code: str, rules: Rules, actor: Actor, now: datetime, code: str
) -> tuple[SafetyPlace, SafetyEvent]:
    kind = rules.types[draft.type_code]
    assert draft.lat is not None and draft.lon is not None
    place = SafetyPlace(
        code=code,
        name=draft.name.strip(),
        type_code=kind.code,
        place_group=kind.group.value,
        industry=kind.industry,
        address=draft.address.strip(),
        lat=draft.lat,
        lon=draft.lon,
        grid_code=grid_code,
        street_code=grid_code[:9],
        district_code=grid_code[:6],
        responsible_name=draft.responsible_name.strip(),
        responsible_phone=draft.responsible_phone.strip(),
        risk=draft.risk,
        status=PlaceStatus.OPEN.value,
        generated=draft.generated,
        created_at=now,
        updated_at=now,
        event_count=0,
        last_event_hash=GENESIS,
        version=1,
    )
    first = events.record(
        events.PLACE_STREAM,
        place,
        PlaceAction.REGISTER,
        actor,
        None,
        PlaceStatus.OPEN.value,
        now,
        {"type": kind.code, "grid": grid_code, "risk": draft.risk, "generated": draft.generated},
    )
    return place, first


def import_places(
    uow: SafetyUnitOfWork,
    drafts: Sequence[tuple[int, PlaceDraft]],
    actor: Actor,
    now: datetime,
    locator: Locator | None,
    rules: Rules | None = None,
    problems: Sequence[Problem] = (),
) -> list[int]:
    """A whole list (line number, draft): every line is checked first; one bad line and nothing is stored
    (ImportRefused, with every problem and its line). `problems` are those the file reader found already.
    Returns the new places' ids."""
    rules = rules or shipped_rules()
    if actor.role not in PLACE_WRITERS:
        raise NotPermitted()
    found: list[Problem] = list(problems)
    with uow:
        ready: list[tuple[PlaceDraft, str]] = []
        codes: dict[str, int] = {}
        wanted = [d.code for _, d in drafts if d.code]
        taken = uow.safety.codes_taken(wanted) if wanted else set()
        for line, draft in drafts:
            checked = check_place(draft, rules, locator)
            found.extend(Problem(p.field, p.message, line) for p in checked.problems)
            if draft.code:
                if draft.code in codes:
                    found.append(Problem("code", f"场所编码与第 {codes[draft.code]} 行重复: {draft.code}", line))
                elif draft.code in taken:
                    found.append(Problem("code", f"场所编码已存在: {draft.code}", line))
                codes.setdefault(draft.code, line)
            if checked.grid_code is not None:
                ready.append((draft, checked.grid_code))
        if not drafts and not found:
            found.append(Problem("file", "清单中没有场所"))
        if found:
            found.sort(key=lambda p: p.line or 0)
            raise ImportRefused(
                found[0].text(),
                line=found[0].line,
                errors=[{"line": p.line, "field": p.field, "message": p.message} for p in found],
            )
        rows = [new_place(d, grid, rules, actor, now, d.code or new_code("CS", grid[:6])) for d, grid in ready]
        uow.safety.add_places(rows)
        uow.commit()
        ids = [p.id for p, _ in rows]
    log.info("safety_places_imported", count=len(ids))
    return ids


def register_place(
    uow: SafetyUnitOfWork,
    draft: PlaceDraft,
    actor: Actor,
    now: datetime,
    locator: Locator | None,
    rules: Rules | None = None,
) -> int:
    """One place; its problems are refused as a validation error naming the first field."""
    rules = rules or shipped_rules()
    if actor.role not in PLACE_WRITERS:
        raise NotPermitted()
    checked = check_place(draft, rules, locator)
    if checked.problems:
        first = checked.problems[0]
        raise ValidationFailed(first.message, field=first.field, messages=[p.message for p in checked.problems])
    assert checked.grid_code is not None
    with uow:
        code = draft.code or new_code("CS", checked.grid_code[:6])
        if uow.safety.codes_taken([code]):
            raise ValidationFailed(f"场所编码已存在: {code}", field="code")
        place, first_event = new_place(draft, checked.grid_code, rules, actor, now, code)
        uow.safety.add_places([(place, first_event)])
        uow.commit()
        log.info("safety_place_registered", place_id=place.id)
        return place.id


def _guarded_place(uow: SafetyUnitOfWork, place_id: int, action: PlaceAction, actor: Actor) -> SafetyPlace:
    if actor.role not in PLACE_WRITERS:
        raise NotPermitted(f"角色「{actor.role.label}」不能执行「{action.label}」")
    place = uow.safety.place(place_id)
    if place is None:
        raise PlaceNotFound(f"场所不存在: {place_id}")
    next_place_status(PlaceStatus(place.status), action)
    return place


def close_place(uow: SafetyUnitOfWork, place_id: int, reason: str, actor: Actor, now: datetime) -> None:
    """关停: the place stays with its history; no plan selects it again."""
    if not reason.strip():
        raise ValidationFailed("请说明关停原因", field="reason")
    with uow:
        place = _guarded_place(uow, place_id, PlaceAction.CLOSE, actor)
        before = place.status
        place.status = PlaceStatus.CLOSED.value
        place.closed_on = now.date()
        uow.safety.add_event(
            events.record(
                events.PLACE_STREAM, place, PlaceAction.CLOSE, actor, before, place.status, now, {"reason": reason}
            )
        )
        uow.commit()
    log.info("safety_place_closed", place_id=place_id)


def merge_place(uow: SafetyUnitOfWork, place_id: int, into_id: int, reason: str, actor: Actor, now: datetime) -> None:
    """合并: a place recorded twice (or taken over) goes into another; both records say so."""
    if place_id == into_id:
        raise ValidationFailed("不能合并到自身", field="into")
    with uow:
        place = _guarded_place(uow, place_id, PlaceAction.MERGE, actor)
        target = _guarded_place(uow, into_id, PlaceAction.AMEND, actor)
        before = place.status
        place.status = PlaceStatus.MERGED.value
        place.merged_into_id = target.id
        place.closed_on = now.date()
        uow.safety.add_event(
            events.record(
                events.PLACE_STREAM,
                place,
                PlaceAction.MERGE,
                actor,
                before,
                place.status,
                now,
                {"into": target.id, "into_code": target.code, "reason": reason},
            )
        )
        uow.safety.add_event(
            events.record(
                events.PLACE_STREAM,
                target,
                PlaceAction.AMEND,
                actor,
                target.status,
                target.status,
                now,
                {"merged_from": place.id, "merged_from_code": place.code, "reason": reason},
            )
        )
        uow.commit()
    log.info("safety_place_merged", place_id=place_id, into=into_id)
