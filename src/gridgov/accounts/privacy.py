"""Personal data (个人信息保护法) in accounts' own tables: the record of who viewed unmasked personal data, and
the erasure of an account's names and tokens. Downloading and erasing across features is gridgov.privacy's."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.accounts.ports import AccountsUnitOfWork
from gridgov.actor import Actor
from gridgov.errors import NotFound


class SessionUnitOfWork(Protocol):
    """The unit of work erase_account writes through (gridgov.uow.UnitOfWork is one); the caller commits."""

    @property
    def session(self) -> Session: ...


def record_view(uow: AccountsUnitOfWork, actor: Actor, case_id: int, fields: list[str], now: datetime) -> None:
    """Every view of unmasked personal data is recorded (who, which case, which fields, when)."""
    with uow:
        uow.users.log_view(
            PiiAccess(
                user_id=actor.user_id, role=actor.role.value, case_id=case_id, fields=",".join(fields), viewed_at=now
            )
        )
        uow.commit()


def erase_account(uow: SessionUnitOfWork, user_id: int, now: datetime) -> None:
    """The account keeps its id (cases and events name it) but loses its names, its sign-in and its tokens."""
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户不存在: {user_id}")
    user.username = f"erased-{user.id}"
    user.display_name = "已注销用户"
    user.active = False
    uow.session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
