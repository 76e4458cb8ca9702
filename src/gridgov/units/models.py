from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base


class Unit(Base):
    """An organisation that handles or supervises cases: department, bureau, street office, community."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    grid_code: Mapped[str | None] = mapped_column(String(15), nullable=True, index=True)
    department_key: Mapped[str | None] = mapped_column(String(20), nullable=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # false: merged or retired


class ResponsibilityRule(Base):
    """权属: (category subtree, grid subtree) → responsible unit. The most specific rule wins."""

    __tablename__ = "responsibility_rules"
    __table_args__ = (UniqueConstraint("category_code", "grid_prefix", name="uq_rules_category_grid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(String(20))  # "" = any category
    grid_prefix: Mapped[str] = mapped_column(String(15))  # significant grid prefix, "4101" = whole city
    target: Mapped[str] = mapped_column(String(20), default="unit")  # unit | street | community
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")


class GridAssignment(Base):
    """A grid worker (a user) assigned to a grid, usually an L3 micro-grid."""

    __tablename__ = "grid_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "grid_code", name="uq_assign_user_grid"),
        Index("ix_assign_grid", "grid_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grid_code: Mapped[str] = mapped_column(String(15))
