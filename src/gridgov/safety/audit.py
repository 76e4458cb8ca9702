"""Checking the safety record: each place's, hazard's and plan run's hash chain (gridgov.audit.domain.verify_chain,
the subject's code where a case has its tracking code) and its place in the city's log: every event is a leaf of
its stream with the same hash, and every such leaf has its event. The log's tree itself (leaf hashes, root, signed
head, checkpoints) is checked by `gridgov audit verify`, which covers every stream's leaves; `gridgov audit
verify` also runs this check (the safety streams are registered with it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.audit.sql import audit_log
from gridgov.safety.events import HAZARD_STREAM, PLACE_STREAM, PLAN_STREAM, STREAMS
from gridgov.safety.models import SafetyEvent, SafetyHazard, SafetyPlace, SafetyPlanRun

EVENT_FIELDS = (
    "id", "seq", "event_type", "tag", "action", "from_status", "to_status", "actor_id", "actor_role", "unit_id",
    "occurred_at", "payload", "prev_hash", "hash",
)  # fmt: skip
SUBJECTS: dict[str, Any] = {PLACE_STREAM: SafetyPlace, HAZARD_STREAM: SafetyHazard, PLAN_STREAM: SafetyPlanRun}
NAMES = {PLACE_STREAM: "场所", HAZARD_STREAM: "隐患", PLAN_STREAM: "检查计划"}


@dataclass
class SafetyAudit:
    subjects: int = 0
    events: int = 0
    leaves: int = 0
    problems: list[tuple[str, ChainProblem]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_safety(session: Session, stop_after: int = 100) -> SafetyAudit:
    report = SafetyAudit()

    def problem(stream: str, p: ChainProblem) -> None:
        if len(report.problems) < stop_after:
            report.problems.append((stream, p))

    for stream in STREAMS:
        model = SUBJECTS[stream]
        leaves: dict[tuple[int, int], str] = {
            (int(s), int(q)): h
            for s, q, h in session.execute(
                select(audit_log.c.subject_id, audit_log.c.seq, audit_log.c.event_hash).where(
                    audit_log.c.stream == stream
                )
            )
        }
        report.leaves += len(leaves)
        heads = {
            sid: (code, n, h)
            for sid, code, n, h in session.execute(
                select(model.id, model.code, model.event_count, model.last_event_hash)
            )
        }
        report.subjects += len(heads)
        columns = [getattr(SafetyEvent, f) for f in EVENT_FIELDS]
        events: dict[int, list[dict[str, object]]] = {}
        stmt = (
            select(SafetyEvent.subject_id, *columns)
            .where(SafetyEvent.stream == stream)
            .order_by(SafetyEvent.subject_id, SafetyEvent.seq)
        )
        for row in session.execute(stmt.execution_options(yield_per=5000)).mappings():
            events.setdefault(int(row["subject_id"]), []).append(dict(row))
        for sid, (code, count, head) in sorted(heads.items()):
            chain = events.pop(sid, [])
            report.events += len(chain)
            found = verify_chain(sid, code, chain, count, head)
            if found is not None:
                problem(stream, found)
            for ev in chain:
                seq = int(ev["seq"])  # type: ignore[call-overload]
                eid = int(ev["id"])  # type: ignore[call-overload]
                if (sid, seq) not in leaves:
                    problem(stream, ChainProblem(sid, eid, seq, "事件不在全市日志中 (事件是绕过系统写入的)"))
                elif leaves.pop((sid, seq)) != ev["hash"]:
                    problem(stream, ChainProblem(sid, eid, seq, "事件哈希与全市日志不符 (事件链被重写)"))
        for sid, chain in events.items():
            problem(stream, ChainProblem(sid, None, len(chain), f"{NAMES[stream]}已不存在, 其事件仍在 (被删除)"))
        for (sid, seq), _ in sorted(leaves.items()):
            what = "事件已不存在" if sid in heads else f"{NAMES[stream]}已不存在"
            problem(stream, ChainProblem(sid, None, seq, f"全市日志记录着该事件, {what} (被删除)"))
    return report


def problem_lines(session: Session) -> list[str]:
    """The problems as `gridgov audit verify` prints them."""
    report = verify_safety(session)
    return [
        f"{NAMES[stream]} {p.case_id} 第 {p.seq} 个事件"
        f" ({f'事件 id={p.event_id}' if p.event_id is not None else '链尾'}): {p.problem}"
        for stream, p in report.problems
    ]
