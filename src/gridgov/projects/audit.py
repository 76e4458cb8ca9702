"""Checking the projects' record: each project's hash chain (gridgov.audit.domain.verify_chain, the project's code
where a case has its tracking code) and its place in the city's log: every event is a leaf of stream `project`
with the same hash, and every such leaf has its event. The log's tree itself (leaf hashes, root, signed head,
checkpoints) is checked by `gridgov audit verify`, which covers every stream's leaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.domain import ChainProblem, verify_chain
from gridgov.audit.sql import audit_log
from gridgov.projects.events import STREAM
from gridgov.projects.models import Project, ProjectEvent

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
class ProjectAudit:
    projects: int = 0
    events: int = 0
    leaves: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_projects(session: Session, stop_after: int = 100) -> ProjectAudit:
    report = ProjectAudit()
    leaves: dict[tuple[int, int], str] = {
        (int(s), int(q)): h
        for s, q, h in session.execute(
            select(audit_log.c.subject_id, audit_log.c.seq, audit_log.c.event_hash).where(audit_log.c.stream == STREAM)
        )
    }
    report.leaves = len(leaves)
    heads = {
        pid: (code, n, h)
        for pid, code, n, h in session.execute(
            select(Project.id, Project.code, Project.event_count, Project.last_event_hash)
        )
    }
    report.projects = len(heads)
    columns = [getattr(ProjectEvent, f) for f in EVENT_FIELDS]
    events: dict[int, list[dict[str, object]]] = {}
    stmt = select(ProjectEvent.project_id, *columns).order_by(ProjectEvent.project_id, ProjectEvent.seq)
    for row in session.execute(stmt.execution_options(yield_per=5000)).mappings():
        events.setdefault(int(row["project_id"]), []).append(dict(row))

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
        problem(ChainProblem(pid, None, len(chain), "项目已不存在, 其事件仍在 (项目被删除)"))
    for (pid, seq), _ in sorted(leaves.items()):
        if pid in heads:
            problem(ChainProblem(pid, None, seq, "全市日志记录着该事件, 事件已不存在 (事件被删除)"))
        else:
            problem(ChainProblem(pid, None, seq, "全市日志记录着该项目的事件, 项目已不存在 (项目被删除)"))
    return report
