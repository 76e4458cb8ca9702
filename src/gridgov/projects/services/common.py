"""What every project use case shares: the project looked up and guarded, its facts, the record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.errors import Conflict
from gridgov.projects import events
from gridgov.projects.domain import Action, ProjectNotFound, ProjectStatus
from gridgov.projects.guards import GUARDS, ProjectFacts
from gridgov.projects.models import Project
from gridgov.projects.ports import ProjectsUnitOfWork


def facts_of(project: Project) -> ProjectFacts:
    return ProjectFacts(
        project_id=project.id,
        status=ProjectStatus(project.status),
        signed_phase=project.signed_phase,
        started_phase=project.started_phase,
        producing_phase=project.producing_phase,
    )


def guarded(
    uow: ProjectsUnitOfWork, project_id: int, action: Action, actor: Actor, expected_version: int | None = None
) -> Project:
    """The project, once the action's guard allows it (in a transaction the caller holds)."""
    project = uow.projects.get(project_id)
    if project is None:
        raise ProjectNotFound(f"项目不存在: {project_id}")
    if expected_version is not None and project.version != expected_version:
        raise Conflict("项目已被他人修改，请刷新后重试", expected=expected_version, actual=project.version)
    refused = GUARDS[action](facts_of(project), actor)
    if refused is not None:
        raise refused
    return project


def record(
    uow: ProjectsUnitOfWork,
    project: Project,
    action: Action,
    actor: Actor,
    before: ProjectStatus,
    now: datetime,
    payload: Mapping[str, Any],
) -> int:
    """Append the action's event to the project's record; returns its sequence number."""
    event = events.record(project, action, actor, before, ProjectStatus(project.status), now, payload)
    uow.projects.add_event(event)
    return event.seq
