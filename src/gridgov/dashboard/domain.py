"""Who reads the leaders' dashboard (pure): its page, its live data, its rankings and exports."""

from __future__ import annotations

from gridgov.actor import Role

DASHBOARD_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.OPERATOR, Role.STREET, Role.ADMIN})
