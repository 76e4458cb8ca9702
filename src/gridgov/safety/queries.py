"""Read-only selects: places and their map, the worker's tasks and a place's checklist, coverage (应检/已检) per
grid, street and district, hazards and their pages, the record of each subject, the ledger (台账) and its
statistics, and the counts the five rates are computed from (formulas in docs/safety.md). Personal data
(the responsible person and phone) is masked in everything read here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from gridgov.cases.models import Case
from gridgov.clock import SHANGHAI
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion
from gridgov.indicator_sources import Period
from gridgov.safety.domain import (
    HAZARD_STATUS_LABELS,
    MEASURE_LABELS,
    RISK_COLOURS,
    RISK_LABELS,
    Counts,
    Grade,
    HazardNotFound,
    HazardStatus,
    PlaceNotFound,
    PlaceStatus,
    Risk,
    add_counts,
    mask_name,
    mask_phone,
    rates,
)
from gridgov.safety.events import HAZARD_STREAM
from gridgov.safety.models import SafetyEvent, SafetyHazard, SafetyInspection, SafetyPhoto, SafetyPlace, SafetyTask
from gridgov.safety.rules import Rules, shipped_rules

P, Hz, T = SafetyPlace, SafetyHazard, SafetyTask
LEVEL_PREFIX = {"district": 6, "street": 9, "grid": 15}


def _iso(v: Any) -> Any:
    return v.isoformat() if v is not None and hasattr(v, "isoformat") else v


def area_names(session: Session) -> dict[str, str]:
    """Names of the districts (6-digit key), streets (9) and micro-grids (15) of the active grid version."""
    version = session.execute(select(GridVersion.id).where(GridVersion.active)).scalar()
    if version is None:
        return {}
    out: dict[str, str] = {}
    rows = session.execute(
        select(Grid.code, Grid.name, Grid.level).where(
            Grid.version_id == version,
            Grid.level.in_([int(GridLevel.DISTRICT), int(GridLevel.STREET), int(GridLevel.MICRO)]),
        )
    )
    for code, name, level in rows:
        key = {int(GridLevel.DISTRICT): 6, int(GridLevel.STREET): 9}.get(level, 15)
        out[code[:key]] = name
    return out


# -- places -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlaceFilter:
    district: str | None = None
    street: str | None = None
    grid: str | None = None
    type_code: str | None = None
    group: str | None = None
    risk: str | None = None
    status: str | None = None
    generated: bool | None = None
    q: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.district:
            out.append(P.district_code == self.district)
        if self.street:
            out.append(P.street_code == self.street)
        if self.grid:
            out.append(P.grid_code == self.grid)
        if self.type_code:
            out.append(P.type_code == self.type_code)
        if self.group:
            out.append(P.place_group == self.group)
        if self.risk:
            out.append(P.risk == self.risk)
        if self.status:
            out.append(P.status == self.status)
        if self.generated is not None:
            out.append(P.generated.is_(self.generated))
        if self.q:
            like = f"%{self.q}%"
            out.append(or_(P.name.like(like), P.address.like(like), P.code == self.q))
        return out


def place_row(p: SafetyPlace, rules: Rules, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    kind = rules.types.get(p.type_code)
    names = names or {}
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "type": p.type_code,
        "type_label": kind.label if kind else p.type_code,
        "group": p.place_group,
        "industry": p.industry,
        "address": p.address,
        "lat": p.lat,
        "lon": p.lon,
        "grid_code": p.grid_code,
        "grid_name": names.get(p.grid_code, ""),
        "street_code": p.street_code,
        "street_name": names.get(p.street_code, ""),
        "district_code": p.district_code,
        "district_name": names.get(p.district_code, ""),
        "responsible_name": mask_name(p.responsible_name),
        "responsible_phone": mask_phone(p.responsible_phone),
        "risk": p.risk,
        "risk_label": RISK_LABELS[Risk(p.risk)],
        "status": p.status,
        "status_label": PlaceStatus(p.status).label,
        "merged_into_id": p.merged_into_id,
        "closed_on": _iso(p.closed_on),
        "generated": p.generated,
        "version": p.version,
    }


def list_places(session: Session, f: PlaceFilter, page: int, page_size: int) -> dict[str, Any]:
    rules, names = shipped_rules(), area_names(session)
    where = f.where()
    total = session.scalar(select(func.count()).select_from(P).where(*where)) or 0
    rows = session.scalars(select(P).where(*where).order_by(P.id).offset((page - 1) * page_size).limit(page_size))
    return {"total": total, "page": page, "items": [place_row(p, rules, names) for p in rows]}


def place_detail(session: Session, place_id: int) -> dict[str, Any]:
    p = session.get(P, place_id)
    if p is None:
        raise PlaceNotFound(f"场所不存在: {place_id}")
    out = place_row(p, shipped_rules(), area_names(session))
    hazards = session.scalars(select(Hz).where(Hz.place_id == place_id).order_by(Hz.id.desc()).limit(200))
    out["hazards"] = [hazard_row(h) for h in hazards]
    inspections = session.execute(
        select(
            SafetyInspection.id, SafetyInspection.inspected_at, SafetyInspection.failed, SafetyInspection.inspector_name
        )
        .where(SafetyInspection.place_id == place_id)
        .order_by(SafetyInspection.inspected_at.desc())
        .limit(50)
    )
    out["inspections"] = [
        {"id": i, "inspected_at": _iso(at), "failed": n, "inspector": who} for i, at, n, who in inspections
    ]
    return out


def places_geojson(session: Session, f: PlaceFilter, limit: int) -> dict[str, Any]:
    """Places coloured by risk, with how many open hazards each has (the street's map)."""
    open_hazards = (
        select(Hz.place_id, func.count().label("n"))
        .where(Hz.status != HazardStatus.CLOSED.value)
        .group_by(Hz.place_id)
        .subquery()
    )
    stmt = (
        select(P.id, P.name, P.type_code, P.risk, P.lat, P.lon, P.status, func.coalesce(open_hazards.c.n, 0))
        .outerjoin(open_hazards, open_hazards.c.place_id == P.id)
        .where(*f.where())
        .order_by(P.id)
        .limit(limit)
    )
    rules = shipped_rules()
    features = []
    for pid, name, type_code, risk, lat, lon, status, n in session.execute(stmt):
        kind = rules.types.get(type_code)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": pid,
                    "name": name,
                    "type_label": kind.label if kind else type_code,
                    "risk": risk,
                    "risk_label": RISK_LABELS[Risk(risk)],
                    "colour": RISK_COLOURS[Risk(risk)],
                    "status": status,
                    "open_hazards": int(n),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def checklist(place: SafetyPlace, rules: Rules) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "text": i.text,
            "basis": i.basis,
            "grade": i.grade.value,
            "checklist": rules.checklists[i.checklist][0],
        }
        for i in rules.items_for(place.type_code).values()
    ]


