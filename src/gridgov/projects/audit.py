"""Checking the projects' record: each project's hash chain (gridgov.audit.domain.verify_chain, the project's code
where a case has its tracking code) and its place in the city's log: every event is a leaf of stream `project`
with the same hash, and every such leaf has its event (gridgov.audit.sql.verify_stream). The log's tree itself
(leaf hashes, root, signed head, checkpoints) is checked by `gridgov audit verify`, which covers every stream's
leaves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.sql import EVENT_FIELDS, StreamAudit, verify_stream
from gridgov.projects.events import STREAM
from gridgov.projects.models import Project, ProjectEvent


def verify_projects(session: Session, stop_after: int = 100) -> StreamAudit:
    heads = {
        pid: (code, n, h)
        for pid, code, n, h in session.execute(
            select(Project.id, Project.code, Project.event_count, Project.last_event_hash)
        )
    }
    columns = [getattr(ProjectEvent, f) for f in EVENT_FIELDS]
    events = select(ProjectEvent.project_id.label("subject_id"), *columns).order_by(
        ProjectEvent.project_id, ProjectEvent.seq
    )
    return verify_stream(session, STREAM, heads, events, "项目", stop_after)
