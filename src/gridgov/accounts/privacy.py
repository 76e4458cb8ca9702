"""Personal data (个人信息保护法): download of one's own data, erasure of a reporter's identity, and the
record of who viewed unmasked personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.domain import Actor
from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.campaigns.models import Suggestion, SuggestionEvent, SuggestionPiiAccess
from gridgov.cases.models import Case
from gridgov.errors import NotFound, ValidationFailed
from gridgov.logging import get_logger

log = get_logger(__name__)


def record_view(sessions: sessionmaker[Session], actor: Actor, case_id: int, fields: list[str], now: datetime) -> None:
    """Every view of unmasked personal data is recorded (who, which case, which fields, when)."""
    with sessions() as s, s.begin():
        s.add(
            PiiAccess(
                user_id=actor.user_id, role=actor.role.value, case_id=case_id, fields=",".join(fields), viewed_at=now
            )
        )


def record_suggestion_view(
    sessions: sessionmaker[Session], actor: Actor, suggestion_id: int, fields: list[str], now: datetime
) -> None:
    """The same record for a campaign suggestion's submitter data (campaign_pii_access_log)."""
    with sessions() as s, s.begin():
        s.add(
            SuggestionPiiAccess(
                user_id=actor.user_id,
                role=actor.role.value,
                suggestion_id=suggestion_id,
                fields=",".join(fields),
                viewed_at=now,
            )
        )


def my_data(sessions: sessionmaker[Session], actor: Actor) -> dict[str, Any]:
    """All that gridgov holds about a signed-in user: the account and the cases they reported, unmasked."""
    if actor.user_id is None:
        raise NotFound("无用户")
    with sessions() as s:
        user = s.get(User, actor.user_id)
        if user is None:
            raise NotFound("用户不存在")
        cases = s.scalars(select(Case).where(Case.reporter_user_id == user.id).order_by(Case.id)).all()
        suggestions = s.scalars(
            select(Suggestion).where(Suggestion.created_by_id == user.id).order_by(Suggestion.id)
        ).all()
        return {
            "user": {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "created_at": user.created_at,
            },
            "cases": [
                {
                    "id": c.id,
                    "tracking_code": c.tracking_code,
                    "title": c.title,
                    "description": c.description,
                    "address": c.address,
                    "lat": c.lat,
                    "lon": c.lon,
                    "reporter_name": c.reporter_name,
                    "reporter_phone": c.reporter_phone,
                    "status": c.status,
                    "created_at": c.created_at,
                }
                for c in cases
            ],
            "suggestions": [
                {
                    "id": x.id,
                    "ref": x.ref,
                    "channel": x.channel,
                    "title": x.title,
                    "content": x.content,
                    "submitter_name": x.submitter_name,
                    "submitter_phone": x.submitter_phone,
                    "submitter_email": x.submitter_email,
                    "submitter_address": x.submitter_address,
                    "postcode": x.postcode,
                    "status": x.status,
                    "reply": x.reply,
                    "received_at": x.received_at,
                }
                for x in suggestions
            ],
            "purpose": "处理您反映的问题、回访与评价 (个人信息保护法第十七条告知)",
        }


def erase_reporter(
    sessions: sessionmaker[Session],
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
    from gridgov.cases.services import record_erasure

    if user_id is None and not (phone and phone.strip()):
        raise ValidationFailed("须指定用户或电话号码")
    with sessions() as s, s.begin():
        conds = []
        if user_id is not None:
            if s.get(User, user_id) is None:
                raise NotFound(f"用户不存在: {user_id}")
            conds.append(Case.reporter_user_id == user_id)
        if phone and phone.strip():
            conds.append(Case.reporter_phone == phone.strip())
        cases = s.scalars(select(Case).where(or_(*conds))).all()
        for case in cases:
            case.reporter_name = ""
            case.reporter_phone = ""
            case.request_hash = None  # a hash of a phone number can be reversed by trying every number
            record_erasure(s, case, now)
        suggestions = _erase_submitter(s, now, user_id, phone.strip() if phone else None)
        if user_id is not None:
            user = s.get(User, user_id)
            assert user is not None
            user.username = f"erased-{user.id}"
            user.display_name = "已注销用户"
            user.active = False
            s.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        log.info("reporter_erased", cases=len(cases), suggestions=suggestions, user_id=user_id)
        return len(cases)


def _erase_submitter(s: Session, now: datetime, user_id: int | None, phone: str | None) -> int:
    """Blank the submitter of every campaign suggestion sent from this account or phone; the text stays."""
    conds = []
    if user_id is not None:
        conds.append(Suggestion.created_by_id == user_id)
    if phone:
        conds.append(Suggestion.submitter_phone == phone)
    rows = s.scalars(select(Suggestion).where(or_(*conds))).all()
    for row in rows:
        row.submitter_name = row.submitter_phone = row.submitter_email = row.submitter_address = ""
        row.updated_at = now
        s.add(
            SuggestionEvent(
                suggestion_id=row.id,
                action="erase_submitter",
                from_status=row.status,
                to_status=row.status,
                actor_id=None,
                actor_role="system",
                occurred_at=now,
                payload={"fields": ["submitter_name", "submitter_phone", "submitter_email", "submitter_address"]},
            )
        )
    s.flush()
    return len(rows)
