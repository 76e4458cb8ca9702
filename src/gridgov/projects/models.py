"""三个一批 rows: phases, projects (with their list memberships and stage dates), the record of each project (a
hash chain, like a case's), evidence, blockers (each one a case), investment completed by month, and the yearly
list adjustments. Investments are integers in 万元."""

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


class ProjectPhase(Base):
    """第N期: the projects' lists refer to its number; its date is the day of the phase's event (集中签约/开工/投产)."""

    __tablename__ = "project_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_signed_phase", "signed_phase", "district_code"),
        Index("ix_projects_started_phase", "started_phase", "district_code"),
        Index("ix_projects_producing_phase", "producing_phase", "district_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    investor: Mapped[str] = mapped_column(String(200))
    # no index on the district: every figure groups all of a phase's rows by it, which a scan does fastest (SQLite
    # would walk such an index and look each row up); the list filters by district within a phase
    district_code: Mapped[str] = mapped_column(String(6))
    district_name: Mapped[str] = mapped_column(String(50))
    grid_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    lat: Mapped[float | None] = mapped_column(nullable=True)  # WGS-84
    lon: Mapped[float | None] = mapped_column(nullable=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    total_investment: Mapped[int] = mapped_column(BigInteger)  # 万元
    annual_investment: Mapped[int] = mapped_column(BigInteger)  # 万元, this year's plan
    funding: Mapped[str] = mapped_column(String(20))
    size_band: Mapped[str] = mapped_column(String(10))
    attracted: Mapped[bool] = mapped_column(Boolean, default=False)  # 招商引资
    leader: Mapped[str] = mapped_column(String(50), default="")  # 责任领导
    responsible_unit: Mapped[str] = mapped_column(String(100), default="")  # 责任单位

    status: Mapped[str] = mapped_column(String(20))
    signed_phase: Mapped[int] = mapped_column(ForeignKey("project_phases.number"))
    signed_on: Mapped[date] = mapped_column(Date)
    honoured_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    started_phase: Mapped[int | None] = mapped_column(ForeignKey("project_phases.number"), nullable=True)
    started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    producing_phase: Mapped[int | None] = mapped_column(ForeignKey("project_phases.number"), nullable=True)
    producing_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    generated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # made by the demo, not real
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)  # the chain's head
    last_event_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ProjectEvent(Base):
    """Append-only: each event's hash covers its content and the previous event's hash (gridgov.audit.domain);
    each is also a leaf of the city's log (stream `project`)."""

    __tablename__ = "project_events"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
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


class ProjectEvidence(Base):
    """A document or an on-site photo for one stage. Photos are cleaned (gridgov.media) and carry the point and
    time they were taken and their distance from the project."""

    __tablename__ = "project_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))  # the action it is for: honour, start, produce, reach, sign
    kind: Mapped[str] = mapped_column(String(20))  # document | photo
    name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(nullable=True)
    lon: Mapped[float | None] = mapped_column(nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    distance_m: Mapped[float | None] = mapped_column(nullable=True)
    used_in_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the stage event that cited it
    uploaded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProjectBlocker(Base):
    """要素保障: one blocker of a project, sent through the case loop as one case (linked both ways: the case id
    here, the project in the case's text and through GET /api/v1/projects/blockers/by-case/{case_id})."""

    __tablename__ = "project_blockers"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    reported_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProjectInvestment(Base):
    """Investment completed in one month (万元)."""

    __tablename__ = "project_investments"
    __table_args__ = (
        UniqueConstraint("project_id", "year", "month"),
        Index("ix_project_investments_year_month", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProjectAdjustment(Base):
    """The year's one adjustment of the lists: what changed and why (each change is also an event of its project)."""

    __tablename__ = "project_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
