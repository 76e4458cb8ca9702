"""Read-only selects: an indicator's record and the check of every subject's hash chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem
from gridgov.indicators.events import verify
from gridgov.indicators.models import Indicator, IndicatorEvent, RankingScheme

EVENT_COLUMNS = (
    IndicatorEvent.id,
    IndicatorEvent.subject,
    IndicatorEvent.seq,
    IndicatorEvent.event_type,
    IndicatorEvent.tag,
    IndicatorEvent.action,
    IndicatorEvent.actor_id,
    IndicatorEvent.actor_role,
    IndicatorEvent.unit_id,
    IndicatorEvent.occurred_at,
    IndicatorEvent.payload,
    IndicatorEvent.prev_hash,
    IndicatorEvent.hash,
)


@dataclass
class ChainReport:
    subjects: int = 0
    events: int = 0
    problems: list[tuple[str, ChainProblem]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _heads(session: Session) -> list[tuple[int, str, int, str]]:
    rows: list[tuple[int, str, int, str]] = []
    for model, kind in ((Indicator, "indicator"), (RankingScheme, "scheme")):
        for row in session.execute(select(model.id, model.code, model.event_count, model.last_event_hash)):
            rows.append((row[0], f"{kind}:{row[1]}", row[2], row[3]))
    return rows


def events_of(session: Session, subject: str) -> list[dict[str, Any]]:
    stmt = select(*EVENT_COLUMNS).where(IndicatorEvent.subject == subject).order_by(IndicatorEvent.seq)
    return [dict(r) for r in session.execute(stmt).mappings()]


def verify_all(session: Session) -> ChainReport:
    """Walk every indicator's and scheme's chain; events whose subject is gone are problems too."""
    report = ChainReport()
    heads = _heads(session)
    known = {subject for _, subject, _, _ in heads}
    for subject_id, subject, count, head in heads:
        events = events_of(session, subject)
        report.subjects += 1
        report.events += len(events)
        problem = verify(subject_id, subject, events, count, head)
        if problem is not None:
            report.problems.append((subject, problem))
    orphans = session.execute(select(IndicatorEvent.subject, IndicatorEvent.id, IndicatorEvent.seq)).all()
    for subject, event_id, seq in orphans:
        if subject not in known:
            report.problems.append((subject, ChainProblem(0, event_id, seq, "事件所属指标不存在")))
    return report
