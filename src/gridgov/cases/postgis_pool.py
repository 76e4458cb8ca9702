"""Nearby cases and the duplicate pool on PostGIS (``GRIDGOV_GEO_BACKEND=postgis``): ``ST_DWithin`` over the
GiST index migration 0010 puts on each case's point as geography (``ix_cases_geog``), instead of a
latitude/longitude box on the B-tree.

The answers are the shapely path's:

* :func:`cases_near_postgis` is :func:`gridgov.cases.queries.cases_near` with the box replaced by
  ``ST_DWithin`` (sphere, radius + 1 cm). The database narrows; the same haversine
  (:func:`gridgov.geo.crs.distance_m`) decides and orders, so a case on the circle is in or out exactly as before.
* :class:`PostgisCaseRepository` is :class:`~gridgov.cases.repository.SqlCaseRepository` whose
  ``duplicate_pool`` reads the circle inscribed in the box the enricher asks for
  (:func:`gridgov.geo.crs.bbox_around` of radius + 150 m around the rounded point). The circle still holds every
  case within the duplicate radius of the case's own point (rounding moves the centre by at most ~75 m), and
  leaves out the box's corners, which the scoring drops anyway.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Boolean, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from gridgov.accounts.domain import Actor, scope_of
from gridgov.cases.audit import AuditedCaseRepository
from gridgov.cases.domain import StatusKind, statuses_of_kind
from gridgov.cases.models import Case
from gridgov.cases.ports import PoolCase
from gridgov.cases.queries import in_scope
from gridgov.cases.repository import SqlCaseRepository
from gridgov.geo.crs import distance_m
from gridgov.geo.postgis import CASE_POINT

EARTH_R: Final = 6371008.8  # gridgov.geo.crs's sphere
MARGIN_M: Final = 0.01  # PostGIS's sphere is 3 cm smaller than ours: a case at R by haversine is within R + 1 cm
CANDIDATES: Final = 5000  # as cases_near

# the case's point spelled as the index spells it (a literal SRID: a bound one would not match the index)
_POINT: ColumnElement[Any] = literal_column(CASE_POINT)
_SPHERE: ColumnElement[Any] = literal_column("false")


def _centre(lat: float, lon: float) -> ColumnElement[Any]:
    return func.geography(func.ST_SetSRID(func.ST_MakePoint(lon, lat), literal_column("4326")))


def within(lat: float, lon: float, radius_m: float) -> ColumnElement[bool]:
    """``ST_DWithin(case point, (lat, lon), radius_m)`` on the sphere, answered from ``ix_cases_geog``."""
    return func.ST_DWithin(_POINT, _centre(lat, lon), radius_m, _SPHERE, type_=Boolean)  # a bare call: indexable


def cases_near_postgis(
    session: Any, actor: Actor, lat: float, lon: float, radius_m: float, since: datetime, limit: int = 50
) -> list[dict[str, Any]]:
    """Cases within `radius_m` metres of a WGS-84 point reported since `since`, nearest first: the rows
    :func:`gridgov.cases.queries.cases_near` gives, found through the GiST index."""
    order = func.ST_Distance(_POINT, _centre(lat, lon), _SPHERE)
    stmt = (
        select(Case)
        .where(in_scope(scope_of(actor)), Case.created_at >= since, within(lat, lon, radius_m + MARGIN_M))
        .order_by(order)
        .limit(CANDIDATES)
    )
    out = []
    for c in session.scalars(stmt):
        assert c.lat is not None and c.lon is not None
        d = distance_m(lat, lon, c.lat, c.lon)
        if d <= radius_m:
            out.append(
                {
                    "id": c.id,
                    "tracking_code": c.tracking_code,
                    "title": c.title,
                    "status": c.status,
                    "category_code": c.category_code,
                    "grid_code": c.grid_code,
                    "distance_m": round(d, 1),
                    "created_at": c.created_at,
                }
            )
    out.sort(key=lambda r: (r["distance_m"], -r["id"]))
    return out[:limit]


class PostgisCaseRepository(SqlCaseRepository):
    """SqlCaseRepository with the duplicate pool read by ``ST_DWithin``."""

    def duplicate_pool(
        self, since: datetime, box: tuple[float, float, float, float] | None, street_prefix: str | None, limit: int
    ) -> list[PoolCase]:
        if box is None:
            return super().duplicate_pool(since, box, street_prefix, limit)
        min_lon, min_lat, max_lon, max_lat = box
        lat, lon = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
        radius_m = math.radians((max_lat - min_lat) / 2) * EARTH_R  # bbox_around's half height is R/earth
        open_statuses = [s.value for s in statuses_of_kind(StatusKind.OPEN) if s.value != "merged"]
        stmt = (
            select(
                Case.id,
                Case.tracking_code,
                Case.title,
                Case.description,
                Case.created_at,
                Case.lat,
                Case.lon,
                Case.grid_code,
            )
            .where(Case.created_at >= since, Case.status.in_(open_statuses), within(lat, lon, radius_m))
            .order_by(Case.created_at.desc())
            .limit(limit)
        )
        return [PoolCase(*r) for r in self.session.execute(stmt).all()]


class PostgisAuditedCaseRepository(PostgisCaseRepository, AuditedCaseRepository):
    """The unit of work's case repository under the postgis backend: events into the city's log, as always, and the
    duplicate pool read by ``ST_DWithin``."""
