"""Admin commands on accounts: which grids a grid worker answers for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.models import User
from gridgov.errors import NotFound, ValidationFailed
from gridgov.grids.domain import check_code
from gridgov.grids.models import Grid, GridVersion
from gridgov.units.models import GridAssignment


def assign_grid(sessions: sessionmaker[Session], username: str, grid: str) -> None:
    """Assign a grid worker to a grid of the active version."""
    check_code(grid)
    with sessions() as s, s.begin():
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound(f"用户不存在: {username}")
        if user.role != "grid_worker":
            raise ValidationFailed(f"只有网格员可以分配网格 (该用户角色为 {user.role})")
        version = s.scalars(select(GridVersion.id).where(GridVersion.active.is_(True))).first()
        if (
            version is None
            or s.scalars(select(Grid.id).where(Grid.version_id == version, Grid.code == grid)).first() is None
        ):
            raise NotFound(f"网格不存在: {grid}")
        if (
            s.scalars(
                select(GridAssignment.id).where(GridAssignment.user_id == user.id, GridAssignment.grid_code == grid)
            ).first()
            is None
        ):
            s.add(GridAssignment(user_id=user.id, grid_code=grid))
