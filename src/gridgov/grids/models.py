from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class GridVersion(Base):
    __tablename__ = "grid_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Grid(Base):
    __tablename__ = "grids"
    __table_args__ = (
        UniqueConstraint("version_id", "code", name="uq_grids_version_code"),
        Index("ix_grids_version_parent", "version_id", "parent_code"),
        Index("ix_grids_version_level", "version_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("grid_versions.id"))
    code: Mapped[str] = mapped_column(String(15))
    parent_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    official_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    # polygon in WGS-84 as WKB, and its bounding box for index-friendly filters without PostGIS
    geom_wkb: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    min_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    min_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_lat: Mapped[float | None] = mapped_column(Float, nullable=True)


class Organisation(Base):
    """Party, social and residents' organisations embedded in a grid (党建+社会组织+群众自组织)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # party | social | residents
    name: Mapped[str] = mapped_column(String(200))
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
