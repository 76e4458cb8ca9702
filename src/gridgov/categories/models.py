from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    taxonomy: Mapped[str] = mapped_column(String(20), index=True)  # dcg | hotline12345
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # component | event | service
    urgency: Mapped[str] = mapped_column(String(20))
    response_limit: Mapped[int] = mapped_column(Integer)
    response_unit: Mapped[str] = mapped_column(String(20))
    handle_limit: Mapped[int] = mapped_column(Integer)
    handle_unit: Mapped[str] = mapped_column(String(20))
    department_key: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
