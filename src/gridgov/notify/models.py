from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class Message(Base):
    """One notification: written in the transaction of the event that causes it (the outbox), then delivered."""

    __tablename__ = "notify_messages"
    __table_args__ = (
        Index("ix_notify_messages_due", "status", "not_before"),
        Index("ix_notify_messages_inbox", "user_id", "channel", "read_at"),
        Index("ix_notify_messages_recipient_day", "recipient_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # the case by id, no foreign key (like the audit log's subject): the record of what was sent outlives any row
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event_type: Mapped[str] = mapped_column(String(40))
    rule_id: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(10))
    recipient_key: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(40), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    gateway_id: Mapped[str] = mapped_column(String(100), default="")
    answer: Mapped[str] = mapped_column(Text, default="")  # the gateway's last answer, as it said it


class Contact(Base):
    """Where and whether a person may be told through a channel: a staff member's phone or e-mail, a resident's
    WeChat openid, and the consent (withdrawn by the unsubscribe link; PIPL)."""

    __tablename__ = "notify_contacts"

    recipient_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Follow(Base):
    """Someone follows a case, a grid subtree or a radius around a point (issue 15): `target` is
    `case:<id>`, `grid:<code prefix>` or `near:<lat>,<lon>,<metres>`; `mode` is `now` (a 站内信 at each event) or
    `digest` (one 站内信 a Beijing day, by the worker's sweep)."""

    __tablename__ = "follows"
    __table_args__ = (Index("uq_follows_user_target", "user_id", "target", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    grid_prefix: Mapped[str | None] = mapped_column(String(15), nullable=True)
    lat: Mapped[float | None] = mapped_column(nullable=True)
    lon: Mapped[float | None] = mapped_column(nullable=True)
    radius_m: Mapped[float | None] = mapped_column(nullable=True)
    mode: Mapped[str] = mapped_column(String(10), default="now")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    digest_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # events up to here digested
