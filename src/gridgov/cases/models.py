from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_next_alarm", "next_alarm_at", "id"),
        Index("ix_cases_grid_code", "grid_code"),
        Index("ix_cases_owner_status", "owner_unit_id", "status"),
        Index("ix_cases_lat_lon", "lat", "lon"),
        # dashboard: today's and the trend's counts, the overdue list and the red/yellow counts (0003)
        Index("ix_cases_created_at", "created_at"),
        Index("ix_cases_caller_key", "caller_key", "created_at"),  # 重复来电 (issue 17, 0020)
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_status_due", "status", "clock_due"),
        Index("ix_cases_alarm_status", "alarm_level", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    grid_version_id: Mapped[int | None] = mapped_column(ForeignKey("grid_versions.id"), nullable=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(nullable=True)
    lon: Mapped[float | None] = mapped_column(nullable=True)
    input_crs: Mapped[str | None] = mapped_column(String(10), nullable=True)  # lat/lon above are WGS-84
    location_source: Mapped[str] = mapped_column(String(20), default="none")  # grid | point | address | none
    location_confidence: Mapped[float | None] = mapped_column(nullable=True)
    reporter_name: Mapped[str] = mapped_column(String(100), default="")
    reporter_phone: Mapped[str] = mapped_column(String(30), default="")
    # 重复来电 (issue 17): HMAC of the normalised phone under the signing secret (gridgov.signing.caller_key)
    caller_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    # smart dispatch: the classifier's proposal, the "needs a person" flag and duplicate hints
    suggested_category_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    suggestion_confidence: Mapped[float | None] = mapped_column(nullable=True)
    suggestion_source: Mapped[str | None] = mapped_column(String(20), nullable=True)  # model | keywords
    suggestion_model: Mapped[str | None] = mapped_column(String(80), nullable=True)
    suggestions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)  # top 3
    category_source: Mapped[str] = mapped_column(String(20), default="reporter")  # reporter | model | dispatcher
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    duplicate_candidates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    enriched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)

    status: Mapped[str] = mapped_column(String(20))
    status_before_suspend: Mapped[str | None] = mapped_column(String(20), nullable=True)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # the running deadline: response (签收) while dispatched, handling while accepted
    clock_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    clock_due: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    clock_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    response_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    handle_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handle_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    alarm_level: Mapped[str] = mapped_column(String(10), default="none")
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    next_alarm_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    postponed: Mapped[bool] = mapped_column(Boolean, default=False)
    postpone_request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    resolved: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    satisfaction: Mapped[str | None] = mapped_column(String(30), nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # the head of the tamper-evident chain of this case's events
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64), default="")

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class CaseTask(Base):
    """One unit's piece of work on a case: 主办, 协办 or a department summoned by a whistle."""

    __tablename__ = "case_tasks"
    __table_args__ = (
        Index("ix_tasks_unit_assigned", "unit_id", "assigned_at"),
        Index("ix_tasks_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    handle_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    response_late: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    feedback: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    postponed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # the work it did was verified
    resolved: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the resident's verdict on this work
    satisfaction: Mapped[str | None] = mapped_column(String(30), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the street's 1–5 rating of a summoned unit
    rating_note: Mapped[str] = mapped_column(Text, default="")
    # 12345 operations (issue 17): the unit's appeal (申诉/甄别) on this task, and what an upheld one excludes
    appeal_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    appeal_status: Mapped[str | None] = mapped_column(String(20), nullable=True)  # pending | upheld | refused
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appeal_evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    appeal_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    appeal_decision: Mapped[str] = mapped_column(Text, default="")
    appeal_excludes: Mapped[str | None] = mapped_column(String(20), nullable=True)  # verdict | outcome | all


# Session.info key: {(case_id, seq): event_type} of the case events a transaction wrote with Core (the group
# commit's multi-row INSERT, SqlCaseRepository.insert_new), which its identity map does not hold
WRITTEN_EVENTS = "gridgov.case_events_written"


class CaseEvent(Base):
    """Append-only record of every change; each row carries the hash of the case's previous event."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(40))
    tag: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# -- 督办/催办 (issue 15) ------------------------------------------------------------------------------
class CaseSupervision(Base):
    """One 督办 of a case: who put it under supervision, the unit that must answer, by when, and the answer.
    Each change is also an event of the case's chain (supervised, supervision_replied, supervision_escalated)."""

    __tablename__ = "case_supervisions"
    __table_args__ = (
        Index("ix_supervisions_case", "case_id"),
        Index("ix_supervisions_status_check", "status", "next_check_at"),
        Index("ix_supervisions_issued", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the unit that must answer (主办)
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    issued_by_role: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseUrge(Base):
    """One 催办 written by the deadline scan to a task: at most one per task and level (the unique key keeps two
    concurrent scans from writing it twice)."""

    __tablename__ = "case_urges"
    __table_args__ = (UniqueConstraint("task_id", "level", name="uq_case_urges_task_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("case_tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    level: Mapped[str] = mapped_column(String(10))
    urged_at: Mapped[datetime] = mapped_column(UTCDateTime())
