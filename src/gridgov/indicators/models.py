"""ORM rows of the indicator registry: indicators, their stored values, 三标 per unit (targets and
milestones), ranking schemes, and the hash-chained record of every change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class Indicator(Base):
    """One figure with a target: what it measures, over which period, for which level of unit, from where."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")  # unit of measure: %, 亿元, …
    direction: Mapped[str] = mapped_column(String(10))  # higher | lower
    period_kind: Mapped[str] = mapped_column(String(10))  # month | quarter | year
    level: Mapped[str] = mapped_column(String(20), index=True)  # city | district | street | department
    source_kind: Mapped[str] = mapped_column(String(20))  # computed | imported | manual
    source_key: Mapped[str | None] = mapped_column(String(80), nullable=True)  # the computed source
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the head of this indicator's record (as on a case row)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class IndicatorValue(Base):
    """A value imported from a file or entered by hand (computed values are computed when read)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_code", "period", name="uq_indicator_values_unit_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    unit_code: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))  # 2025-09, 2025Q3, 2025
    value: Mapped[float] = mapped_column(Float)
    source_kind: Mapped[str] = mapped_column(String(20))  # imported | manual
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100), default="")  # the person's name as recorded then
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filename: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")


class IndicatorTarget(Base):
    """标杆 and 标准 of one unit on one indicator."""

    __tablename__ = "indicator_targets"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_code", name="uq_indicator_targets_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    unit_code: Mapped[str] = mapped_column(String(40))
    benchmark: Mapped[float | None] = mapped_column(Float, nullable=True)  # 标杆
    benchmark_source: Mapped[str] = mapped_column(String(200), default="")  # "杭州 2025 按期结案率 99.5%"
    standard: Mapped[float | None] = mapped_column(Float, nullable=True)  # 标准
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IndicatorMilestone(Base):
    """标志: a date and the value to reach by it."""

    __tablename__ = "indicator_milestones"
    __table_args__ = (Index("ix_indicator_milestones_unit", "indicator_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    unit_code: Mapped[str] = mapped_column(String(40))
    due: Mapped[date] = mapped_column(Date)
    target: Mapped[float] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RankingScheme(Base):
    """The composite weights of a ranking: indicator code → weight (data, not code)."""

    __tablename__ = "ranking_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class IndicatorEvent(Base):
    """Append-only record of every change to an indicator or a ranking scheme; each row carries the hash of the
    subject's previous event (gridgov.audit.domain)."""

    __tablename__ = "indicator_events"
    __table_args__ = (UniqueConstraint("subject", "seq", name="uq_indicator_events_subject_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(60))  # indicator:<code> | scheme:<code>
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(40))
    tag: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
