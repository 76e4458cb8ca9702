"""The admin record: one hash chain per changed thing (a user, a unit, a grid version), its head on the subject
row; every event is also a leaf of the city's log (stream `admin`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.audit.domain import GENESIS
from gridgov.db import Base, UTCDateTime


class AdminSubject(Base):
    """A thing an admin changed (`kind` user, unit, grid_version; `ref` its id or code), with its chain's head."""

    __tablename__ = "admin_subjects"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(100))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AdminEvent(Base):
    """Append-only: each event's hash covers its content and the previous event's hash (gridgov.audit.domain)."""

    __tablename__ = "admin_events"
    __table_args__ = (UniqueConstraint("subject_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("admin_subjects.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(50))
    tag: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
