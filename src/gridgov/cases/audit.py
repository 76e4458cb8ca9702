"""Verifying the cases' event chains (`gridgov audit verify`, the case page): walk each case's chain of events
with the pure primitives in gridgov.audit.domain and report the first break."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.cases.models import Case, CaseEvent


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


EVENT_COLUMNS = (
    CaseEvent.id,
    CaseEvent.case_id,
    CaseEvent.seq,
    CaseEvent.tag,
    CaseEvent.event_type,
    CaseEvent.action,
    CaseEvent.from_status,
    CaseEvent.to_status,
    CaseEvent.actor_id,
    CaseEvent.actor_role,
    CaseEvent.unit_id,
    CaseEvent.occurred_at,
    CaseEvent.payload,
    CaseEvent.prev_hash,
    CaseEvent.hash,
)


def verify_case(session: Session, case_id: int) -> ChainProblem | None:
    """One case's chain (for its page)."""
    head = session.execute(
        select(Case.tracking_code, Case.event_count, Case.last_event_hash).where(Case.id == case_id)
    ).first()
    if head is None:
        return None
    rows = session.execute(select(*EVENT_COLUMNS).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq))
    return verify_chain(case_id, head[0], [dict(r) for r in rows.mappings()], head[1], head[2])


def verify_all(session: Session, stop_after: int = 100) -> AuditReport:
    report = AuditReport()
    heads = select(Case.id, Case.tracking_code, Case.event_count, Case.last_event_hash).order_by(Case.id)
    events = select(*EVENT_COLUMNS).order_by(CaseEvent.case_id, CaseEvent.seq).execution_options(yield_per=5000)
    ev_iter = iter(session.execute(events).mappings())
    pending: list[Any] = [next(ev_iter, None)]

    def events_of(case_id: int) -> Iterator[Any]:
        while pending[0] is not None and pending[0]["case_id"] < case_id:
            # events whose case row is gone
            report.problems.append(
                ChainProblem(pending[0]["case_id"], pending[0]["id"], pending[0]["seq"], "事件所属案件不存在")
            )
            pending[0] = next(ev_iter, None)
        while pending[0] is not None and pending[0]["case_id"] == case_id:
            report.events += 1
            yield pending[0]
            pending[0] = next(ev_iter, None)

    for case_id, ref, count, head in session.execute(heads.execution_options(yield_per=5000)):
        report.cases += 1
        evs = list(events_of(case_id))
        problem = verify_chain(case_id, ref, evs, count, head)
        if problem is not None:
            report.problems.append(problem)
            if len(report.problems) >= stop_after:
                break
    return report