# -- tasks and coverage -------------------------------------------------------------------------------------------
def my_tasks(
    session: Session, user_id: int | None, grids: Sequence[str], status: str = "open", limit: int = 200
) -> list[dict[str, Any]]:
    """The grid worker's tasks: those assigned to them, or in their grids."""
    mine: list[ColumnElement[bool]] = [T.grid_code.in_(list(grids))]
    if user_id is not None:
        mine.append(T.assignee_id == user_id)
    cond = or_(*mine)
    stmt = (
        select(T, P)
        .join(P, P.id == T.place_id)
        .where(cond, T.status == status)
        .order_by(T.due_on, P.risk == Risk.RED.value, T.id)
        .limit(limit)
    )
    rules = shipped_rules()
    out = []
    for t, p in session.execute(stmt):
        kind = rules.types.get(p.type_code)
        out.append(
            {
                "id": t.id,
                "plan": t.plan_code,
                "plan_name": rules.plans[t.plan_code].name if t.plan_code in rules.plans else t.plan_code,
                "slot": t.slot,
                "due_on": t.due_on.isoformat(),
                "status": t.status,
                "place": {
                    "id": p.id,
                    "name": p.name,
                    "address": p.address,
                    "type_label": kind.label if kind else p.type_code,
                    "risk": p.risk,
                    "risk_label": RISK_LABELS[Risk(p.risk)],
                    "checklist": checklist(p, rules),
                },
            }
        )
    return out


def coverage(session: Session, period: str, level: str, prefix: str | None = None) -> list[dict[str, Any]]:
    """应检 (tasks of the month's rounds) and 已检 (of those, inspected) per grid, street or district."""
    n = LEVEL_PREFIX[level]
    key = func.substr(T.grid_code, 1, n)
    where = [T.period == period]
    if prefix:
        where.append(T.grid_code.like(f"{prefix}%"))
    stmt = (
        select(key, func.count(), func.sum(case((T.status == "done", 1), else_=0)))
        .where(*where)
        .group_by(key)
        .order_by(key)
    )
    names = area_names(session)
    out = []
    for code, due, done in session.execute(stmt):
        out.append(
            {
                "code": code,
                "name": names.get(code, ""),
                "due": int(due),
                "done": int(done or 0),
                "coverage": (int(done or 0) / int(due)) if due else None,
            }
        )
    return out


