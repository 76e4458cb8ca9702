"""The SQL side of editing reference data as data (units.admin): rules, categories, grid-worker assignments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gridgov.categories.models import Category
from gridgov.grids.models import Grid, GridVersion
from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit


class SqlUnitAdminStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def rules(self, category: str | None, grid_prefix: str | None) -> list[tuple[ResponsibilityRule, Unit | None]]:
        stmt = select(ResponsibilityRule, Unit).outerjoin(Unit, Unit.id == ResponsibilityRule.unit_id)
        if category is not None:
            stmt = stmt.where(ResponsibilityRule.category_code == category)
        if grid_prefix is not None:
            stmt = stmt.where(ResponsibilityRule.grid_prefix == grid_prefix)
        rows = self.session.execute(stmt.order_by(ResponsibilityRule.category_code, ResponsibilityRule.grid_prefix))
        return [(r, u) for r, u in rows.all()]

    def rule(self, category: str, grid_prefix: str) -> ResponsibilityRule | None:
        return self.session.scalars(
            select(ResponsibilityRule).where(
                ResponsibilityRule.category_code == category, ResponsibilityRule.grid_prefix == grid_prefix
            )
        ).first()

    def add_rule(self, rule: ResponsibilityRule) -> None:
        self.session.add(rule)
        self.session.flush()

    def delete_rule(self, category: str, grid_prefix: str) -> int:
        done = self.session.execute(
            delete(ResponsibilityRule).where(
                ResponsibilityRule.category_code == category, ResponsibilityRule.grid_prefix == grid_prefix
            )
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    def unit_id(self, code: str) -> int | None:
        return self.session.scalars(select(Unit.id).where(Unit.code == code)).first()

    def department_keys(self) -> set[str]:
        rows = self.session.scalars(select(Unit.department_key).where(Unit.department_key.is_not(None)).distinct())
        return {k for k in rows if k}

    def categories(self) -> dict[str, Category]:
        return {c.code: c for c in self.session.scalars(select(Category))}

    def add_category(self, category: Category) -> None:
        self.session.add(category)

    def grid_in_active_version(self, code: str) -> bool:
        version = self.session.scalars(select(GridVersion.id).where(GridVersion.active.is_(True))).first()
        if version is None:
            return False
        found = self.session.scalars(select(Grid.id).where(Grid.version_id == version, Grid.code == code)).first()
        return found is not None

    def assigned(self, user_id: int, grid_code: str) -> bool:
        found = self.session.scalars(
            select(GridAssignment.id).where(GridAssignment.user_id == user_id, GridAssignment.grid_code == grid_code)
        ).first()
        return found is not None

    def assign(self, user_id: int, grid_codes: Sequence[str]) -> None:
        for code in grid_codes:
            self.session.add(GridAssignment(user_id=user_id, grid_code=code))
