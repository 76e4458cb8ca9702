from __future__ import annotations

import pytest

from gridgov.accounts.domain import Role
from gridgov.screens.domain import SCREENS, home_of, safe_next, screens_for


@pytest.mark.parametrize(
    "target",
    ["", "x", "//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/ /x", "https://e.x/"],
)
def test_only_plain_local_paths_are_followed_after_sign_in(target: str) -> None:
    assert safe_next(target) is None


def test_local_paths_are_kept() -> None:
    assert safe_next("/cases/12?tab=chain") == "/cases/12?tab=chain"


def test_every_role_lands_on_a_screen_it_may_open() -> None:
    for role in Role:
        if role is Role.SYSTEM:
            continue
        home = home_of(role)
        assert any(s.path == home for s in screens_for(role)), role
    assert [s.path for s in screens_for(Role.RESIDENT)] == ["/report", "/my"]
    assert Role.RESIDENT not in SCREENS["queue"].roles
