"""社情民意 → a case in the case loop, with one action: the office refers the deputy's report; the case is reported
through the case loop's own intake (cases.services.report_case) in the item's grid, and the link is written both
ways: the case's id on the item (and its record), the item in the case's text and through
GET /api/v1/proposals/by-case/{case_id}. The case then goes round the loop like any other; the deputy's page reads
its status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from gridgov.actor import Actor
from gridgov.cases.services import CaseDraft, CasePolicy, report_case
from gridgov.logging import get_logger
from gridgov.proposals.commands import Refer
from gridgov.proposals.domain import Action, Status
from gridgov.proposals.ports import ProposalsUnitOfWork
from gridgov.proposals.services.common import guarded, record

log = get_logger(__name__)


def refer_opinion(
    uow_factory: Callable[[], ProposalsUnitOfWork],
    proposal_id: int,
    command: Refer,
    actor: Actor,
    now: datetime,
    policy: CasePolicy,
) -> int:
    """Report the 社情民意 as a case and link the two; returns the case's id. The same item referred again (a
    repeated request) gives back the same case: the case's idempotency key is the item's."""
    uow = uow_factory()
    with uow:
        p = guarded(uow, proposal_id, Action.REFER, actor)
        names = [m.name for _, m in uow.proposals.authors(p.id)]
        draft = CaseDraft(
            title=f"【社情民意】{p.title}"[:200],
            description=(
                f"{'、'.join(names)} 反映的社情民意 (编号 {p.number}): {p.body}\n"
                f"{command.note}\n建议提案页面: /proposals/{p.id}"
            ).strip(),
            source="other",
            category_code=command.category_code,
            grid_code=p.grid_code,
            lat=p.lat,
            lon=p.lon,
        )
    reported = report_case(
        uow_factory(), draft, actor, now, f"proposal-opinion:{proposal_id}", policy=policy, key_owner="proposals"
    )
    uow = uow_factory()
    with uow:
        p = guarded(uow, proposal_id, Action.REFER, actor)
        before = Status(p.status)
        p.status = Status.REFERRED.value
        p.case_id = reported.id
        record(
            uow,
            p,
            Action.REFER,
            actor,
            before,
            now,
            {"case_id": reported.id, "tracking_code": reported.tracking_code, "note": command.note},
        )
        uow.commit()
    log.info("opinion_referred", proposal_id=proposal_id, case_id=reported.id)
    return reported.id
