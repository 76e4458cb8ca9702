from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class Campaign(Base):
    """A time-boxed call for suggestions (征集活动): its window, fields, channels and where to write to."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())  # exclusive
    late_policy: Mapped[str] = mapped_column(String(10), default="refuse")
    fields: Mapped[list[str]] = mapped_column(JSON)
    channels: Mapped[list[str]] = mapped_column(JSON)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    mail_address: Mapped[str | None] = mapped_column(String(254), nullable=True, unique=True)
    postal_address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(6), default="")
    letter_marking: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Suggestion(Base):
    """One suggestion, from any channel. `cluster_id` is the id of the first suggestion of its near-duplicate
    cluster (its own id when it starts one); `case_id` links the case it was turned into."""

    __tablename__ = "campaign_suggestions"
    __table_args__ = (
        UniqueConstraint("campaign_id", "message_id", "mail_digest", name="uq_campaign_suggestions_message_digest"),
        Index("ix_campaign_suggestions_campaign_received", "campaign_id", "received_at"),
        Index("ix_campaign_suggestions_campaign_cluster", "campaign_id", "cluster_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    channel: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(20), nullable=True)
    field_source: Mapped[str] = mapped_column(String(20), default="none")  # submitter | keywords | staff | none
    field_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    cluster_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cluster_similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    submitter_name: Mapped[str] = mapped_column(String(100), default="")
    submitter_phone: Mapped[str] = mapped_column(String(30), default="")
    submitter_email: Mapped[str] = mapped_column(String(254), default="")
    submitter_address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(6), default="")
    letter_marking: Mapped[str] = mapped_column(String(100), default="")
    marking_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # sha256 of (sender, subject, body): a reused Message-ID with other content is a new suggestion
    mail_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SuggestionAttachment(Base):
    """A file that came with a suggestion: an e-mail attachment, an upload, or the scan of a letter."""

    __tablename__ = "campaign_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("campaign_suggestions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # attachment | scan
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SuggestionEvent(Base):
    """Append-only record of what happened to a suggestion (received, reviewed, decided, replied, converted)."""

    __tablename__ = "campaign_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("campaign_suggestions.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SuggestionPiiAccess(Base):
    """A view of a suggestion's unmasked personal data (submitter name, phone, e-mail, address) by staff: who,
    which suggestion, which fields, when. The campaign counterpart of `pii_access_log` (which names a case)."""

    __tablename__ = "campaign_pii_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(20))
    suggestion_id: Mapped[int] = mapped_column(index=True)  # no foreign key, like pii_access_log.case_id
    fields: Mapped[str] = mapped_column(String(100))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
