"""Checking the admin record: each subject's hash chain (gridgov.audit.domain.verify_chain, `kind:ref` where a
case has its tracking code) and its place in the city's log: every event is a leaf of stream `admin` with the
same hash, and every such leaf has its event. The log's tree itself is checked by `gridgov audit verify`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.admin.events import STREAM
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.audit.sql import audit_log

EVENT_FIELDS = (
    "id",
    "seq",
    "event_type",
    "tag",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "unit_id",
    "occurred_at",
    "payload",
    "prev_hash",
    "hash",
)


@dataclass
class AdminAudit:
    subjects: int = 0
    events: int = 0
    leaves: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_admin(session: Session, stop_after: int = 100) -> AdminAudit:
    report = AdminAudit()
    stmt_leaves = select(audit_log.c.subject_id, audit_log.c.seq, audit_log.c.event_hash)
    leaves = {(int(s), int(q)): h for s, q, h in session.execute(stmt_leaves.where(audit_log.c.stream == STREAM))}
    report.leaves = len(leaves)
    heads = {
        sid: (f"{kind}:{ref}", n, h)
        for sid, kind, ref, n, h in session.execute(
            select(
                AdminSubject.id,
                AdminSubject.kind,
                AdminSubject.ref,
                AdminSubject.event_count,
                AdminSubject.last_event_hash,
            )
        )
    }
    report.subjects = len(heads)
    columns = [getattr(AdminEvent, f) for f in EVENT_FIELDS]
    events: dict[int, list[dict[str, object]]] = {}
    for row in session.execute(
        select(AdminEvent.subject_id, *columns).order_by(AdminEvent.subject_id, AdminEvent.seq)
    ).mappings():
        events.setdefault(int(row["subject_id"]), []).append(dict(row))

    def problem(p: ChainProblem) -> None:
        if len(report.problems) < stop_after:
            report.problems.append(p)

    for sid, (ref, count, head) in sorted(heads.items()):
        chain = events.pop(sid, [])
        report.events += len(chain)
        found = verify_chain(sid, ref, chain, count, head)
        if found is not None:
            problem(found)
        for ev in chain:
            seq, event_id = int(str(ev["seq"])), int(str(ev["id"]))
            hit = leaves.pop((sid, seq), None)
            if hit is None:
                problem(ChainProblem(sid, event_id, seq, "事件不在全市日志中 (事件是绕过系统写入的)"))
            elif hit != ev["hash"]:
                problem(ChainProblem(sid, event_id, seq, "事件哈希与全市日志不符 (事件链被重写)"))
    for sid, chain in events.items():
        problem(ChainProblem(sid, None, len(chain), "管理对象已不存在, 其事件仍在 (对象被删除)"))
    for sid, seq in sorted(leaves):
        problem(ChainProblem(sid, None, seq, "全市日志记录着该事件, 事件已不存在 (事件被删除)"))
    return report
