"""转办 (issue 17): one row per transfer, out of this instance or into it. The steps themselves are events of the
case's chain (case_transferred, transfer_outcome_reported); this row is what finds them again by reference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class CaseTransfer(Base):
    __tablename__ = "case_transfers"
    __table_args__ = (
        UniqueConstraint("direction", "counterpart", "transfer_ref", name="uq_case_transfers_ref"),
        Index("ix_case_transfers_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    counterpart: Mapped[str] = mapped_column(String(40))  # out: the target's code; in: the sending instance
    counterpart_name: Mapped[str] = mapped_column(String(100), default="")
    transfer_ref: Mapped[str] = mapped_column(String(80))  # the sender's reference (ours when out)
    external_ref: Mapped[str] = mapped_column(String(80), default="")  # the other side's case number
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="sent")  # sent | reported
    outcome: Mapped[str] = mapped_column(Text, default="")
    outcome_status: Mapped[str] = mapped_column(String(20), default="")  # the receiver's status, as reported
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
