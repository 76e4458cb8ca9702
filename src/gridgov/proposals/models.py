"""建议提案 rows: batches, members (deputies and committee members, with their account), liaison stations on the
grid tree, the items with their authors, handling units, contacts, views, answers, promises and ratings, and the
record of each item (a hash chain, like a case's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class ProposalBatch(Base):
    """A batch by session (市十六届人大三次会议) or between sessions (闭会期间)."""

    __tablename__ = "proposal_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[date] = mapped_column(Date)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProposalStation(Base):
    """人大代表联络站: recorded against a grid of the tree."""

    __tablename__ = "proposal_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    generated: Mapped[bool] = mapped_column(Boolean, default=False)


class ProposalMember(Base):
    """A deputy (人大代表) or a committee member (政协委员); `user_id` is their sign-in account, if any."""

    __tablename__ = "proposal_members"
    __table_args__ = (UniqueConstraint("body", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(10))  # npc | cppcc
    name: Mapped[str] = mapped_column(String(50))
    delegation: Mapped[str] = mapped_column(String(100), default="")  # 代表团 / 界别
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, unique=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)


class ProposalStationMember(Base):
    __tablename__ = "proposal_station_members"
    __table_args__ = (UniqueConstraint("station_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("proposal_stations.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("proposal_members.id"), index=True)


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("batch_id", "number"),
        Index("ix_proposals_batch_status", "batch_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("proposal_batches.id"))
    number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(50), default="")
    focus: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点建议 / 重点提案
    focus_leader: Mapped[str] = mapped_column(String(50), default="")  # 领衔督办领导
    grid_code: Mapped[str | None] = mapped_column(String(15), nullable=True)  # 社情民意: where
    lat: Mapped[float | None] = mapped_column(nullable=True)  # 社情民意: the point, if given (WGS-84)
    lon: Mapped[float | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)

    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    assigned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    return_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    views_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    contact_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    final_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)  # the next answer's limit
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    first_answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer_class: Mapped[str | None] = mapped_column(String(1), nullable=True)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    not_public_reason: Mapped[str] = mapped_column(Text, default="")
    rehandles: Mapped[int] = mapped_column(Integer, default=0)
    rehandle_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    rating_work: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rating_result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, unique=True)  # 社情民意

    generated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # made by the demo, not real
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)  # the chain's head
    last_event_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ProposalAuthor(Base):
    """One author of an item; a joint item (联名) has several, one of them the lead (领衔)."""

    __tablename__ = "proposal_authors"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("proposal_members.id"), index=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)


class ProposalHandler(Base):
    """A unit an item was assigned to: the lead (主办) or a co-handler (会办); a return ends its part."""

    __tablename__ = "proposal_handlers"
    __table_args__ = (Index("ix_proposal_handlers_unit", "unit_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(10))  # lead | co
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned_on: Mapped[date] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    views_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    views_text: Mapped[str] = mapped_column(Text, default="")


class ProposalContact(Base):
    """办前面商 / 见面沟通: how and when the lead unit met the author."""

    __tablename__ = "proposal_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    method: Mapped[str] = mapped_column(String(10))
    on: Mapped[date] = mapped_column(Date)
    in_time: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")


class ProposalPromise(Base):
    """承诺事项 of a B-class answer, each with its date, followed up until kept."""

    __tablename__ = "proposal_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    kept_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ProposalRating(Base):
    """One rating round by an author: 办理工作 and 办理结果 separately."""

    __tablename__ = "proposal_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    work: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    rated_on: Mapped[date] = mapped_column(Date)


class ProposalEvent(Base):
    """Append-only: each event's hash covers its content and the previous event's hash (gridgov.audit.domain);
    each is also a leaf of the city's log (stream `proposal`)."""

    __tablename__ = "proposal_events"
    __table_args__ = (UniqueConstraint("proposal_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
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
