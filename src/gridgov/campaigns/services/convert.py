"""Conversion: a suggestion becomes a case of the case loop (source "campaign"), linked both ways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.campaigns.domain import SuggestionAction, SuggestionStatus, clean_text, linked_status, next_status
from gridgov.campaigns.ports import CampaignsUnitOfWork
from gridgov.campaigns.services.common import STAFF_ROLES, locked_suggestion, record_event, require
from gridgov.cases.services import CaseDraft, CasePolicy, Locator, Reported, report_case
from gridgov.classify.ports import Classifier
from gridgov.errors import ValidationFailed
from gridgov.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CaseTarget:
    """Where the case goes; without a grid, address or point it is placed at the city (dispatcher decides)."""

    grid_code: str | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    crs: str = "wgs84"
    category_code: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class CaseServices:
    locator: Locator | None = None
    classifier: Classifier | None = None
    policy: CasePolicy = CasePolicy()
    enrich_later: Callable[[int], None] | None = None
    city_name: str = "郑州市"


def convert_to_case(
    uow_factory: Callable[[], CampaignsUnitOfWork],
    suggestion_id: int,
    target: CaseTarget,
    actor: Actor,
    now: datetime,
    deps: CaseServices | None = None,
) -> dict[str, Any]:
    """One action: open a case of the case loop (source "campaign") and link both ways — the suggestion keeps
    the case id and its status becomes "converted"; the case's description names the suggestion, and
    `GET /api/v1/campaigns/cases/{case_id}` finds the suggestion from the case.

    The case is reported with the idempotency key `campaign-suggestion-{id}`, so a retry after a failure
    between the two steps gives back the same case, never a second one."""
    require(actor, STAFF_ROLES)
    deps = deps or CaseServices()
    with uow_factory() as uow:
        repo = uow.campaigns
        s = locked_suggestion(repo, suggestion_id)
        next_status(SuggestionStatus(s.status), SuggestionAction.CONVERT)  # refuse early, before any case exists
        campaign = repo.campaign(s.campaign_id)
        title = s.title
        description = (
            f"{s.content}\n\n—— 来源: {campaign.title if campaign else '征集活动'} · 建议编号 {s.ref}"
            f" · 领域 {s.field or '未分类'}"
        )
        reporter = (s.submitter_name, s.submitter_phone)
    has_place = target.grid_code or target.address.strip() or target.lat is not None
    draft = CaseDraft(
        title=title,
        description=description + (f"\n{clean_text(target.note)}" if target.note.strip() else ""),
        source="campaign",
        category_code=target.category_code,
        grid_code=target.grid_code,
        address=target.address if has_place else deps.city_name,
        lat=target.lat,
        lon=target.lon,
        crs=target.crs,
        reporter_name=reporter[0],
        reporter_phone=reporter[1],
    )
    reported: Reported = report_case(
        uow_factory(),
        draft,
        actor,
        now,
        f"campaign-suggestion-{suggestion_id}",
        key_owner="campaigns",  # one key for all staff: two converting at once get one case
        locator=deps.locator,
        classifier=deps.classifier,
        policy=deps.policy,
        enrich_later=deps.enrich_later,
    )
    with uow_factory() as uow:
        repo = uow.campaigns
        s = locked_suggestion(repo, suggestion_id)
        if s.case_id is not None and s.case_id != reported.id:
            raise ValidationFailed(f"该建议已转为案件 {s.case_id}", case_id=s.case_id)
        before = s.status
        if s.case_id is None:
            # the case exists: link it even if someone decided meanwhile (no orphan case), and say so
            status, overridden = linked_status(SuggestionStatus(s.status))
            s.status = status.value
            s.case_id, s.updated_at = reported.id, now
            payload: dict[str, Any] = {"case_id": reported.id, "tracking_code": reported.tracking_code}
            if overridden:
                payload["overrides"] = before
                payload["note"] = f"转案件期间建议被改为「{SuggestionStatus(before).label}」，案件已建立，仍予关联"
            record_event(repo, s, SuggestionAction.CONVERT.value, before, actor, now, payload)
            uow.commit()
    log.info("suggestion_converted", suggestion_id=suggestion_id, case_id=reported.id)
    return {
        "suggestion_id": suggestion_id,
        "status": SuggestionStatus.CONVERTED.value,
        "case": {"id": reported.id, "tracking_code": reported.tracking_code, "status": reported.status},
    }
