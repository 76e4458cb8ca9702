"""Open311's own rows beside the case: what a client sent with a request (its hidden id, attributes, e-mail),
the updates it posted (its update_id → the case event that became of it), and the pushes of updates to the
remote endpoints the cases came from (the delivery outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.cases.models import CaseEvent
from gridgov.db import Base, UTCDateTime

# GET servicerequestupdates reads the events of every case by time: without this, each hourly poll scans them all
EVENTS_BY_TIME = Index("ix_case_events_occurred_at", CaseEvent.occurred_at)


class Open311Request(Base):
    """What a client sent with a request beyond the case's own fields. `external_id` (the hidden attribute) is
    unique per client: a resend of the same report gets the same case."""

    __tablename__ = "open311_requests"
    __table_args__ = (UniqueConstraint("user_id", "external_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Open311Update(Base):
    """One update a client posted: its own `update_id`, unique per client, and the case event it became (whose
    id is the update_id gridgov answers and lists)."""

    __tablename__ = "open311_updates"
    __table_args__ = (UniqueConstraint("user_id", "client_update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    client_update_id: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Open311Delivery(Base):
    """One update to push to a remote endpoint, written in the transaction of its event; `pending` until the
    remote answers 2xx (`sent`), retried with backoff, `failed` after the last attempt."""

    __tablename__ = "open311_deliveries"
    __table_args__ = (UniqueConstraint("remote", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    remote: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
