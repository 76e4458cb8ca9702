"""A stage action (履约, 开工, 投产, 达效): the guard decides, the phase-list rules and the dates are checked, the
evidence the stage needs must be there, then the status moves through the table and the record grows."""

from __future__ import annotations

from datetime import date, datetime

from gridgov.actor import Actor
from gridgov.clock import SHANGHAI
from gridgov.errors import ValidationFailed
from gridgov.logging import get_logger
from gridgov.projects.commands import Produce, StageCommand, Start, action_of
from gridgov.projects.domain import (
    LIST_OF,
    STAGE_DATE,
    WRITERS,
    Action,
    EvidenceKind,
    EvidenceRefused,
    NotPermitted,
    PhaseListRefused,
    PhaseNotFound,
    ProjectStatus,
    missing_evidence,
    next_status,
    phase_entry_refusal,
    phase_name,
    refuse,
    stage_date_refusal,
)
from gridgov.projects.models import Project, ProjectEvidence
from gridgov.projects.ports import ProjectsUnitOfWork
from gridgov.projects.rules import Rules, shipped_rules
from gridgov.projects.services.common import guarded, record

log = get_logger(__name__)

# the date of the stage before each stage action
PREVIOUS_DATE = {
    Action.HONOUR: "signed_on",
    Action.START: "honoured_on",
    Action.PRODUCE: "started_on",
    Action.REACH: "producing_on",
}
# the list each phased action comes from (the phase column it reads) and puts the project on (the column it sets)
FROM_PHASE = {Action.START: "signed_phase", Action.PRODUCE: "started_phase"}
TO_PHASE = {Action.START: "started_phase", Action.PRODUCE: "producing_phase"}


def _evidence(
    uow: ProjectsUnitOfWork, project: Project, act: Action, ids: tuple[int, ...], rules: Rules
) -> list[ProjectEvidence]:
    items = list(uow.projects.evidence(project.id, ids))
    found = {e.id for e in items}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise EvidenceRefused(f"佐证材料不存在: {', '.join(map(str, unknown))}", field="evidence")
    for e in items:
        if e.stage != act.value:
            raise EvidenceRefused(
                f"佐证材料 {e.id} 是为「{Action(e.stage).label}」上传的，不能用于「{act.label}」", field="evidence"
            )
        if e.used_in_seq is not None:
            raise EvidenceRefused(f"佐证材料 {e.id} 已用于该项目的第 {e.used_in_seq} 条记录", field="evidence")
    missing = missing_evidence(rules.evidence_required.get(act, ()), [e.kind for e in items])
    if missing:
        names = "、".join(EvidenceKind(k).label for k in missing)
        raise EvidenceRefused(f"「{act.label}」须附{names}", field="evidence", missing=missing)
    return items


def apply_stage(
    uow: ProjectsUnitOfWork,
    project_id: int,
    command: StageCommand,
    actor: Actor,
    now: datetime,
    rules: Rules | None = None,
    expected_version: int | None = None,
) -> int:
    """Apply one stage action. Returns the project's new version. Refusals, in order: the role (403), no such
    project (404), a stale version (409 conflict), the state (409 invalid_transition), then the phase (404
    phase_not_found, 422 phase_list_refused), the date (422) and the evidence (422 evidence_refused)."""
    rules = rules or shipped_rules()
    act = action_of(command)
    if actor.role not in WRITERS:
        raise NotPermitted(f"角色「{actor.role.label}」不能执行「{act.label}」")
    with uow:
        project = guarded(uow, project_id, act, actor, expected_version)
        before = ProjectStatus(project.status)
        held_on: date | None = None
        payload: dict[str, object] = {"on": command.on.isoformat(), "note": command.note}
        if isinstance(command, Start | Produce):
            phase = uow.projects.phase(command.phase)
            if phase is None:
                raise PhaseNotFound(f"期次不存在: {phase_name(command.phase)}")
            refuse(
                phase_entry_refusal(LIST_OF[act], command.phase, getattr(project, FROM_PHASE[act])),
                PhaseListRefused,
                field="phase",
            )
            held_on = phase.held_on
            payload["phase"] = command.phase
        today = now.astimezone(SHANGHAI).date()
        refuse(
            stage_date_refusal(act, command.on, getattr(project, PREVIOUS_DATE[act]), held_on, today),
            ValidationFailed,
            field="on",
        )
        items = _evidence(uow, project, act, command.evidence, rules)
        project.status = next_status(before, act).value
        setattr(project, STAGE_DATE[act], command.on)
        if act in TO_PHASE and isinstance(command, Start | Produce):
            setattr(project, TO_PHASE[act], command.phase)
        payload["evidence"] = [{"id": e.id, "kind": e.kind, "sha256": e.sha256} for e in items]
        seq = record(uow, project, act, actor, before, now, payload)
        for e in items:
            e.used_in_seq = seq
        uow.commit()
        log.info("project_stage", project_id=project_id, action=act.value, status=project.status)
        return project.version
