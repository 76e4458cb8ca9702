"""Rows with sensible defaults: `make_case(status="dispatched", grid_code=...)`.

Plain functions (factory_boy is not a dependency). Each returns a new, session-less ORM row with every
NOT NULL column filled, so it can be added to a real session (tests/integration) or to a fake unit of work
(tests/unit). Keyword arguments override any column. Unique values (codes, usernames, tracking codes)
come from one counter, so two calls never collide.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from gridgov.accounts.models import ApiToken, User
from gridgov.audit.domain import GENESIS
from gridgov.campaigns.models import Campaign, Suggestion
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.categories.models import Category
from gridgov.classify.models import CategoryLabel
from gridgov.clock import SHANGHAI
from gridgov.grids.models import Grid, GridVersion
from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit

__all__ = [
    "AT",
    "make_assignment",
    "make_campaign",
    "make_case",
    "make_category",
    "make_event",
    "make_grid",
    "make_grid_version",
    "make_label",
    "make_rule",
    "make_suggestion",
    "make_task",
    "make_token",
    "make_unit",
    "make_user",
]

AT = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)  # the tests' usual "now": a Friday before National Day
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def _value(v: Any) -> Any:
    return getattr(v, "value", v)  # enums become their stored value


def _build(model: type[Any], defaults: dict[str, Any], overrides: dict[str, Any]) -> Any:
    return model(**{k: _value(v) for k, v in {**defaults, **overrides}.items()})


def make_unit(**kw: Any) -> Unit:
    n = _n()
    return _build(  # type: ignore[no-any-return]
        Unit,
        dict(code=f"U{n:05d}", name=f"测试单位{n}", kind="street_office", generated=False),
        kw,
    )


def make_category(**kw: Any) -> Category:
    n = _n()
    return _build(  # type: ignore[no-any-return]
        Category,
        dict(
            code=f"Z{n:04d}",
            parent_code=None,
            taxonomy="hotline12345",
            name=f"测试类别{n}",
            kind="service",
            urgency="normal",
            response_limit=1,
            response_unit="working_days",
            handle_limit=7,
            handle_unit="working_days",
            department_key="street",
            active=True,
        ),
        kw,
    )


def make_rule(**kw: Any) -> ResponsibilityRule:
    return _build(  # type: ignore[no-any-return]
        ResponsibilityRule,
        dict(category_code="", grid_prefix="4101", target="street", unit_id=None, note=""),
        kw,
    )


def make_grid_version(**kw: Any) -> GridVersion:
    n = _n()
    return _build(  # type: ignore[no-any-return]
        GridVersion,
        dict(name=f"测试网格版本{n}", source="test", active=True, created_at=AT, activated_at=AT),
        kw,
    )


def make_grid(**kw: Any) -> Grid:
    """A grid row without geometry (the geometry columns stay NULL); pass version_id, code, level."""
    n = _n()
    return _build(  # type: ignore[no-any-return]
        Grid,
        dict(
            code=f"410102001001{n % 1000:03d}",
            parent_code=None,
            level=4,
            name=f"测试网格{n}",
            official_code=None,
            generated=False,
        ),
        kw,
    )


def make_assignment(**kw: Any) -> GridAssignment:
    return _build(GridAssignment, {}, kw)  # type: ignore[no-any-return]


def make_user(**kw: Any) -> User:
    n = _n()
    return _build(  # type: ignore[no-any-return]
        User,
        dict(
            username=f"user{n}",
            display_name="",
            role="resident",
            unit_id=None,
            active=True,
            generated=False,
            created_at=AT,
            failed_logins=0,
        ),
        kw,
    )


def make_token(**kw: Any) -> ApiToken:
    n = _n()
    return _build(  # type: ignore[no-any-return]
        ApiToken,
        dict(
            name="test",
            token_hash=f"{n:064x}",
            prefix=f"gg_{n:07d}"[:12],
            created_at=AT,
            kind="api",
            scopes="read write",
        ),
        kw,
    )


def make_case(**kw: Any) -> Case:
    """A reported case in no grid; pass status, grid_code, category_code, created_at… as needed.

    `at` sets created_at and updated_at together."""
    n = _n()
    at = kw.pop("at", AT)
    return _build(  # type: ignore[no-any-return]
        Case,
        dict(
            tracking_code=f"20250926-T{n:05d}",
            title=f"测试案件{n}",
            description="",
            source="web",
            category_code=None,
            urgency="normal",
            address="",
            location_source="none",
            reporter_name="",
            reporter_phone="",
            category_source="reporter",
            needs_review=False,
            status="reported",
            created_at=at,
            updated_at=at,
            alarm_level="none",
            escalation_level=0,
            rework_count=0,
            return_count=0,
            postponed=False,
            event_count=0,
            last_event_hash=GENESIS,
            version=1,
        ),
        kw,
    )


def make_task(**kw: Any) -> CaseTask:
    """A pending primary task; pass case_id and unit_id."""
    at = kw.pop("at", AT)
    return _build(  # type: ignore[no-any-return]
        CaseTask,
        dict(
            role="primary",
            status="pending",
            assigned_at=at,
            response_due_at=at,
            handle_due_at=at,
            feedback="",
            evidence=[],
            return_reason="",
            rework_count=0,
            postponed=False,
            rating_note="",
        ),
        kw,
    )


def make_event(**kw: Any) -> CaseEvent:
    """An event row with placeholder hashes (not a valid chain: build chains through the services)."""
    return _build(  # type: ignore[no-any-return]
        CaseEvent,
        dict(
            seq=1,
            event_type="case_reported",
            tag="case:created",
            action="report_case",
            from_status=None,
            to_status="reported",
            actor_id=None,
            actor_role="system",
            unit_id=None,
            occurred_at=AT,
            payload={},
            prev_hash=GENESIS,
            hash="0" * 64,
        ),
        kw,
    )


def make_label(**kw: Any) -> CategoryLabel:
    return _build(  # type: ignore[no-any-return]
        CategoryLabel,
        dict(text="楼道堆物", label="H1802", source="dispatcher", created_at=AT),
        kw,
    )


def make_campaign(**kw: Any) -> Campaign:
    n = _n()
    return _build(  # type: ignore[no-any-return]
        Campaign,
        dict(
            slug=f"campaign-{n}",
            title=f"测试征集{n}",
            organiser="郑州市城市管理局",
            description="",
            opens_at=AT,
            closes_at=AT.replace(year=2026),
            late_policy="refuse",
            fields=["traffic"],
            channels=["web"],
            public=True,
            postal_address="",
            postcode="",
            letter_marking="",
            created_at=AT,
        ),
        kw,
    )


def make_suggestion(**kw: Any) -> Suggestion:
    """A received web suggestion; pass campaign_id."""
    n = _n()
    at = kw.pop("at", AT)
    return _build(  # type: ignore[no-any-return]
        Suggestion,
        dict(
            ref=f"S-{n:06d}",
            channel="web",
            title=f"建议{n}",
            content="增加公交线路",
            field_source="none",
            status="received",
            late=False,
            submitter_name="",
            submitter_phone="",
            submitter_email="",
            submitter_address="",
            postcode="",
            letter_marking="",
            reply="",
            received_at=at,
            updated_at=at,
        ),
        kw,
    )
