"""Generated 三个一批 data for the demo and the benchmark: phases (quarterly from July 2021), projects on their
lists with stage dates, investment completed by month. Deterministic for a seed; every row is marked generated.

The demo's default reproduces the seed's figures — 11 phases, 1,363 projects, total investment above
1.5万亿元 — as rows; the dashboard then computes its totals from them like from any other rows. Each generated
project gets its record (an event per stage, each a leaf of the city's log), written in one transaction."""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from gridgov.actor import Actor, Role
from gridgov.audit.domain import GENESIS
from gridgov.clock import SHANGHAI
from gridgov.logging import get_logger
from gridgov.projects import events
from gridgov.projects.domain import (
    WAN_PER_YI,
    Action,
    Funding,
    ProjectStatus,
    Sector,
    next_status,
    phase_name,
    size_band,
)
from gridgov.projects.models import Project, ProjectEvent, ProjectPhase
from gridgov.projects.ports import ProjectsUnitOfWork
from gridgov.projects.rules import Rules, shipped_rules

log = get_logger(__name__)

DEMO_ACTOR = Actor(user_id=None, role=Role.ADMIN, unit_id=None, name="demo")
FIRST_PHASE = date(2021, 7, 15)  # 河南 has run 三个一批 quarterly since July 2021
SEED_PHASES, SEED_PROJECTS = 11, 1363
SEED_TARGET_WAN = 151_000_000  # a little above 1.5万亿元 (150,000,000 万元)

SECTOR_WEIGHTS = {
    Sector.MANUFACTURING: 0.42,
    Sector.EMERGING: 0.18,
    Sector.INFRASTRUCTURE: 0.14,
    Sector.SERVICES: 0.16,
    Sector.LIVELIHOOD: 0.10,
}
FUNDING_WEIGHTS = {Funding.FOREIGN: 0.08, Funding.OUT_OF_PROVINCE: 0.57, Funding.LOCAL: 0.35}
WORDS = {
    Sector.MANUFACTURING: ("智能装备", "汽车零部件", "新材料", "食品加工", "精密制造", "电子信息"),
    Sector.EMERGING: ("新能源电池", "生物医药", "半导体", "氢能", "工业互联网", "高端芯片"),
    Sector.INFRASTRUCTURE: ("快速路", "综合管廊", "轨道交通", "水利枢纽", "物流枢纽", "变电站"),
    Sector.SERVICES: ("商贸综合体", "数字产业园", "文旅街区", "冷链物流", "总部基地", "会展中心"),
    Sector.LIVELIHOOD: ("学校", "医院", "保障性住房", "养老中心", "污水处理厂", "社区服务中心"),
}
FIRMS = ("中原", "郑开", "嵩山", "黄河", "豫商", "华中", "天地", "宏达", "瑞丰", "启航")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class DistrictArea:
    code: str
    name: str
    boxes: Sequence[tuple[float, float, float, float]]  # (min_lat, min_lon, max_lat, max_lon) of its grids


@dataclass
class Generated:
    phases: list[tuple[int, date]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)  # Project column values (no id, no chain)
    investments: list[tuple[int, int, int, int]] = field(default_factory=list)  # (project index, year, month, 万元)


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo if hi <= lo else lo + timedelta(days=rng.randint(0, (hi - lo).days))


