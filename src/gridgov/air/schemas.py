"""What the air routes take and give (Pydantic)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

PeriodText = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}|Q[1-4])?$", description="YYYY-MM, YYYYQn 或 YYYY (年初至今)")]


class ImportedPublic(BaseModel):
    import_id: int
    rows: int
    first_day: str | None = None
    last_day: str | None = None
    stations: int = 0
    days: int = 0
    added: int = 0
    updated: int = 0
    period: str | None = None


class StandingPublic(BaseModel):
    name: str
    index: float
    rank: int
    from_bottom: int
    total: int
    text: str
