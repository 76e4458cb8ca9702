"""Checking the proposals' record: each item's hash chain (gridgov.audit.domain.verify_chain, the item's batch and
number where a case has its tracking code) and its place in the city's log: every event is a leaf of stream `proposal`
with the same hash, and every such leaf has its event. The log's tree itself (leaf hashes, root, signed head,
checkpoints) is checked by `gridgov audit verify`, which covers every stream's leaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.audit.sql import audit_log
from gridgov.proposals.events import STREAM
from gridgov.proposals.models import Proposal, ProposalEvent

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
class ProposalAudit:
    proposals: int = 0
    events: int = 0
    leaves: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_proposals(session: Session, stop_after: int = 100) -> ProposalAudit:
    report = ProposalAudit()
    leaves: dict[tuple[int, int], str] = {
        (int(s), int(q)): h
        for s, q, h in session.execute(
            select(audit_log.c.subject_id, audit_log.c.seq, audit_log.c.event_hash).where(audit_log.c.stream == STREAM)
        )
    }
    report.leaves = len(leaves)
    heads = {
        pid: (f"{batch}-{number}", n, h)
        for pid, batch, number, n, h in session.execute(
            select(Proposal.id, Proposal.batch_id, Proposal.number, Proposal.event_count, Proposal.last_event_hash)
        )
    }
    report.proposals = len(heads)
    columns = [getattr(ProposalEvent, f) for f in EVENT_FIELDS]
    events: dict[int, list[dict[str, object]]] = {}
    stmt = select(ProposalEvent.proposal_id, *columns).order_by(ProposalEvent.proposal_id, ProposalEvent.seq)
    for row in session.execute(stmt.execution_options(yield_per=5000)).mappings():
        events.setdefault(int(row["proposal_id"]), []).append(dict(row))

    def problem(p: ChainProblem) -> None:
        if len(report.problems) < stop_after:
            report.problems.append(p)

    for pid, (code, count, head) in sorted(heads.items()):
        chain = events.pop(pid, [])
        report.events += len(chain)
        found = verify_chain(pid, code, chain, count, head)
        if found is not None:
            problem(found)
        for ev in chain:
            key = (pid, int(ev["seq"]))  # type: ignore[call-overload]
            if key not in leaves:
                problem(ChainProblem(pid, int(ev["id"]), key[1], "事件不在全市日志中 (事件是绕过系统写入的)"))  # type: ignore[call-overload]
            elif leaves.pop(key) != ev["hash"]:
                problem(ChainProblem(pid, int(ev["id"]), key[1], "事件哈希与全市日志不符 (事件链被重写)"))  # type: ignore[call-overload]
    for pid, chain in events.items():
        problem(ChainProblem(pid, None, len(chain), "建议提案已不存在, 其事件仍在 (建议提案被删除)"))
    for (pid, seq), _ in sorted(leaves.items()):
        if pid in heads:
            problem(ChainProblem(pid, None, seq, "全市日志记录着该事件, 事件已不存在 (事件被删除)"))
        else:
            problem(ChainProblem(pid, None, seq, "全市日志记录着该建议提案的事件, 建议提案已不存在 (建议提案被删除)"))
    return report