# -- hazards ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HazardFilter:
    district: str | None = None
    street: str | None = None
    place_id: int | None = None
    status: str | None = None  # comma-separated, or "open"
    grade: str | None = None
    supervised: bool | None = None
    overdue_at: datetime | None = None
    generated: bool | None = None

    def where(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.district:
            out.append(Hz.district_code == self.district)
        if self.street:
            out.append(Hz.street_code == self.street)
        if self.place_id:
            out.append(Hz.place_id == self.place_id)
        if self.status == "open":
            out.append(Hz.status != HazardStatus.CLOSED.value)
        elif self.status:
            out.append(Hz.status.in_(self.status.split(",")))
        if self.grade:
            out.append(Hz.grade == self.grade)
        if self.supervised is not None:
            out.append(Hz.supervised.is_(self.supervised))
        if self.overdue_at is not None:
            out.append(and_(Hz.due_at.is_not(None), Hz.due_at < self.overdue_at))
        if self.generated is not None:
            out.append(Hz.generated.is_(self.generated))
        return out


def hazard_row(h: SafetyHazard, place_name: str = "") -> dict[str, Any]:
    return {
        "id": h.id,
        "code": h.code,
        "place_id": h.place_id,
        "place_name": place_name,
        "item_code": h.item_code,
        "item_text": h.item_text,
        "basis": h.basis,
        "description": h.description,
        "grade": h.grade,
        "grade_label": Grade(h.grade).label,
        "status": h.status,
        "status_label": HAZARD_STATUS_LABELS[HazardStatus(h.status)],
        "street_code": h.street_code,
        "district_code": h.district_code,
        "grid_code": h.grid_code,
        "found_at": _iso(h.found_at),
        "found_by": h.found_by_name,
        "rectify_due_at": _iso(h.rectify_due_at),
        "due_at": _iso(h.due_at),
        "fixed_on_spot": h.fixed_on_spot,
        "plan": {
            "responsible": h.responsible,
            "measures": h.measures,
            "funds": h.funds,
            "time_limit": _iso(h.time_limit),
            "contingency": h.contingency,
        }
        if h.measures
        else None,
        "supervised": h.supervised,
        "supervised_at": _iso(h.supervised_at),
        "supervisor_unit": h.supervisor_unit,
        "rectified_at": _iso(h.rectified_at),
        "reviews": h.reviews,
        "reviewed_at": _iso(h.reviewed_at),
        "reviewer": h.reviewer_name,
        "closed_at": _iso(h.closed_at),
        "on_time": h.on_time,
        "escalation_level": h.escalation_level,
        "repeat_count": h.repeat_count,
        "recurrence_of_id": h.recurrence_of_id,
        "case_id": h.case_id,
        "generated": h.generated,
        "version": h.version,
    }


def list_hazards(session: Session, f: HazardFilter, page: int, page_size: int) -> dict[str, Any]:
    where = f.where()
    total = session.scalar(select(func.count()).select_from(Hz).where(*where)) or 0
    stmt = (
        select(Hz, P.name)
        .join(P, P.id == Hz.place_id)
        .where(*where)
        .order_by(Hz.grade.desc(), Hz.due_at.is_(None), Hz.due_at, Hz.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return {"total": total, "page": page, "items": [hazard_row(h, name) for h, name in session.execute(stmt)]}


def hazard_detail(session: Session, hazard_id: int) -> dict[str, Any]:
    found = session.execute(select(Hz, P.name).join(P, P.id == Hz.place_id).where(Hz.id == hazard_id)).first()
    if found is None:
        raise HazardNotFound(f"隐患不存在: {hazard_id}")
    h, name = found
    out = hazard_row(h, name)
    out["photos"] = [
        {"id": i, "purpose": purpose, "sha256": sha}
        for i, purpose, sha in session.execute(
            select(SafetyPhoto.id, SafetyPhoto.purpose, SafetyPhoto.sha256)
            .where(SafetyPhoto.hazard_id == hazard_id)
            .order_by(SafetyPhoto.id)
        )
    ]
    if h.case_id is not None:
        case_row = session.execute(select(Case.tracking_code, Case.status).where(Case.id == h.case_id)).first()
        out["case"] = {"id": h.case_id, "tracking_code": case_row[0], "status": case_row[1]} if case_row else None
    return out


def hazard_of_case(session: Session, case_id: int) -> dict[str, Any]:
    hazard_id = session.scalar(select(Hz.id).where(Hz.case_id == case_id))
    if hazard_id is None:
        raise HazardNotFound(f"没有转办为该案件的隐患: {case_id}")
    return hazard_detail(session, hazard_id)


def events_of(session: Session, stream: str, subject_id: int) -> list[dict[str, Any]]:
    model = Hz if stream == HAZARD_STREAM else P
    if session.get(model, subject_id) is None:
        raise (HazardNotFound if stream == HAZARD_STREAM else PlaceNotFound)(f"不存在: {subject_id}")
    rows = session.scalars(
        select(SafetyEvent)
        .where(SafetyEvent.stream == stream, SafetyEvent.subject_id == subject_id)
        .order_by(SafetyEvent.seq)
    )
    return [
        {
            "seq": e.seq,
            "event_type": e.event_type,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor_role": e.actor_role,
            "occurred_at": _iso(e.occurred_at),
            "payload": e.payload,
            "hash": e.hash,
            "prev_hash": e.prev_hash,
        }
        for e in rows
    ]


def photo_file(session: Session, photo_id: int) -> tuple[str, bytes]:
    row = session.execute(select(SafetyPhoto.content_type, SafetyPhoto.data).where(SafetyPhoto.id == photo_id)).first()
    if row is None:
        raise HazardNotFound(f"照片不存在: {photo_id}")
    return row[0], row[1]


# -- the ledger, statistics and the five rates --------------------------------------------------------------------
def period_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, time(0), SHANGHAI)
    end = datetime.combine(period.last_day + timedelta(days=1), time(0), SHANGHAI)
    return start, end


LEDGER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "隐患编号"),
    ("district_name", "县(市、区)"),
    ("street_name", "街道"),
    ("place_name", "场所"),
    ("type_label", "场所类型"),
    ("item_text", "隐患内容 (检查项目)"),
    ("basis", "依据"),
    ("grade_label", "隐患等级"),
    ("found_on", "发现日期"),
    ("found_by", "发现人"),
    ("deadline", "整改期限"),
    ("measures", "整改措施"),
    ("funds", "整改资金(元)"),
    ("responsible", "整改责任人"),
    ("reviewed_on", "验收日期"),
    ("reviewer", "验收人"),
    ("status_label", "状态"),
    ("supervised", "挂牌督办"),
    ("closed_on", "销号日期"),
    ("case", "转办案件"),
    ("generated", "演示数据"),
)


