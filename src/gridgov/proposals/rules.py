"""The time limits of 建议提案 办理 from the settings (GRIDGOV_PROPOSALS_*, gridgov.config): one `Limits` for the
services, built at the edge (views, pages, CLI, demo)."""

from __future__ import annotations

from gridgov.config import Settings
from gridgov.proposals.domain import Limits


def limits_from(settings: Settings) -> Limits:
    return Limits(
        return_days=settings.proposals_return_days,
        views_months=settings.proposals_views_months,
        contact_working_days=settings.proposals_contact_working_days,
        answer_months=settings.proposals_answer_months,
        final_months=settings.proposals_final_months,
        rehandle_months=settings.proposals_rehandle_months,
        max_rehandles=settings.proposals_max_rehandles,
    )
