"""Read-only look-ups for the air pages and routes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.units.models import Unit


def area_names(sessions: sessionmaker[Session], codes: Sequence[str]) -> dict[str, str]:
    """The unit name of each area code (the city's and the districts' units carry the division codes)."""
    if not codes:
        return {}
    with sessions() as s:
        return {code: name for code, name in s.execute(select(Unit.code, Unit.name).where(Unit.code.in_(list(codes))))}
