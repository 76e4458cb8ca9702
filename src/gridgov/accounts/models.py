from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)  # argon2id
    # superseded by LoginThrottle (per account and client address); kept until a later revision drops them
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginThrottle(Base):
    """Failed sign-ins for one (user name, client address): the count and until when the next try must wait.

    Keyed by the name typed, not the account, so that an unknown name is throttled exactly like a known one,
    and by the client address, so that a stranger's guesses never slow the real user down elsewhere."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("username", "client", name="uq_login_throttle_username_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    kind: Mapped[str] = mapped_column(String(10), default="api")  # api | session
    scopes: Mapped[str] = mapped_column(String(40), default="read write")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PiiAccess(Base):
    """A view of unmasked personal data (reporter name or phone): who, which case, which fields, when."""

    __tablename__ = "pii_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int] = mapped_column(index=True)
    fields: Mapped[str] = mapped_column(String(100))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhoneAccount(Base):
    """A resident account made by phone sign-in (gridgov.residents): the user and the keyed digest of the number
    (`signing.caller_key`, the digest cases keep of their reporter's phone), unique."""

    __tablename__ = "phone_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
