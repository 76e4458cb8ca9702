"""Use cases of 安全生产, split by job. Each one owns its transaction: `with uow: ...; uow.commit()`.

- places: one place registered, a list imported (all or nothing), closed down, merged
- plans: a month's inspection tasks from the plans (idempotent)
- inspections: the checklist on the phone, failed items to hazards (linked when found again)
- hazards: the rectification plan (五落实), 挂牌督办, rectified, review, 销号, referral to the case loop, escalation
"""

from gridgov.safety.commands import HazardCommand, build_command
from gridgov.safety.services.hazards import (
    Escalations,
    Referred,
    apply_hazard_action,
    refer_hazard,
    scan_overdue_hazards,
)
from gridgov.safety.services.inspections import HazardRef, Inspected, InspectionDraft, ItemResult, record_inspection
from gridgov.safety.services.places import PlaceDraft, Problem, close_place, import_places, merge_place, register_place
from gridgov.safety.services.plans import PlanResult, generate_plan

__all__ = [
    "Escalations",
    "HazardCommand",
    "HazardRef",
    "Inspected",
    "InspectionDraft",
    "ItemResult",
    "PlaceDraft",
    "PlanResult",
    "Problem",
    "Referred",
    "apply_hazard_action",
    "build_command",
    "close_place",
    "generate_plan",
    "import_places",
    "merge_place",
    "record_inspection",
    "refer_hazard",
    "register_place",
    "scan_overdue_hazards",
]
