"""What the case services are told by settings, and the values they share."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridgov.classify.duplicates import DuplicateParams
from gridgov.units.domain import UnitKind

SOURCES = ("web", "hotline", "app", "miniprogram", "patrol", "open311", "campaign", "transfer", "other")


HANDLER_UNIT_KINDS = frozenset(
    {UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_BUREAU, UnitKind.STREET_OFFICE, UnitKind.COMMUNITY}
)


SUMMONABLE_KINDS = frozenset({UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_BUREAU})


@dataclass(frozen=True, slots=True)
class CasePolicy:
    warning_fraction: float = 0.8
    whistle_report_minutes: int = 30
    reopen_window_days: int = 7
    classify_threshold: float = 0.6
    duplicates: DuplicateParams = DuplicateParams()
    appeal_days: int = 5  # 12345 operations (issue 17): working days to decide an appeal (GRIDGOV_APPEAL_DAYS)
    caller_secret: str = field(default="", repr=False)  # 重复来电 (issue 17): the key of cases.caller_key


DEFAULT_POLICY = CasePolicy()
