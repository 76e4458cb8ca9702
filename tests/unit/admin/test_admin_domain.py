"""Who may administer whom (pure): the city's admin everything, a district admin only the district."""

from __future__ import annotations

import pytest

from gridgov.actor import Actor, Role
from gridgov.admin.domain import AdminScope, check_covers, check_may_give, scope_of
from gridgov.errors import PermissionDenied


def test_an_admin_without_a_unit_or_of_the_city_runs_the_whole_city() -> None:
    assert scope_of(Actor(user_id=1, unit_id=None, role=Role.ADMIN)) == AdminScope(None)
    assert scope_of(Actor(user_id=1, unit_id=None, role=Role.ADMIN, unit_grid="410100000000000")) == AdminScope(None)


def admin_of(grid: str) -> Actor:
    return Actor(user_id=1, unit_id=7, role=Role.ADMIN, unit_grid=grid)


def test_an_admin_of_a_district_or_below_runs_that_district() -> None:
    assert scope_of(admin_of("410102000000000")) == AdminScope("410102")
    assert scope_of(admin_of("410102001000000")) == AdminScope("410102")


def test_only_admins_administer() -> None:
    with pytest.raises(PermissionDenied):
        scope_of(Actor(user_id=1, unit_id=None, role=Role.DISPATCHER))


def test_a_district_admin_reaches_neither_other_districts_nor_the_city_nor_city_wide_roles() -> None:
    scope = AdminScope("410102")
    check_covers(scope, "410102001001001")
    for grid in ("410103001001001", "410100000000000", None):
        with pytest.raises(PermissionDenied):
            check_covers(scope, grid)
    check_may_give(scope, Role.STREET)
    for role in (Role.ADMIN, Role.LEADER):
        with pytest.raises(PermissionDenied):
            check_may_give(scope, role)
    check_may_give(AdminScope(None), Role.LEADER)
