"""安全生产 rows: places (场所/企业) on the grid tree, plan runs and the inspection tasks they generate, inspections
with their per-item results, hidden hazards (隐患) with their rectification plan (五落实), review and 销号, the
photos, and one table of events: the record of each place, hazard and plan run (a hash chain per subject, like
a case's; each event is also a leaf of the city's log, stream `safety_place`, `safety_hazard` or
`safety_plan`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class SafetyPlace(Base):
    __tablename__ = "safety_places"
    __table_args__ = (
        Index("ix_safety_places_grid", "grid_code"),
        Index("ix_safety_places_group_status", "place_group", "status"),
        Index("ix_safety_places_risk_status", "risk", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(String(40))
    place_group: Mapped[str] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column()
    lon: Mapped[float] = mapped_column()
    grid_code: Mapped[str] = mapped_column(String(15))  # the micro-grid the locator puts the point in
    street_code: Mapped[str] = mapped_column(String(9))
    district_code: Mapped[str] = mapped_column(String(6))
    responsible_name: Mapped[str] = mapped_column(String(50), default="")  # personal data: shown masked
    responsible_phone: Mapped[str] = mapped_column(String(30), default="")  # personal data: shown masked
    risk: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("safety_places.id"), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SafetyPlanRun(Base):
    """One plan generated for one month: the rounds it made and how many tasks (its record: one chain)."""

    __tablename__ = "safety_plan_runs"
    __table_args__ = (UniqueConstraint("plan_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)  # "<plan>:<period>"
    plan_code: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    slots: Mapped[list[str]] = mapped_column(JSON, default=list)
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64))


class SafetyTask(Base):
    """应检: one place to inspect in one round of a plan, for the grid worker of the place's grid."""

    __tablename__ = "safety_tasks"
    __table_args__ = (
        UniqueConstraint("plan_code", "slot", "place_id", name="uq_safety_task"),
        Index("ix_safety_tasks_period_grid", "period", "grid_code"),
        Index("ix_safety_tasks_assignee", "assignee_id", "status"),
        Index("ix_safety_tasks_place", "place_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("safety_plan_runs.id"))
    plan_code: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))
    slot: Mapped[str] = mapped_column(String(10))
    place_id: Mapped[int] = mapped_column(ForeignKey("safety_places.id"))
    grid_code: Mapped[str] = mapped_column(String(15))
    assignee_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done
    inspection_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SafetyInspection(Base):
    """已检: the checklist gone through at a place (results per item: pass / fail / na)."""

    __tablename__ = "safety_inspections"
    __table_args__ = (Index("ix_safety_inspections_place", "place_id", "inspected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("safety_places.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("safety_tasks.id"), nullable=True)
    inspector_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    inspector_name: Mapped[str] = mapped_column(String(50), default="")
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    client_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)  # an offline re-send
    note: Mapped[str] = mapped_column(Text, default="")
    generated: Mapped[bool] = mapped_column(Boolean, default=False)


class SafetyHazard(Base):
    __tablename__ = "safety_hazards"
    __table_args__ = (
        Index("ix_safety_hazards_place_item", "place_id", "item_code", "status"),
        Index("ix_safety_hazards_found", "found_at"),
        Index("ix_safety_hazards_status_due", "status", "due_at"),
        Index("ix_safety_hazards_street", "street_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("safety_places.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("safety_inspections.id"), nullable=True)
    item_code: Mapped[str] = mapped_column(String(20))
    item_text: Mapped[str] = mapped_column(String(300))
    basis: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    place_type: Mapped[str] = mapped_column(String(40))
    grid_code: Mapped[str] = mapped_column(String(15))
    street_code: Mapped[str] = mapped_column(String(9))
    district_code: Mapped[str] = mapped_column(String(6))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    found_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    found_by_name: Mapped[str] = mapped_column(String(50), default="")
    rectify_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # 整改期限
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # the current step's deadline
    fixed_on_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    # 治理方案 (五落实)
    responsible: Mapped[str] = mapped_column(String(100), default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    funds: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 元
    time_limit: Mapped[date | None] = mapped_column(Date, nullable=True)
    contingency: Mapped[str] = mapped_column(Text, default="")
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)  # 挂牌督办
    supervised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    supervisor_unit: Mapped[str] = mapped_column(String(40), default="")
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewer_name: Mapped[str] = mapped_column(String(50), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # 销号
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # rectified by its deadline
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)  # 0 street, 1 district, 2 city
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)  # found again while open
    recurrence_of_id: Mapped[int | None] = mapped_column(ForeignKey("safety_hazards.id"), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, unique=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SafetyPhoto(Base):
    """A photo of a failed item (found), of the fix on the spot, or of the rectification; cleaned by gridgov.media."""

    __tablename__ = "safety_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("safety_hazards.id"), nullable=True, index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("safety_inspections.id"), nullable=True)
    purpose: Mapped[str] = mapped_column(String(20))  # found | fixed | rectified
    content_type: Mapped[str] = mapped_column(String(50))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SafetyEvent(Base):
    """Append-only, one chain per (stream, subject): each event's hash covers its content and the previous one's
    (gridgov.audit.domain); each is also a leaf of the city's log under its stream."""

    __tablename__ = "safety_events"
    __table_args__ = (UniqueConstraint("stream", "subject_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
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
