"""Use cases of the case loop, split by job. Each one owns its transaction: `with uow: ...; uow.commit()`.

- intake: a new case (report_case)
- enrich: the category proposal and duplicate hints (enrich_cases)
- actions: a person's action, decided by the guard table and applied by a handler (apply_action)
- handlers/: dispatch, handling, postpone, whistle, merge
- deadlines: the yellow/red scan (scan_overdue)
"""

from gridgov.cases.commands import CaseCommand, build_command
from gridgov.cases.guards import OpenTasksRemain
from gridgov.cases.services.actions import HANDLERS, apply_action, record_claim, record_erasure
from gridgov.cases.services.deadlines import ScanReport, scan_overdue
from gridgov.cases.services.enrich import DUPLICATE_POOL, enrich_cases
from gridgov.cases.services.intake import CaseDraft, OutsideCity, Reported, report_case
from gridgov.cases.services.policy import HANDLER_UNIT_KINDS, SOURCES, SUMMONABLE_KINDS, CasePolicy
from gridgov.geo.ports import Locator

__all__ = [
    "DUPLICATE_POOL",
    "HANDLERS",
    "HANDLER_UNIT_KINDS",
    "SOURCES",
    "SUMMONABLE_KINDS",
    "CaseCommand",
    "CaseDraft",
    "CasePolicy",
    "Locator",
    "OpenTasksRemain",
    "OutsideCity",
    "Reported",
    "ScanReport",
    "apply_action",
    "build_command",
    "enrich_cases",
    "record_claim",
    "record_erasure",
    "report_case",
    "scan_overdue",
]