def generate(
    areas: Sequence[DistrictArea],
    phases: int = SEED_PHASES,
    projects: int = SEED_PROJECTS,
    rules: Rules | None = None,
    seed: int = 22,
    first: date = FIRST_PHASE,
    target_wan: int | None = SEED_TARGET_WAN,
    investments: bool = True,
) -> Generated:
    """Phases every three months from `first`; `projects` spread over their 签约 lists; stages, lists and monthly
    investment drawn so that the rules hold (a 开工一批 from an earlier 签约一批, dates in order, by the phase's
    date). With `target_wan`, the amounts are scaled up (never down: thresholds still hold) to total at least it."""
    rules = rules or shipped_rules()
    rng = random.Random(seed)
    out = Generated()
    held = {n: add_months(first, 3 * (n - 1)) for n in range(1, phases + 1)}
    out.phases = sorted(held.items())
    last = held[phases]
    per, extra = divmod(projects, phases)
    counts = [per + (1 if i < extra else 0) for i in range(phases)]
    for s, count in enumerate(counts, start=1):
        for _ in range(count):
            area = rng.choice(areas)
            sector: Sector = _pick(rng, SECTOR_WEIGHTS)
            attracted = rng.random() < (
                0.6 if sector in (Sector.MANUFACTURING, Sector.EMERGING, Sector.SERVICES) else 0.2
            )
            t = rules.thresholds[sector]
            floor = t.min_attracted_wan if attracted else t.min_total_wan
            total = int(floor * (1 + rng.lognormvariate(0.7, 0.9)))
            box = rng.choice(area.boxes) if area.boxes else None
            lat = round(rng.uniform(box[0], box[2]), 6) if box else None
            lon = round(rng.uniform(box[1], box[3]), 6) if box else None
            word = rng.choice(WORDS[sector])
            row: dict[str, Any] = {
                "name": f"{area.name}{rng.choice(FIRMS)}{word}项目",
                "investor": f"{rng.choice(FIRMS)}{word}{rng.choice(('有限公司', '股份有限公司', '集团有限公司'))}",
                "district_code": area.code,
                "district_name": area.name,
                "lat": lat,
                "lon": lon,
                "sector": sector.value,
                "total_investment": total,
                "annual_share": rng.uniform(0.15, 0.4),
                "funding": _pick(rng, FUNDING_WEIGHTS).value,
                "attracted": attracted,
                "leader": f"{rng.choice(SURNAMES)}某 (副区长)",
                "responsible_unit": f"{area.name}{rng.choice(('发展和改革委员会', '工业和信息化局', '商务局'))}",
                "signed_phase": s,
                "signed_on": held[s] - timedelta(days=rng.randint(0, 20)),
                "generated": True,
            }
            _stages(rng, row, held, phases, last)
            out.projects.append(row)
    if target_wan is not None:
        have = sum(r["total_investment"] for r in out.projects)
        if have < target_wan:
            factor = target_wan / have
            for r in out.projects:
                r["total_investment"] = int(r["total_investment"] * factor) + 1
    for i, r in enumerate(out.projects):
        r["annual_investment"] = int(r.pop("annual_share") * r["total_investment"])
        r["size_band"] = size_band(r["total_investment"], rules.size_bands_yi).value
        if investments and r.get("started_on"):
            _investments(rng, out, i, r, last)
    return out


def _stages(rng: random.Random, row: dict[str, Any], held: Mapping[int, date], phases: int, last: date) -> None:
    s = row["signed_phase"]
    status = ProjectStatus.SIGNED
    if rng.random() < 0.92:
        row["honoured_on"] = min(row["signed_on"] + timedelta(days=rng.randint(15, 120)), last)
        status = ProjectStatus.HONOURED
        if s < phases and rng.random() < 0.8:
            t = rng.randint(s + 1, min(s + 3, phases))
            if row["honoured_on"] <= held[t]:
                row["started_phase"] = t
                row["started_on"] = _between(rng, max(row["honoured_on"], held[t - 1]), held[t])
                status = ProjectStatus.STARTED
                if t < phases and rng.random() < 0.6:
                    u = rng.randint(t + 1, min(t + 4, phases))
                    row["producing_phase"] = u
                    row["producing_on"] = _between(rng, max(row["started_on"], held[u - 1]), held[u])
                    status = ProjectStatus.PRODUCING
                    if rng.random() < 0.45:
                        on = row["producing_on"] + timedelta(days=rng.randint(60, 300))
                        if on <= last:
                            row["effective_on"] = on
                            status = ProjectStatus.EFFECTIVE
    row["status"] = status.value


