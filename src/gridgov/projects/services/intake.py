"""Signing: a project goes on a phase's 签约一批, once it clears its sector's entry threshold. One at a time
(sign_project) or a whole list as the 发改委 keeps it (import_projects: all or nothing, every bad line named)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS
from gridgov.clock import SHANGHAI
from gridgov.errors import ValidationFailed
from gridgov.geo.ports import Locator
from gridgov.logging import get_logger
from gridgov.projects import events
from gridgov.projects.domain import (
    WRITERS,
    Action,
    BelowThreshold,
    Funding,
    ImportRefused,
    NotPermitted,
    PhaseNotFound,
    ProjectStatus,
    Sector,
    size_band,
    stage_date_refusal,
    threshold_refusal,
)
from gridgov.projects.models import Project, ProjectEvent, ProjectPhase
from gridgov.projects.ports import District, ProjectsUnitOfWork
from gridgov.projects.rules import Rules, shipped_rules

log = get_logger(__name__)

MAX_WAN = 10**12  # 1万亿亿元: anything above is a typing error


@dataclass(frozen=True, slots=True)
class ProjectDraft:
    name: str
    investor: str
    district: str  # the 6-digit division code, or the district's name as the list writes it
    sector: str
    total_investment: int  # 万元
    annual_investment: int  # 万元
    funding: str
    signed_phase: int
    signed_on: date
    attracted: bool = False
    leader: str = ""
    responsible_unit: str = ""
    lat: float | None = None
    lon: float | None = None
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
    """A draft's values once checked (or the problems found)."""

    problems: list[Problem] = field(default_factory=list)
    district: District | None = None
    sector: Sector | None = None
    funding: Funding | None = None
    below_threshold: bool = False


def _district(districts: Mapping[str, District], text: str) -> District | None:
    wanted = text.strip()
    if wanted in districts:
        return districts[wanted]
    return next((d for d in districts.values() if d.name == wanted), None)


def check_draft(
    draft: ProjectDraft,
    districts: Mapping[str, District],
    phases: Mapping[int, ProjectPhase],
    rules: Rules,
    today: date,
) -> Checked:
    """Every problem of one draft (the import reports them all, line by line)."""
    out = Checked()

    def bad(name: str, message: str) -> None:
        out.problems.append(Problem(name, message))

    for name, value, label, limit in (
        ("name", draft.name, "项目名称", 200),
        ("investor", draft.investor, "投资方", 200),
    ):
        if not value.strip():
            bad(name, f"{label}不能为空")
        elif len(value) > limit:
            bad(name, f"{label}不能超过 {limit} 字")
    for name, value, label, limit in (
        ("leader", draft.leader, "责任领导", 50),
        ("responsible_unit", draft.responsible_unit, "责任单位", 100),
    ):
        if len(value) > limit:
            bad(name, f"{label}不能超过 {limit} 字")
    out.district = _district(districts, draft.district)
    if out.district is None:
        bad("district", f"未知的县(市、区): {draft.district}")
    try:
        out.sector = Sector(draft.sector)
    except ValueError:
        bad("sector", f"未知的行业领域: {draft.sector}")
    try:
        out.funding = Funding(draft.funding)
    except ValueError:
        bad("funding", f"未知的资金来源: {draft.funding}")
    total, annual = draft.total_investment, draft.annual_investment
    if total < 0:
        bad("total_investment", "总投资不能为负数")
    elif total > MAX_WAN:
        bad("total_investment", "总投资数额过大")
    if annual < 0:
        bad("annual_investment", "年度计划投资不能为负数")
    elif total >= 0 and annual > total:
        bad("annual_investment", "年度计划投资不能大于总投资")
    if draft.signed_phase not in phases:
        bad("signed_phase", f"期次不存在: 第 {draft.signed_phase} 期")
    else:
        refused = stage_date_refusal(Action.SIGN, draft.signed_on, None, phases[draft.signed_phase].held_on, today)
        if refused:
            bad("signed_on", refused)
    if (draft.lat is None) != (draft.lon is None):
        bad("lat", "经纬度须同时提供")
    elif draft.lat is not None and draft.lon is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lon <= 180):
        bad("lat", "经纬度超出范围")
    if out.sector is not None and total >= 0:
        reason = threshold_refusal(rules.thresholds, out.sector, total, draft.attracted)
        if reason:
            out.below_threshold = True
            bad("total_investment", f"低于入库门槛: {reason}")
    return out


def project_code(district: str, phase: int) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"XM{district}-{phase:02d}-" + "".join(secrets.choice(alphabet) for _ in range(6))


