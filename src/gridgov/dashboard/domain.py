"""Who reads the leaders' dashboard (pure): its page, its live data, its rankings and exports."""

from __future__ import annotations

from gridgov.metrics.domain import RANKING_ROLES

DASHBOARD_ROLES = RANKING_ROLES  # one list: the dashboard and /api/v1/metrics/* (metrics.domain)