def _day(v: datetime | None) -> str:
    return v.astimezone(SHANGHAI).date().isoformat() if v is not None else ""


def ledger_rows(
    session: Session, period: Period, district: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """台账: every hazard found in the period with the usual columns (the place's responsible person is not
    among them: the rectification's 责任人 is the 五落实's)."""
    start, end = period_bounds(period)
    rules, names = shipped_rules(), area_names(session)
    where = [Hz.found_at >= start, Hz.found_at < end]
    if district:
        where.append(Hz.district_code == district)
    stmt = (
        select(
            Hz.code, Hz.district_code, Hz.street_code, P.name, Hz.place_type, Hz.item_text, Hz.basis, Hz.grade,
            Hz.found_at, Hz.found_by_name, Hz.rectify_due_at, Hz.measures, Hz.funds, Hz.responsible, Hz.reviewed_at,
            Hz.reviewer_name, Hz.status, Hz.supervised, Hz.closed_at, Case.tracking_code, Hz.generated,
            Hz.fixed_on_spot,
        )
        .join(P, P.id == Hz.place_id)
        .outerjoin(Case, Case.id == Hz.case_id)
        .where(*where)
        .order_by(Hz.found_at, Hz.id)
    )  # fmt: skip
    if limit:
        stmt = stmt.limit(limit)
    out = []
    for r in session.execute(stmt.execution_options(yield_per=5000)):
        kind = rules.types.get(r[4])
        out.append(
            {
                "code": r[0],
                "district_name": names.get(r[1], r[1]),
                "street_name": names.get(r[2], r[2]),
                "place_name": r[3],
                "type_label": kind.label if kind else r[4],
                "item_text": r[5],
                "basis": r[6],
                "grade_label": Grade(r[7]).label,
                "found_on": _day(r[8]),
                "found_by": r[9],
                "deadline": _day(r[10]) if r[10] else ("立即整改" if r[21] else ""),
                "measures": r[11] or ("当场整改" if r[21] else ""),
                "funds": r[12],
                "responsible": r[13],
                "reviewed_on": _day(r[14]),
                "reviewer": r[15],
                "status_label": HAZARD_STATUS_LABELS[HazardStatus(r[16])],
                "supervised": bool(r[17]),
                "closed_on": _day(r[18]),
                "case": r[19] or "",
                "generated": bool(r[20]),
            }
        )
    return out


BY = {"district": Hz.district_code, "street": Hz.street_code, "type": Hz.place_type, "grade": Hz.grade}


def hazard_counts(session: Session, period: Period, by: str, prefix: str | None = None) -> dict[str, Counts]:
    """The counts of the five rates per district, street, place type or grade (by), for hazards found in the
    period and tasks whose round falls in it."""
    start, end = period_bounds(period)
    key = BY[by]
    closed = Hz.status == HazardStatus.CLOSED.value
    major = Hz.grade == Grade.MAJOR.value
    where = [Hz.found_at >= start, Hz.found_at < end]
    if prefix:
        where.append(Hz.grid_code.like(f"{prefix}%"))

    def n(cond: ColumnElement[bool]) -> Any:
        return func.sum(case((cond, 1), else_=0))

    stmt = (
        select(
            key,
            func.count(),
            n(closed),
            n(and_(closed, Hz.on_time.is_(True))),
            n(major),
            n(and_(major, closed)),
            n(Hz.recurrence_of_id.is_not(None)),
        )
        .where(*where)
        .group_by(key)
    )
    out: dict[str, Counts] = {}
    for k, found, c, on_time, m, mc, rep in session.execute(stmt):
        out[k] = Counts(0, 0, int(found), int(c or 0), int(on_time or 0), int(m or 0), int(mc or 0), int(rep or 0))
    if by in ("district", "street", "type"):
        tkey = {
            "district": func.substr(T.grid_code, 1, 6),
            "street": func.substr(T.grid_code, 1, 9),
            "type": P.type_code,
        }[by]
        tstmt = (
            select(tkey, func.count(), func.sum(case((T.status == "done", 1), else_=0)))
            .join(P, P.id == T.place_id)
            .where(T.period.in_(period.month_labels()), *([T.grid_code.like(f"{prefix}%")] if prefix else []))
            .group_by(tkey)
        )
        for k, due, done in session.execute(tstmt):
            c0 = out.get(k, Counts())
            out[k] = Counts(
                int(due), int(done or 0), c0.found, c0.closed, c0.on_time, c0.major, c0.major_closed, c0.repeats
            )
    return out


def statistics(session: Session, period: Period, by: str, prefix: str | None = None) -> dict[str, Any]:
    """Quarterly or annual (or monthly) statistics by district, street, place type or grade, with the rates."""
    counts = hazard_counts(session, period, by, prefix)
    rules, names = shipped_rules(), area_names(session)

    def label(k: str) -> str:
        if k == "total":
            return "合计"
        if by == "type":
            return rules.types[k].label if k in rules.types else k
        if by == "grade":
            return Grade(k).label
        return names.get(k, k)

    def row(k: str, c: Counts) -> dict[str, Any]:
        return {
            "key": k,
            "label": label(k),
            **{f: getattr(c, f) for f in Counts.__dataclass_fields__},
            **{m.value: v for m, v in rates(c).items()},
        }

    rows = [row(k, c) for k, c in sorted(counts.items())]
    total = add_counts(list(counts.values()))
    return {
        "period": period.label,
        "title": period.title,
        "by": by,
        "rows": rows,
        "total": row("total", total) | {"label": "合计"},
        "measures": [{"key": m.value, "label": label_} for m, label_ in MEASURE_LABELS.items()],
    }


def worker_grids(session: Session, user_id: int | None) -> list[str]:
    from gridgov.units.models import GridAssignment

    if user_id is None:
        return []
    return list(session.scalars(select(GridAssignment.grid_code).where(GridAssignment.user_id == user_id)))


def place_checklist(session: Session, place_id: int) -> dict[str, Any]:
    p = session.get(P, place_id)
    if p is None:
        raise PlaceNotFound(f"场所不存在: {place_id}")
    return {"place_id": p.id, "type": p.type_code, "items": checklist(p, shipped_rules())}


def grid_boxes(session: Session) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(code, (min_lat, min_lon, max_lat, max_lon)) of every micro-grid of the active version (generated places)."""
    version = session.execute(select(GridVersion.id).where(GridVersion.active)).scalar()
    if version is None:
        return []
    stmt = select(Grid.code, Grid.min_lat, Grid.min_lon, Grid.max_lat, Grid.max_lon).where(
        Grid.version_id == version, Grid.level == int(GridLevel.MICRO), Grid.min_lat.is_not(None)
    )
    out = []
    for code, a, b, c, d in session.execute(stmt):
        if a is not None and b is not None and c is not None and d is not None:
            out.append((code, (a, b, c, d)))
    return out
