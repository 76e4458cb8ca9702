"""Use cases over personal data: my_data (download) and erase_reporter (erasure), each in one unit of work.

Each feature blanks and reads its own tables (accounts.privacy, cases.privacy, campaigns.privacy); this module
only composes them in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridgov.accounts.privacy import erase_account
from gridgov.actor import Actor
from gridgov.campaigns.privacy import erase_submitter, submitted_suggestions
from gridgov.cases.privacy import erase_reporter_fields, reported_cases
from gridgov.errors import NotFound, ValidationFailed
from gridgov.logging import get_logger
from gridgov.privacy.ports import PrivacyUnitOfWork as UnitOfWork

log = get_logger(__name__)

PURPOSE = "处理您反映的问题、回访与评价 (个人信息保护法第十七条告知)"


def my_data(uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    """All that gridgov holds about a signed-in user: the account, the cases they reported and the campaign
    suggestions they sent, unmasked."""
    if actor.user_id is None:
        raise NotFound("无用户")
    with uow:
        user = uow.users.get(actor.user_id)
        if user is None:
            raise NotFound("用户不存在")
        return {
            "user": {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "created_at": user.created_at,
            },
            "cases": reported_cases(uow, user.id),
            "suggestions": submitted_suggestions(uow, user.id),
            "purpose": PURPOSE,
        }


def erase_reporter(
    uow: UnitOfWork,
    now: datetime,
    *,
    user_id: int | None = None,
    phone: str | None = None,
) -> int:
    """Erase a reporter's identity: name and phone on every case they reported, the request fingerprints
    that were computed from them, the submitter's name, phone, e-mail and address on every campaign suggestion
    they sent (by account or phone), and (for an account) the account's names and tokens. The cases and
    suggestions, their text and their history stay. Returns the number of cases touched; each case and each
    suggestion gets an event on its record."""
    number = phone.strip() if phone else ""
    if user_id is None and not number:
        raise ValidationFailed("须指定用户或电话号码")
    with uow:
        if user_id is not None and uow.users.get(user_id) is None:
            raise NotFound(f"用户不存在: {user_id}")
        cases = erase_reporter_fields(uow, user_id, number or None, now)
        suggestions = erase_submitter(uow, user_id, number or None, now)
        if user_id is not None:
            erase_account(uow, user_id, now)
        uow.commit()
    log.info("reporter_erased", cases=len(cases), suggestions=suggestions, user_id=user_id)
    return len(cases)
