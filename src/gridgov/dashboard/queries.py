"""Read-only selects for the dashboard. Counts stay within the reader's scope (the same SQL condition as the
case list); the monthly rates come from gridgov.metrics, split into streets and departments and ranked."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from gridgov.accounts.domain import Actor, scope_of
from gridgov.callbacks.queries import callback_counts  # 督办/回访 (issue 15)
from gridgov.cases.domain import AlarmLevel, CaseStatus, StatusKind
from gridgov.cases.models import Case, CaseEvent, CaseSupervision
from gridgov.cases.queries import CLOCKED, in_scope
from gridgov.clock import SHANGHAI
from gridgov.grids.models import Grid, GridVersion
from gridgov.knowledge.queries import direct_rates  # 直接办结率 / 知识库直办率 (issue 17)
from gridgov.metrics.domain import CallbackCounts, Weights, callback_rates, rank, supervision_rates
from gridgov.metrics.queries import month_bounds, supervision_counts, unit_metrics
from gridgov.units.domain import UnitKind
from gridgov.units.models import Unit

DEPARTMENT_KINDS = frozenset({UnitKind.CITY_DEPARTMENT.value, UnitKind.DISTRICT_BUREAU.value})
OPEN = frozenset(s.value for s in CaseStatus if s.kind is StatusKind.OPEN)


def local_midnight(now: datetime) -> datetime:
    """The start of `now`'s day in Asia/Shanghai."""
    return datetime.combine(now.astimezone(SHANGHAI).date(), time(0), tzinfo=SHANGHAI)


def _overdue(now: datetime) -> ColumnElement[bool]:
    """A running deadline has passed (the rule of the case list's `overdue` filter)."""
    return Case.status.in_(CLOCKED) & Case.clock_due.is_not(None) & (Case.clock_due < now)


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)


_CARDS = (AlarmLevel.RED.value, AlarmLevel.YELLOW.value)


