"""Checking the knowledge base's record: each article's hash chain (gridgov.audit.domain.verify_chain, the
article's code where a case has its tracking code) and its place in the city's log: every event is a leaf of
stream `knowledge` with the same hash, and every such leaf has its event. The log's tree itself is checked by
`gridgov audit verify`, which covers every stream's leaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.audit.sql import audit_log
from gridgov.knowledge.events import STREAM
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent

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
class KnowledgeAudit:
    articles: int = 0
    events: int = 0
    leaves: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_knowledge(session: Session) -> KnowledgeAudit:
    report = KnowledgeAudit()
    leaves = {
        (int(s), int(q)): h
        for s, q, h in session.execute(
            select(audit_log.c.subject_id, audit_log.c.seq, audit_log.c.event_hash).where(audit_log.c.stream == STREAM)
        )
    }
    report.leaves = len(leaves)
    heads = {
        aid: (code, n, h)
        for aid, code, n, h in session.execute(
            select(
                KnowledgeArticle.id,
                KnowledgeArticle.code,
                KnowledgeArticle.event_count,
                KnowledgeArticle.last_event_hash,
            )
        )
    }
    report.articles = len(heads)
    columns = [getattr(KnowledgeEvent, f) for f in EVENT_FIELDS]
    events: dict[int, list[dict[str, object]]] = {}
    stmt = select(KnowledgeEvent.article_id, *columns).order_by(KnowledgeEvent.article_id, KnowledgeEvent.seq)
    for row in session.execute(stmt).mappings():
        events.setdefault(int(row["article_id"]), []).append(dict(row))
    for aid, (code, count, head) in sorted(heads.items()):
        chain = events.pop(aid, [])
        report.events += len(chain)
        found = verify_chain(aid, code, chain, count, head)
        if found is not None:
            report.problems.append(found)
        for ev in chain:
            seq, event_id = int(str(ev["seq"])), int(str(ev["id"]))
            key = (aid, seq)
            if key not in leaves:
                report.problems.append(ChainProblem(aid, event_id, seq, "事件不在全市日志中 (事件是绕过系统写入的)"))
            elif leaves.pop(key) != ev["hash"]:
                report.problems.append(ChainProblem(aid, event_id, seq, "事件哈希与全市日志不符 (事件链被重写)"))
    for aid, chain in events.items():
        report.problems.append(ChainProblem(aid, None, len(chain), "条目已不存在, 其事件仍在 (条目被删除)"))
    for (aid, seq), _ in sorted(leaves.items()):
        report.problems.append(ChainProblem(aid, None, seq, "全市日志记录着该事件, 事件已不存在 (事件被删除)"))
    return report
