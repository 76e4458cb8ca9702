"""Changes that leave the stage alone: investment completed in a month, corrections of a project's fields, the
year's one adjustment of the lists (projects taken off, annual plans changed), and new phases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.clock import SHANGHAI
from gridgov.errors import DuplicateKey, ValidationFailed
from gridgov.logging import get_logger
from gridgov.projects.domain import (
    WRITERS,
    Action,
    AdjustmentAlreadyMade,
    BelowThreshold,
    Funding,
    NotPermitted,
    ProjectStatus,
    Sector,
    next_status,
    phase_name,
    size_band,
    threshold_refusal,
)
from gridgov.projects.models import ProjectAdjustment, ProjectPhase
from gridgov.projects.ports import ProjectsUnitOfWork
from gridgov.projects.rules import Rules, shipped_rules
from gridgov.projects.services.common import guarded, record
from gridgov.projects.services.intake import MAX_WAN

log = get_logger(__name__)


def _writer(actor: Actor) -> None:
    if actor.role not in WRITERS:
        raise NotPermitted()


def _today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def report_investment(
    uow: ProjectsUnitOfWork, project_id: int, year: int, month: int, amount: int, actor: Actor, now: datetime
) -> int | None:
    """Investment completed in one month (万元); a month reported again replaces its figure. Returns the figure it
    replaced."""
    _writer(actor)
    today = _today(now)
    if not 1 <= month <= 12:
        raise ValidationFailed("月份须为 1–12", field="month")
    if not 2000 <= year <= 2100 or (year, month) > (today.year, today.month):
        raise ValidationFailed("不能填报未来月份的完成投资", field="year")
    if amount < 0:
        raise ValidationFailed("完成投资不能为负数", field="amount")
    with uow:
        project = guarded(uow, project_id, Action.REPORT_INVESTMENT, actor)
        if amount > project.total_investment:
            raise ValidationFailed("单月完成投资不能大于项目总投资", field="amount")
        replaced = uow.projects.save_investment(project.id, year, month, amount, now)
        status = ProjectStatus(project.status)
        payload = {"year": year, "month": month, "amount": amount, "replaced": replaced}
        record(uow, project, Action.REPORT_INVESTMENT, actor, status, now, payload)
        uow.commit()
        return replaced


AMENDABLE = (
    "name",
    "investor",
    "total_investment",
    "annual_investment",
    "sector",
    "funding",
    "attracted",
    "leader",
    "responsible_unit",
    "lat",
    "lon",
)


def amend_project(
    uow: ProjectsUnitOfWork,
    project_id: int,
    changes: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    rules: Rules | None = None,
    expected_version: int | None = None,
) -> int:
    """Correct a project's fields (each change before → after on its record); the entry threshold still holds.
    Returns the new version."""
    rules = rules or shipped_rules()
    _writer(actor)
    unknown = [k for k in changes if k not in AMENDABLE]
    if unknown:
        raise ValidationFailed(f"不能修改的字段: {', '.join(unknown)}", field=unknown[0])
    with uow:
        project = guarded(uow, project_id, Action.AMEND, actor, expected_version)
        diff: dict[str, list[Any]] = {}
        for name, value in changes.items():
            try:
                if name == "sector":
                    value = Sector(value).value
                if name == "funding":
                    value = Funding(value).value
            except ValueError:
                raise ValidationFailed(f"未知的取值: {value}", field=name) from None
            if isinstance(value, str):
                value = value.strip()
            if name in ("name", "investor") and not value:
                raise ValidationFailed("项目名称和投资方不能为空", field=name)
            before = getattr(project, name)
            if before != value:
                diff[name] = [before, value]
                setattr(project, name, value)
        if (project.lat is None) != (project.lon is None):
            raise ValidationFailed("经纬度须同时提供", field="lat")
        if not 0 <= project.total_investment <= MAX_WAN:
            raise ValidationFailed("总投资不能为负数", field="total_investment")
        if not 0 <= project.annual_investment <= project.total_investment:
            raise ValidationFailed("年度计划投资须在 0 与总投资之间", field="annual_investment")
        reason = threshold_refusal(
            rules.thresholds, Sector(project.sector), project.total_investment, project.attracted
        )
        if reason:
            raise BelowThreshold(f"低于入库门槛: {reason}", field="total_investment")
        if not diff:
            return project.version
        project.size_band = size_band(project.total_investment, rules.size_bands_yi).value
        record(uow, project, Action.AMEND, actor, ProjectStatus(project.status), now, {"changes": diff})
        uow.commit()
        log.info("project_amended", project_id=project_id, fields=sorted(diff))
        return project.version


@dataclass(frozen=True, slots=True)
class ListChange:
    project_id: int
    change: str  # withdraw | amend
    annual_investment: int | None = None  # for amend


def adjust_lists(
    uow: ProjectsUnitOfWork, year: int, reason: str, changes: Sequence[ListChange], actor: Actor, now: datetime
) -> int:
    """The year's one adjustment of the lists: projects taken off (调出), annual plans changed. The adjustment and
    each project's change are recorded; a second adjustment in the same year is refused (409)."""
    _writer(actor)
    if year != _today(now).year:
        raise ValidationFailed(f"只能调整本年度 ({_today(now).year} 年) 的名单", field="year")
    if not reason.strip():
        raise ValidationFailed("请说明调整原因", field="reason")
    if not changes:
        raise ValidationFailed("调整内容不能为空", field="changes")
    if len({c.project_id for c in changes}) != len(changes):
        raise ValidationFailed("同一项目在调整中出现多次", field="changes")
    with uow:
        if uow.projects.adjustment(year) is not None:
            raise AdjustmentAlreadyMade(f"{year} 年的名单已调整过，每年只能调整一次")
        done: list[dict[str, Any]] = []
        for c in changes:
            if c.change == "withdraw":
                project = guarded(uow, c.project_id, Action.WITHDRAW, actor)
                before = ProjectStatus(project.status)
                project.status = next_status(before, Action.WITHDRAW).value
                project.withdrawn_on = _today(now)
                entry: dict[str, Any] = {"project_id": project.id, "code": project.code, "change": "withdraw"}
                record(
                    uow, project, Action.WITHDRAW, actor, before, now, {"year": year, "reason": reason.strip(), **entry}
                )
            elif c.change == "amend":
                project = guarded(uow, c.project_id, Action.AMEND, actor)
                value = c.annual_investment
                if value is None or not 0 <= value <= project.total_investment:
                    raise ValidationFailed(
                        f"项目 {project.code} 的年度计划投资须在 0 与总投资之间", field="annual_investment"
                    )
                entry = {
                    "project_id": project.id,
                    "code": project.code,
                    "change": "amend",
                    "annual_investment": [project.annual_investment, value],
                }
                project.annual_investment = value
                status = ProjectStatus(project.status)
                record(
                    uow,
                    project,
                    Action.AMEND,
                    actor,
                    status,
                    now,
                    {"year": year, "reason": reason.strip(), "adjustment": True, **entry},
                )
            else:
                raise ValidationFailed("change 须为 withdraw 或 amend", field="change")
            done.append(entry)
        adjustment = ProjectAdjustment(
            year=year, reason=reason.strip(), changes=done, actor_id=actor.user_id, made_at=now
        )
        try:
            uow.projects.add_adjustment(adjustment)
        except DuplicateKey:
            raise AdjustmentAlreadyMade(f"{year} 年的名单已调整过，每年只能调整一次") from None
        uow.commit()
        log.info("project_lists_adjusted", year=year, changes=len(done))
        return adjustment.id


def add_phase(
    uow: ProjectsUnitOfWork, number: int, held_on: date, actor: Actor, now: datetime, generated: bool = False
) -> ProjectPhase:
    """The next phase (第N期), after the last one's date."""
    _writer(actor)
    with uow:
        phases = list(uow.projects.phases())
        expected = phases[-1].number + 1 if phases else 1
        if number != expected:
            raise ValidationFailed(f"下一期应为{phase_name(expected)}", field="number")
        if phases and held_on <= phases[-1].held_on:
            raise ValidationFailed(
                f"活动日期须晚于{phases[-1].name} ({phases[-1].held_on.isoformat()})", field="held_on"
            )
        phase = ProjectPhase(
            number=number, name=phase_name(number), held_on=held_on, generated=generated, created_at=now
        )
        try:
            uow.projects.add_phase(phase)
        except DuplicateKey:
            raise ValidationFailed(f"{phase_name(number)}已存在", field="number") from None
        uow.commit()
        log.info("project_phase_added", number=number)
        return phase