def _investments(rng: random.Random, out: Generated, i: int, row: Mapping[str, Any], last: date) -> None:
    month = date(row["started_on"].year, row["started_on"].month, 1)
    left = row["total_investment"]
    per_month = max(1, row["annual_investment"] // 12)
    while month <= last and left > 0:
        amount = min(left, int(per_month * rng.uniform(0.6, 1.3)))
        out.investments.append((i, month.year, month.month, amount))
        left -= amount
        month = add_months(month, 1)


def _at(on: date) -> datetime:
    return datetime.combine(on, time(10, 0), tzinfo=SHANGHAI).astimezone(UTC)


STAGES = (
    (Action.HONOUR, "honoured_on", None),
    (Action.START, "started_on", "started_phase"),
    (Action.PRODUCE, "producing_on", "producing_phase"),
    (Action.REACH, "effective_on", None),
)


def project_rows(
    row: Mapping[str, Any], code: str, now: datetime, actor: Actor = DEMO_ACTOR
) -> tuple[Project, list[ProjectEvent]]:
    """A generated project and its record: the signing and each stage it reached, through the transition table."""
    fields = {k: v for k, v in row.items() if k in Project.__table__.columns}
    project = Project(
        **fields, code=code, created_at=now, updated_at=now, event_count=0, last_event_hash=GENESIS, version=1
    )
    project.status = ProjectStatus.SIGNED.value
    chain = [
        events.record(
            project,
            Action.SIGN,
            actor,
            None,
            ProjectStatus.SIGNED,
            _at(row["signed_on"]),
            {"phase": row["signed_phase"], "generated": True},
        )
    ]
    status = ProjectStatus.SIGNED
    for action, date_key, phase_key in STAGES:
        on = row.get(date_key)
        if on is None:
            break
        after = next_status(status, action)
        payload: dict[str, Any] = {"on": on.isoformat(), "generated": True}
        if phase_key:
            payload["phase"] = row[phase_key]
        chain.append(events.record(project, action, actor, status, after, _at(on), payload))
        status = after
    project.status = status.value
    project.updated_at = now
    return project, chain


@dataclass(frozen=True, slots=True)
class Seeded:
    phases: int
    projects: int
    total_investment: int
    events: int
    investments: int
    skipped: bool = False

    @property
    def total_yi(self) -> float:
        return self.total_investment / WAN_PER_YI


def seed_projects(
    uow_factory: Callable[[], ProjectsUnitOfWork],
    areas: Sequence[DistrictArea],
    now: datetime,
    phases: int = SEED_PHASES,
    projects: int = SEED_PROJECTS,
    seed: int = 22,
) -> Seeded:
    """The demo's phases and projects, once (nothing is written when phases exist already), in one transaction."""
    data = generate(areas, phases, projects, seed=seed)
    uow = uow_factory()
    with uow:
        if uow.projects.phases():
            return Seeded(0, 0, 0, 0, 0, skipped=True)
        for number, held_on in data.phases:
            uow.projects.add_phase(
                ProjectPhase(number=number, name=phase_name(number), held_on=held_on, generated=True, created_at=now)
            )
        rows = [
            project_rows(r, f"XM{r['district_code']}-{r['signed_phase']:02d}-G{i + 1:05d}", now)
            for i, r in enumerate(data.projects)
        ]
        uow.projects.add_many(rows)
        ids = [p.id for p, _ in rows]
        uow.projects.add_investments([(ids[i], y, m, a) for i, y, m, a in data.investments], now)
        uow.commit()
    total = sum(r["total_investment"] for r in data.projects)
    log.info("projects_seeded", phases=phases, projects=len(rows), total_investment=total)
    return Seeded(phases, len(rows), total, sum(len(e) for _, e in rows), len(data.investments))
