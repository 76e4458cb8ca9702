"""Use cases of 三个一批, split by job. Each one owns its transaction: `with uow: ...; uow.commit()`.

- intake: a project signed (sign_project), a whole list imported (import_projects)
- stages: 履约, 开工, 投产, 达效 (apply_stage)
- evidence: documents and on-site photos (add_evidence)
- blockers: a blocker sent through the case loop (report_blocker)
- changes: investment completed, corrections, the yearly list adjustment, new phases
"""

from gridgov.projects.commands import StageCommand, build_command
from gridgov.projects.services.blockers import BlockerReported, report_blocker
from gridgov.projects.services.changes import (
    ListChange,
    add_phase,
    adjust_lists,
    amend_project,
    report_investment,
)
from gridgov.projects.services.evidence import EvidenceUpload, add_evidence
from gridgov.projects.services.intake import Problem, ProjectDraft, Signed, import_projects, sign_project
from gridgov.projects.services.stages import apply_stage

__all__ = [
    "BlockerReported",
    "EvidenceUpload",
    "ListChange",
    "Problem",
    "ProjectDraft",
    "Signed",
    "StageCommand",
    "add_evidence",
    "add_phase",
    "adjust_lists",
    "amend_project",
    "apply_stage",
    "build_command",
    "import_projects",
    "report_blocker",
    "report_investment",
    "sign_project",
]
