"""Personal data on cases (个人信息保护法): what a reporter may download, and the erasure of a reporter's name
and phone. The case, its text and its history stay; the erasure leaves its own event on the case's record."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services import record_claim, record_erasure


class SessionUnitOfWork(CasesUnitOfWork, Protocol):
    """The unit of work these helpers write through (gridgov.uow.UnitOfWork is one); the caller commits."""

    @property
    def session(self) -> Session: ...


def reported_cases(uow: SessionUnitOfWork, user_id: int) -> list[dict[str, Any]]:
    """The cases this account reported, unmasked, for its own download."""
    cases = uow.session.scalars(select(Case).where(Case.reporter_user_id == user_id).order_by(Case.id)).all()
    return [
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
    ]


def erase_reporter_fields(uow: SessionUnitOfWork, user_id: int | None, phone: str | None, now: datetime) -> list[int]:
    """Blank the reporter's name and phone on every case reported from this account or this phone, and the
    request fingerprint computed from them; each case gets an erasure event. Returns the ids of the cases."""
    conds = []
    if user_id is not None:
        conds.append(Case.reporter_user_id == user_id)
    if phone:
        conds.append(Case.reporter_phone == phone)
    if not conds:
        return []
    cases = uow.session.scalars(select(Case).where(or_(*conds))).all()
    for case in cases:
        case.reporter_name = ""
        case.reporter_phone = ""
        case.caller_key = None  # 重复来电: the erased caller can no longer be matched
        case.request_hash = None  # a hash of a phone number can be reversed by trying every number
        record_erasure(uow, case, now)
    return [case.id for case in cases]


def claim_phone_reports(uow: SessionUnitOfWork, user_id: int, caller_key: str, now: datetime) -> list[int]:
    """The cases reported earlier with this phone (matched on the keyed digest cases keep, ``caller_key``) and
    from no account join the resident account made for that phone: ``reporter_user_id`` is set, each with a
    ``report_claimed`` event (no personal data in it) on the case's record, so that the resident may act on
    them (rate, add photos) as on the cases they report from the account. An erased reporter's case has no key
    and is never claimed. Returns the ids of the cases; the caller commits."""
    stmt = select(Case).where(Case.caller_key == caller_key, Case.reporter_user_id.is_(None), Case.reporter_phone != "")
    cases = uow.session.scalars(stmt.order_by(Case.id)).all()
    for case in cases:
        case.reporter_user_id = user_id
        record_claim(uow, case, user_id, now)
    return [case.id for case in cases]
