"""Unit tier: services on the in-memory fakes (tests/fakes.py). No database, no network, no server."""

from __future__ import annotations

import pytest

from gridgov.cases.services import CasePolicy
from gridgov.clock import FixedClock, WorkingDays

from fakes import FakeClassifier, FakeLocator, FakeUnitOfWork, TinyWorld, fixed_calendar, fixed_clock, seed_world


@pytest.fixture
def tiny() -> TinyWorld:
    """A fresh tiny world (city, district, street, community, two departments, categories, grids, rules, users)."""
    return seed_world()


@pytest.fixture
def uow(tiny: TinyWorld) -> FakeUnitOfWork:
    return tiny.uow()


@pytest.fixture
def clock() -> FixedClock:
    return fixed_clock()


@pytest.fixture
def calendar() -> WorkingDays:
    return fixed_calendar()


@pytest.fixture
def policy() -> CasePolicy:
    return CasePolicy()


@pytest.fixture
def locator(tiny: TinyWorld) -> FakeLocator:
    return tiny.locator()


@pytest.fixture
def classifier() -> FakeClassifier:
    return FakeClassifier()
