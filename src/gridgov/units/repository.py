from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit
from gridgov.units.ports import UnitRepository


class SqlUnitRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, unit_id: int) -> Unit | None:
        return self.session.get(Unit, unit_id)

    def by_code(self, code: str) -> Unit | None:
        return self.session.scalars(select(Unit).where(Unit.code == code)).first()

    def by_area(self, grid_code: str, kind: str) -> Unit | None:
        return self.session.scalars(select(Unit).where(Unit.grid_code == grid_code, Unit.kind == kind)).first()

    def rules_for(self, category_prefixes: Sequence[str], grid_prefixes: Sequence[str]) -> Sequence[ResponsibilityRule]:
        stmt = select(ResponsibilityRule).where(
            ResponsibilityRule.category_code.in_(list(category_prefixes)),
            ResponsibilityRule.grid_prefix.in_(list(grid_prefixes)),
        )
        return self.session.scalars(stmt).all()

    def assigned_grid_codes(self, user_id: int) -> Sequence[str]:
        return self.session.scalars(select(GridAssignment.grid_code).where(GridAssignment.user_id == user_id)).all()


__all__ = ["UnitRepository", "SqlUnitRepository"]
