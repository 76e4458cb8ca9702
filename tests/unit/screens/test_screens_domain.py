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


def test_each_screens_status_filter_names_real_statuses_once() -> None:
    from gridgov.cases.domain import CaseStatus, StatusKind
    from gridgov.screens.domain import INBOX_FILTERS, QUEUE_FILTERS, QUEUE_REVIEW, WAITING, WORKER_OPEN, WORKER_VERIFY

    words = {s.value for s in CaseStatus} | {k.value for k in StatusKind}
    for value in [v for v, _ in QUEUE_FILTERS + INBOX_FILTERS] + [QUEUE_REVIEW, WORKER_OPEN, WORKER_VERIFY]:
        assert all(part in words for part in value.split(",") if part), value
    assert QUEUE_FILTERS[0][0] == WAITING and len({v for v, _ in QUEUE_FILTERS}) == len(QUEUE_FILTERS)