def new_project(
    draft: ProjectDraft,
    checked: Checked,
    rules: Rules,
    actor: Actor,
    now: datetime,
    grid_code: str | None,
    code: str,
) -> tuple[Project, ProjectEvent]:
    """The project row (on its phase's 签约一批) and its first event."""
    assert checked.district is not None and checked.sector is not None and checked.funding is not None
    project = Project(
        code=code,
        name=draft.name.strip(),
        investor=draft.investor.strip(),
        district_code=checked.district.code,
        district_name=checked.district.name,
        grid_code=grid_code,
        lat=draft.lat,
        lon=draft.lon,
        sector=checked.sector.value,
        total_investment=draft.total_investment,
        annual_investment=draft.annual_investment,
        funding=checked.funding.value,
        size_band=size_band(draft.total_investment, rules.size_bands_yi).value,
        attracted=draft.attracted,
        leader=draft.leader.strip(),
        responsible_unit=draft.responsible_unit.strip(),
        status=ProjectStatus.SIGNED.value,
        signed_phase=draft.signed_phase,
        signed_on=draft.signed_on,
        generated=draft.generated,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
        event_count=0,
        last_event_hash=GENESIS,
        version=1,
    )
    first = events.record(
        project,
        Action.SIGN,
        actor,
        None,
        ProjectStatus.SIGNED,
        now,
        {
            "phase": draft.signed_phase,
            "on": draft.signed_on.isoformat(),
            "district": checked.district.code,
            "sector": checked.sector.value,
            "total_investment": draft.total_investment,
            "annual_investment": draft.annual_investment,
            "generated": draft.generated,
        },
    )
    return project, first


def _grid(locator: Locator | None, draft: ProjectDraft) -> str | None:
    if locator is None or draft.lat is None or draft.lon is None:
        return None
    found = locator.locate(draft.lat, draft.lon)
    return found.code if found.inside else None


@dataclass(frozen=True, slots=True)
class Signed:
    id: int
    code: str
    status: str


def _today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def sign_project(
    uow: ProjectsUnitOfWork,
    draft: ProjectDraft,
    actor: Actor,
    now: datetime,
    rules: Rules | None = None,
    locator: Locator | None = None,
) -> Signed:
    """Put one project on its phase's 签约一批. A project below its sector's threshold is refused with the reason
    (422 below_threshold)."""
    rules = rules or shipped_rules()
    if actor.role not in WRITERS:
        raise NotPermitted()
    with uow:
        phases = {p.number: p for p in uow.projects.phases()}
        checked = check_draft(draft, uow.projects.districts(), phases, rules, _today(now))
        if checked.problems:
            first = checked.problems[0]
            listed = [p.message for p in checked.problems]
            if first.field == "signed_phase" and draft.signed_phase not in phases:
                raise PhaseNotFound(first.message)
            if checked.below_threshold and len(checked.problems) == 1:
                raise BelowThreshold(first.message, field=first.field)
            raise ValidationFailed(first.message, field=first.field, messages=listed)
        code = draft.code or project_code(checked.district.code if checked.district else "", draft.signed_phase)
        if uow.projects.code_taken(code):
            raise ValidationFailed(f"项目编码已存在: {code}", field="code")
        project, first_event = new_project(draft, checked, rules, actor, now, _grid(locator, draft), code)
        uow.projects.add(project, first_event)
        uow.commit()
        log.info("project_signed", project_id=project.id, phase=draft.signed_phase)
        return Signed(project.id, project.code, project.status)


def import_projects(
    uow: ProjectsUnitOfWork,
    drafts: Sequence[tuple[int, ProjectDraft]],
    actor: Actor,
    now: datetime,
    rules: Rules | None = None,
    locator: Locator | None = None,
    problems: Sequence[Problem] = (),
) -> int:
    """A whole list (line number, draft): every line is checked first; one bad line and nothing is stored
    (ImportRefused, with every problem and its line). `problems` are those the file reader found already."""
    rules = rules or shipped_rules()
    if actor.role not in WRITERS:
        raise NotPermitted()
    found: list[Problem] = list(problems)
    with uow:
        phases = {p.number: p for p in uow.projects.phases()}
        districts = uow.projects.districts()
        today = _today(now)
        ready: list[tuple[ProjectDraft, Checked]] = []
        codes: dict[str, int] = {}
        for line, draft in drafts:
            checked = check_draft(draft, districts, phases, rules, today)
            found.extend(Problem(p.field, p.message, line) for p in checked.problems)
            if draft.code:
                if draft.code in codes:
                    found.append(Problem("code", f"项目编码与第 {codes[draft.code]} 行重复: {draft.code}", line))
                elif uow.projects.code_taken(draft.code):
                    found.append(Problem("code", f"项目编码已存在: {draft.code}", line))
                codes.setdefault(draft.code, line)
            ready.append((draft, checked))
        if not drafts and not found:
            found.append(Problem("file", "清单中没有项目"))
        if found:
            found.sort(key=lambda p: p.line or 0)
            raise ImportRefused(
                found[0].text(),
                line=found[0].line,
                errors=[{"line": p.line, "field": p.field, "message": p.message} for p in found],
            )
        rows = []
        for draft, checked in ready:
            assert checked.district is not None
            code = draft.code or project_code(checked.district.code, draft.signed_phase)
            rows.append(new_project(draft, checked, rules, actor, now, _grid(locator, draft), code))
        uow.projects.add_many([(p, [e]) for p, e in rows])
        uow.commit()
    log.info("projects_imported", count=len(rows))
    return len(rows)
