"""Read-only look-ups for pages and case queries that hold a plain session."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.units.models import Unit
from gridgov.units.repository import SqlUnitRepository
from gridgov.units.services import resolve


def responsible_unit_in_session(session: Session, category_code: str | None, grid_code: str) -> Unit:
    """The responsibility matrix's choice (see units.services.resolve)."""
    return resolve(SqlUnitRepository(session), category_code, grid_code)
