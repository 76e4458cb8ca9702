"""Per-unit monthly counts, aggregated in SQL over tasks assigned in the month (Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from gridgov.cases.domain import AppealKind, CaseStatus, Exclusion, Satisfaction, TaskRole, TaskStatus
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
    # 转办 (issue 17): a transferred case is handled elsewhere; its tasks leave every local count (docs/metrics.md)
    transferred = select(Case.id).where(Case.status == CaseStatus.TRANSFERRED.value).scalar_subquery()
    live = t.status != TaskStatus.CANCELLED.value
    whistle = t.role == TaskRole.WHISTLE.value
    # 12345 operations (issue 17): an upheld appeal takes the task out of the rates it names (docs/metrics.md)
    excl = func.coalesce(t.appeal_excludes, "")
    kept = (excl != Exclusion.ALL.value) & t.case_id.not_in(transferred)
    judged = excl == ""  # neither its verdict nor its outcome was excluded
    counted = (live | whistle) & kept  # a withdrawn summons still counts against the department that did not come
    no_show = t.responded_at.is_(None) & (t.response_due_at < now)
    late = t.response_late.is_(True) | no_show
    primary = and_(live, kept, t.role == TaskRole.PRIMARY.value)
    worked = and_(primary, t.status != TaskStatus.RETURNED.value, excl != Exclusion.OUTCOME.value)
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
            _count(live & kept & t.handled_at.is_not(None)).label("handled"),
            func.coalesce(func.sum(case((live & kept, t.rework_count), else_=0)), 0).label("reworks"),
            _count(live & kept & t.postponed.is_(True)).label("postponed"),
            _count(worked & judged & evaluated).label("evaluated"),
            _count(worked & judged & evaluated & t.resolved.is_(True)).label("resolved"),
            _count(
                worked & judged & t.satisfaction.in_([Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value])
            ).label("satisfied"),
            _count(whistle & kept).label("summoned"),
            _count(whistle & kept & late).label("summoned_late"),
            func.coalesce(func.sum(t.rating), 0).label("rating_sum"),
            _count(t.rating.is_not(None)).label("rated"),
            _count(t.appeal_status.is_not(None)).label("appeals"),
            _count(t.appeal_status.in_(["upheld", "refused"])).label("appeals_decided"),
            _count(t.appeal_status == "upheld").label("appeals_upheld"),
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


# -- 12345 operations (issue 17): the appeals list the leaders read ---------------------------------------------
def appeals(session: Session, status: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Every unit's appeals (申诉/甄别), the pending ones by their deadline first."""
    t = CaseTask
    stmt = (
        select(t, Case.tracking_code, Case.title, Unit.code, Unit.name)
        .join(Case, Case.id == t.case_id)
        .join(Unit, Unit.id == t.unit_id)
        .where(t.appeal_status.is_not(None))
    )
    if status:
        stmt = stmt.where(t.appeal_status == status)
    stmt = stmt.order_by(t.appeal_status != "pending", t.appeal_due_at, t.id).limit(limit)
    out = []
    for task, code, title, unit_code, unit_name in session.execute(stmt):
        kind = AppealKind(task.appeal_kind) if task.appeal_kind else None
        out.append(
            {
                "case_id": task.case_id,
                "tracking_code": code,
                "title": title,
                "unit_code": unit_code,
                "unit_name": unit_name,
                "appeal_kind": task.appeal_kind,
                "appeal_label": kind.label if kind else None,
                "status": task.appeal_status,
                "reason": task.appeal_reason,
                "evidence": list(task.appeal_evidence or []),
                "appealed_at": task.appealed_at.isoformat() if task.appealed_at else None,
                "due_at": task.appeal_due_at.isoformat() if task.appeal_due_at else None,
                "decided_at": task.appeal_decided_at.isoformat() if task.appeal_decided_at else None,
                "decision": task.appeal_decision,
                "excludes": task.appeal_excludes,
            }
        )
    return out


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