def _counts_by_index(session: Session, today: datetime, now: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """The whole city: several narrow counts, each reading an index (migration 0003) rather than the table."""
    counts = {st: int(n) for st, n in session.execute(select(Case.status, func.count()).group_by(Case.status)).all()}
    cards = Case.alarm_level.in_(_CARDS) & Case.status.in_(OPEN)
    alarms = dict(session.execute(select(Case.alarm_level, func.count()).where(cards).group_by(Case.alarm_level)).all())
    return counts, {
        "new_today": _count(session, Case.created_at >= today),
        "closed_today": _count(session, Case.closed_at >= today),
        "overdue": _count(session, _overdue(now)),
        "red": int(alarms.get(AlarmLevel.RED.value, 0)),
        "yellow": int(alarms.get(AlarmLevel.YELLOW.value, 0)),
    }


def _sum(cond: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _counts_in_one_pass(
    session: Session, scope: ColumnElement[bool], today: datetime, now: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Part of the city (a street, a department): one pass over the cases in scope, whose condition (grid
    range or a task of the unit) no single index answers."""
    is_open = Case.status.in_(OPEN)
    stmt = (
        select(
            Case.status,
            func.count().label("n"),
            _sum(Case.created_at >= today).label("new_today"),
            _sum(Case.closed_at >= today).label("closed_today"),
            _sum(_overdue(now)).label("overdue"),
            _sum(is_open & (Case.alarm_level == AlarmLevel.RED.value)).label("red"),
            _sum(is_open & (Case.alarm_level == AlarmLevel.YELLOW.value)).label("yellow"),
        )
        .where(scope)
        .group_by(Case.status)
    )
    rows = session.execute(stmt).mappings().all()
    extra = {k: sum(int(r[k]) for r in rows) for k in ("new_today", "closed_today", "overdue", "red", "yellow")}
    return {r["status"]: int(r["n"]) for r in rows}, extra


def summary(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """Counts by status and kind, today's new and closed cases, overdue and red/yellow-carded open cases, within
    the actor's scope. Cheap at a million cases: the live stream recomputes it on every change."""
    today = local_midnight(now)
    scope = scope_of(actor)
    if scope.everything:
        counts, extra = _counts_by_index(session, today, now)
    else:
        counts, extra = _counts_in_one_pass(session, in_scope(scope), today, now)
    by_status = [
        {"status": s.value, "label": s.label, "kind": s.kind.value, "count": counts.get(s.value, 0)} for s in CaseStatus
    ]
    local = now.astimezone(SHANGHAI)
    return {
        "as_of": now,
        "today": local.date().isoformat(),
        "month": local.strftime("%Y-%m"),
        "total": sum(counts.values()),
        "open": sum(n for st, n in counts.items() if st in OPEN),
        "closed": sum(n for st, n in counts.items() if st not in OPEN),
        **extra,
        "by_status": by_status,
    }


def overdue_cases(session: Session, actor: Actor, now: datetime, limit: int) -> list[dict[str, Any]]:
    """The open cases whose running deadline has passed, the latest first by how late they are."""
    stmt = (
        select(Case, Unit.name)
        .outerjoin(Unit, Unit.id == Case.owner_unit_id)
        .where(in_scope(scope_of(actor)), _overdue(now))
        .order_by(Case.clock_due, Case.id)
        .limit(limit)
    )
    out = []
    for c, unit_name in session.execute(stmt).all():
        assert c.clock_due is not None
        out.append(
            {
                "id": c.id,
                "tracking_code": c.tracking_code,
                "title": c.title,
                "status": c.status,
                "status_label": CaseStatus(c.status).label,
                "grid_code": c.grid_code,
                "owner_unit_name": unit_name,
                "due_at": c.clock_due,
                "late_minutes": int((now - c.clock_due).total_seconds() // 60),
                "alarm_level": c.alarm_level,
                "escalation_level": c.escalation_level,
            }
        )
    return out


MIN_RANKED_TASKS = 5  # a unit with fewer tasks in the month is shown as 样本不足, not ranked (docs/metrics.md)
SAMPLE_TOO_SMALL = "样本不足"


def _volume(row: dict[str, Any]) -> int:
    return int(row["counts"]["assigned"])


def rank_fairly(rows: list[dict[str, Any]], minimum: int = MIN_RANKED_TASKS) -> list[dict[str, Any]]:
    """The ranking rule (docs/metrics.md#ranking-on-the-dashboard): only units with at least `minimum` tasks in
    the month and a composite score are ranked; they are ordered by the score, ties broken by volume (more tasks
    first), then by the response rate; a rank is shared only when score and volume are both equal. The others
    follow, unranked, marked 样本不足, the busiest first."""
    ranked = [r for r in rank(rows) if r["composite"] is not None and _volume(r) >= minimum]
    others = [r for r in rows if r not in ranked]

    def key(r: dict[str, Any]) -> tuple[float, int, float]:
        return (-float(r["composite"]), -_volume(r), -float(r["response_rate"] or 0.0))

    ranked.sort(key=lambda r: (*key(r), r["unit_code"]))
    position, previous = 0, None
    for i, r in enumerate(ranked, start=1):
        if key(r)[:2] != previous:
            position, previous = i, key(r)[:2]
        r["rank"], r["sample"] = position, ""
    others.sort(key=lambda r: (-_volume(r), r["unit_code"]))
    for r in others:
        r["rank"], r["sample"] = None, SAMPLE_TOO_SMALL
    return ranked + others


def ranking(session: Session, month: str, weights: Weights, now: datetime) -> dict[str, Any]:
    """The month's unit metrics (三率, composite, 数字城管 rates), ranked among streets and among departments by
    the dashboard's rule (rank_fairly)."""
    rows = unit_metrics(session, month, weights, now)
    streets = [r for r in rows if r["unit_kind"] == UnitKind.STREET_OFFICE.value]
    departments = [r for r in rows if r["unit_kind"] in DEPARTMENT_KINDS]
    return {
        "month": month,
        "weights": asdict(weights),
        "min_tasks": MIN_RANKED_TASKS,
        "streets": rank_fairly(streets),
        "departments": rank_fairly(departments),
    }


def open_plotted(session: Session, actor: Actor) -> dict[str, int]:
    """Open cases in scope, and how many of them have a point to plot (the rest are placed by address only)."""
    scope = in_scope(scope_of(actor))
    is_open = Case.status.in_(OPEN)
    total = _count(session, scope, is_open)
    plotted = _count(session, scope, is_open, Case.lat.is_not(None), Case.lon.is_not(None))
    return {"open": total, "plotted": plotted, "address_only": total - plotted}


HEAT_CELL = 0.001  # degrees (about 100 m): cases are summed per cell, so the payload stays small at any volume


def heat_points(
    session: Session, actor: Actor, now: datetime, days: int, category: str | None = None
) -> dict[str, Any]:
    """The heat map: cases reported in the last `days` days (today included) in the reader's scope, optionally of
    one category and its sub-categories (code prefix), summed per ~100 m cell: ``points`` = [[lat, lon, n]]
    (WGS-84, the cell's centre)."""
    first = local_midnight(now) - timedelta(days=days - 1)
    where = [in_scope(scope_of(actor)), Case.created_at >= first, Case.lat.is_not(None), Case.lon.is_not(None)]
    if category:
        where.append(Case.category_code.startswith(category, autoescape=True))
    row = func.round(Case.lat / HEAT_CELL)  # round() behaves the same on SQLite and PostgreSQL (floor() may be absent)
    col = func.round(Case.lon / HEAT_CELL)
    rows = session.execute(select(row, col, func.count()).where(*where).group_by(row, col)).all()
    points = [[round(float(r) * HEAT_CELL, 6), round(float(c) * HEAT_CELL, 6), int(n)] for r, c, n in rows]
    return {
        "since": first,
        "days": days,
        "category": category,
        "cases": sum(p[2] for p in points),
        "max": max((p[2] for p in points), default=0),
        "points": points,
    }


def _local_day(session: Session, column: Any) -> Any:
    """The Asia/Shanghai calendar day of a UTC timestamp column, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", column))
    return func.date(column, "+8 hours")  # SQLite keeps naive UTC text; China has no daylight saving


def _as_day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def trend(session: Session, actor: Actor, now: datetime, days: int) -> dict[str, Any]:
    """Cases reported and cases closed per day over the last `days` days (today included)."""
    first = local_midnight(now) - timedelta(days=days - 1)
    scope = in_scope(scope_of(actor))
    series: dict[str, dict[str, int]] = {}
    for name, column in (("reported", Case.created_at), ("closed", Case.closed_at)):
        day = _local_day(session, column)
        stmt = select(day, func.count()).where(scope, column >= first).group_by(day)
        series[name] = {_as_day(d): int(n) for d, n in session.execute(stmt).all()}
    labels = [(first + timedelta(days=i)).date().isoformat() for i in range(days)]
    return {
        "days": labels,
        "reported": [series["reported"].get(d, 0) for d in labels],
        "closed": [series["closed"].get(d, 0) for d in labels],
    }


RECENT_EVENTS = 10_000  # events that may still commit below the newest id (PostgreSQL sequences)


def change_marker(session: Session, now: datetime) -> tuple[int, int, str]:
    """Cheap to read: every change to a case appends an event. The newest id alone could miss an event that
    took its id earlier but committed later, so the count of the most recent ids (an index range) is part of
    it too. The minute is part of it because deadlines pass and days turn without any event."""
    last_event = int(session.scalar(select(func.max(CaseEvent.id))) or 0)
    recent = int(session.scalar(select(func.count()).where(CaseEvent.id > last_event - RECENT_EVENTS)) or 0)
    return last_event, recent, now.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def home_counts(session: Session) -> dict[str, Any]:
    """The front page, for the whole city: cases per status (each status with its label) and the grids per level
    of the active grid version."""
    counts = dict(session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
    version = session.scalars(select(GridVersion).where(GridVersion.active.is_(True))).first()
    levels = dict(
        session.execute(
            select(Grid.level, func.count())
            .where(Grid.version_id == (version.id if version else -1))
            .group_by(Grid.level)
        ).all()
    )
    return {
        "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in CaseStatus],
        "total": sum(counts.values()),
        "levels": levels,
        "version": version.name if version else None,
    }


# -- 督办/回访 (issue 15) -------------------------------------------------------------------------------
def supervised_cases(session: Session, actor: Actor, now: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """挂牌督办: the open 督办 within the reader's scope, the nearest deadline first (the overdue ones lead)."""
    stmt = (
        select(CaseSupervision, Case.tracking_code, Case.title, Case.status, Unit.name)
        .join(Case, Case.id == CaseSupervision.case_id)
        .join(Unit, Unit.id == CaseSupervision.unit_id)
        .where(CaseSupervision.status == "open", in_scope(scope_of(actor)))
        .order_by(CaseSupervision.due_at, CaseSupervision.id)
        .limit(limit)
    )
    return [
        {
            "id": s.id,
            "case_id": s.case_id,
            "tracking_code": code,
            "title": title,
            "status_label": CaseStatus(status).label,
            "unit_name": unit_name,
            "note": s.note,
            "issued_at": s.issued_at,
            "due_at": s.due_at,
            "overdue": s.due_at < now,
            "escalation_level": s.escalation_level,
        }
        for s, code, title, status, unit_name in session.execute(stmt)
    ]


def supervision_board(session: Session, actor: Actor, now: datetime, month: str) -> dict[str, Any]:
    """The dashboard's 挂牌督办 card: the open 督办, and the month's 督办件数, 督办按期回复率, 回访 figures and the
    hotline's 直接办结率 / 知识库直办率 (knowledge.queries.direct_rates over the month's hotline cases)."""
    start, end = month_bounds(month)
    counts = supervision_counts(session, month, now)
    callbacks = CallbackCounts(**callback_counts(session, start, end))
    return {
        "month": month,
        "items": supervised_cases(session, actor, now),
        "supervised": counts.issued,
        **asdict(counts),
        **supervision_rates(counts),
        "callbacks": asdict(callbacks),
        **callback_rates(callbacks),
        "hotline": direct_rates(session, start, end),
    }
