"""Per-unit monthly counts, aggregated in SQL over tasks assigned in the month (Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from gridgov.cases.domain import CaseStatus, Satisfaction, TaskRole, TaskStatus
from gridgov.cases.models import Case, CaseSupervision, CaseTask
from gridgov.clock import SHANGHAI
from gridgov.errors import ValidationFailed
from gridgov.metrics.domain import SupervisionCounts, UnitCounts, Weights, rank, rates
from gridgov.units.models import Unit


def month_bounds(month: str) -> tuple[datetime, datetime]:
    try:
        year, mon = (int(p) for p in month.split("-"))
        if not 1900 <= year <= 9000:
            raise ValueError(year)
        start = datetime(year, mon, 1, tzinfo=SHANGHAI)
        end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=SHANGHAI)
    except (ValueError, TypeError):
        raise ValidationFailed("月份格式须为 YYYY-MM (1900–9000 年)", field="month") from None
    return start, end


def _count(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def unit_metrics(
    session: Session, month: str, weights: Weights, now: datetime, unit_kind: str | None = None
) -> list[dict[str, Any]]:
    """Counts per unit over the tasks assigned in `month`. Evaluations and closes are read from the task that
    did the work (a reopened case's first verdict stays with the first task), and a summoned department that
    never reported counts as late once its 报到 deadline has passed (`now`)."""
    start, end = month_bounds(month)
    t = CaseTask
    # cases on hold are few: a semi-join on them, not a join of every task of the month to its case
    suspended = select(Case.id).where(Case.status == CaseStatus.SUSPENDED.value).scalar_subquery()
    live = t.status != TaskStatus.CANCELLED.value
    whistle = t.role == TaskRole.WHISTLE.value
    counted = live | whistle  # a withdrawn summons still counts against the department that did not come
    no_show = t.responded_at.is_(None) & (t.response_due_at < now)
    late = t.response_late.is_(True) | no_show
    primary = and_(live, t.role == TaskRole.PRIMARY.value)
    worked = and_(primary, t.status != TaskStatus.RETURNED.value)
    closed = t.closed_at.is_not(None)
    evaluated = t.satisfaction.is_not(None)
    stmt = (
        select(
            t.unit_id,
            _count(counted).label("assigned"),
            _count(counted & t.response_late.is_(False)).label("responded_on_time"),
            _count(counted & late).label("responded_late"),
            _count(primary).label("dispatched"),
            _count(worked).label("should_close"),
            _count(worked & t.case_id.in_(suspended)).label("deferred"),
            _count(worked & closed).label("closed"),
            _count(worked & closed & (t.handled_at <= t.handle_due_at)).label("closed_on_time"),
            _count(live & t.handled_at.is_not(None)).label("handled"),
            func.coalesce(func.sum(case((live, t.rework_count), else_=0)), 0).label("reworks"),
            _count(live & t.postponed.is_(True)).label("postponed"),
            _count(worked & evaluated).label("evaluated"),
            _count(worked & evaluated & t.resolved.is_(True)).label("resolved"),
            _count(worked & t.satisfaction.in_([Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value])).label(
                "satisfied"
            ),
            _count(whistle).label("summoned"),
            _count(whistle & late).label("summoned_late"),
            func.coalesce(func.sum(t.rating), 0).label("rating_sum"),
            _count(t.rating.is_not(None)).label("rated"),
        )
        .where(t.assigned_at >= start, t.assigned_at < end)
        .group_by(t.unit_id)
    )
    rows = session.execute(stmt).mappings().all()
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_([r["unit_id"] for r in rows])))}
    out: list[dict[str, Any]] = []
    for r in rows:
        unit = units[r["unit_id"]]
        if unit_kind and unit.kind != unit_kind:
            continue
        counts = UnitCounts(**{k: int(v) for k, v in r.items() if k != "unit_id"})
        out.append(
            {
                "unit_code": unit.code,
                "unit_name": unit.name,
                "unit_kind": unit.kind,
                "counts": _asdict(counts),
                **rates(counts, weights),
            }
        )
    return rank(out)


def _asdict(counts: UnitCounts) -> dict[str, int]:
    return {f: getattr(counts, f) for f in counts.__dataclass_fields__}


# -- 督办 (issue 15) ------------------------------------------------------------------------------------
def supervision_counts(session: Session, month: str, now: datetime) -> SupervisionCounts:
    """督办 issued in `month`: how many, and how they were answered (metrics.domain.supervision_rates)."""
    start, end = month_bounds(month)
    s = CaseSupervision
    replied = s.replied_at.is_not(None)
    overdue = s.replied_at.is_(None) & (((s.status == "open") & (s.due_at < now)) | (s.escalation_level > 0))
    row = session.execute(
        select(
            func.count(),
            _count(replied & s.on_time.is_(True)),
            _count(replied & s.on_time.is_(False)),
            _count(overdue),
        ).where(s.issued_at >= start, s.issued_at < end)
    ).one()
    return SupervisionCounts(*(int(v) for v in row))
