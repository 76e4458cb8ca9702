"""Admin commands on accounts: which grids a grid worker answers for."""

from __future__ import annotations

from typing import Protocol

from gridgov.accounts.ports import AccountsUnitOfWork
from gridgov.errors import NotFound, ValidationFailed
from gridgov.grids.domain import check_code
from gridgov.units.ports import UnitAdminUnitOfWork


class AccountsAdminUnitOfWork(AccountsUnitOfWork, UnitAdminUnitOfWork, Protocol):
    pass


def assign_grid(uow: AccountsAdminUnitOfWork, username: str, grid: str) -> None:
    """Assign a grid worker to a grid of the active version."""
    check_code(grid)
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise NotFound(f"用户不存在: {username}")
        if user.role != "grid_worker":
            raise ValidationFailed(f"只有网格员可以分配网格 (该用户角色为 {user.role})")
        store = uow.unit_admin
        if not store.grid_in_active_version(grid):
            raise NotFound(f"网格不存在: {grid}")
        if not store.assigned(user.id, grid):
            store.assign(user.id, [grid])
        uow.commit()
