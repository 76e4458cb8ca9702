"""The PostGIS backend gives the shapely backend's answers on the demo city (Zhengzhou's 19,875 generated L3 grids):
point → grid on 100,000 points and more on and near edges, and nearby cases and the duplicate pool over 100,000
case points. Runs on PostgreSQL with the postgis extension created in the test database before migrating
(.ci/run does this); skipped, saying why, anywhere else. Each test runs in the rolled-back transaction of
tests/integration/conftest.py."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
import shapely
from sqlalchemy import Connection, insert, text
from sqlalchemy.orm import Session, sessionmaker

from gridgov.actor import Actor, Role
from gridgov.cases.models import Case
from gridgov.cases.postgis_pool import PostgisCaseRepository, cases_near_postgis
from gridgov.cases.queries import cases_near
from gridgov.cases.repository import SqlCaseRepository
from gridgov.geo.crs import bbox_around, distance_m
from gridgov.geo.generate import generate_zhengzhou
from gridgov.geo.postgis import GEOMETRY_DDL, PostgisAreaLookup, geometry_count, postgis_state
from gridgov.geo.services import shape_columns
from gridgov.geo.shapes import ShapesAreaLookup
from gridgov.grids.domain import GridLevel
from gridgov.grids.models import Grid, GridVersion

from factories import AT, make_case

pytestmark = pytest.mark.slow  # generates the demo city's L3 grids and stores 100,000 case points


@pytest.fixture
def postgis(session: Session) -> Session:
    missing = postgis_state(session)
    if missing is not None:
        pytest.skip(
            "PostGIS backend not testable here: "
            + missing
            + " (needs GRIDGOV_TEST_DATABASE_URL on PostgreSQL with postgresql-15-postgis-3 installed and "
            "CREATE EXTENSION postgis run in the test database before migrating)"
        )
    return session


@pytest.fixture(scope="module")
def l3() -> list[tuple[str, bytes]]:
    shapes = [s for s in generate_zhengzhou() if s.level == GridLevel.MICRO]
    return [(s.code, shapely.to_wkb(s.geometry)) for s in shapes]


def store_grids(session: Session, l3: list[tuple[str, bytes]]) -> int:
    version = GridVersion(name="postgis-test", source="test", active=False, created_at=AT)
    session.add(version)
    session.flush()
    rows = []
    for code, wkb in l3:
        rows.append(
            dict(
                version_id=version.id,
                code=code,
                parent_code=code[:12] + "000",
                level=4,
                name=code,
                generated=True,
                **shape_columns(shapely.from_wkb(wkb)),
            )
        )
    session.execute(insert(Grid), rows)
    session.flush()
    return version.id


def test_the_migration_and_the_repair_command_make_the_same_objects(postgis: Session) -> None:
    from importlib import import_module

    migration = import_module("gridgov.migrations.versions.0010_postgis_geometry")
    assert tuple(migration.DDL) == tuple(GEOMETRY_DDL)
    indexes = {
        r[0] for r in postgis.execute(text("SELECT indexname FROM pg_indexes WHERE tablename IN ('grids', 'cases')"))
    }
    assert {"ix_grids_geom", "ix_grids_geom_l3", "ix_cases_geog"} <= indexes


def test_locate_agrees_with_shapely_point_by_point(
    postgis: Session, sessions: sessionmaker[Session], l3: list[tuple[str, bytes]]
) -> None:
    version_id = store_grids(postgis, l3)
    assert geometry_count(postgis, version_id) == len(l3) == 19_875  # written by the generated column
    shapely_lookup = ShapesAreaLookup.from_wkb((c, 4, w) for c, w in l3)
    db = PostgisAreaLookup(sessions, version_id)
    index = shapely_lookup.index

    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = index.bounds
    xs, ys = rng.uniform(minx - 0.02, maxx + 0.02, 100_000), rng.uniform(miny - 0.02, maxy + 0.02, 100_000)
    expected, got = shapely_lookup.locate_many(xs, ys), db.locate_many(xs, ys)
    agree = int(sum(a == b for a, b in zip(expected, got, strict=True)))
    assert agree == 100_000, f"{100_000 - agree} of 100,000 points differ"
    assert 50_000 < sum(c is not None for c in got) < 80_000

    coords = shapely.get_coordinates(index.geometries)
    vertices = coords[rng.choice(len(coords), 5000, replace=False)]
    edges = ((coords[:-1] + coords[1:]) / 2)[rng.choice(len(coords) - 1, 5000, replace=False)]
    hair = [vertices + rng.normal(0, s, vertices.shape) for s in (1e-9, 1e-7, 1e-5)]
    hard = np.vstack([vertices, edges, *hair])
    expected, got = shapely_lookup.locate_many(hard[:, 0], hard[:, 1]), db.locate_many(hard[:, 0], hard[:, 1])
    differ = [(x, y, a, b) for (x, y), a, b in zip(hard, expected, got, strict=True) if a != b]
    assert not differ, f"{len(differ)} of {len(hard)} edge points differ, e.g. {differ[:3]}"

    for x, y in np.vstack([np.column_stack([xs[:500], ys[:500]]), vertices[:500]]):
        assert db.locate(float(y), float(x)) == shapely_lookup.locate(float(y), float(x))
    assert not db.locate(39.9, 116.4).inside
    gcj = db.locate(34.75, 113.66, "gcj02")
    assert gcj == shapely_lookup.locate(34.75, 113.66, "gcj02")


def store_cases(connection: Connection, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    lats = rng.uniform(34.25, 34.98, n)
    lons = rng.uniform(112.72, 114.23, n)
    template = {k: v for k, v in make_case().__dict__.items() if not k.startswith("_") and k != "id"}
    rows = []
    for i in range(n):
        at = AT - timedelta(hours=int(rng.integers(0, 24 * 20)))
        status = "reported" if i % 7 else "closed"
        rows.append(
            {
                **template,
                "tracking_code": f"PG{i:07d}",
                "lat": float(lats[i]),
                "lon": float(lons[i]),
                "created_at": at,
                "updated_at": at,
                "status": status,
                "grid_code": None,
            }
        )
    for start in range(0, n, 10_000):
        connection.execute(insert(Case.__table__), rows[start : start + 10_000])  # type: ignore[arg-type]
    return lats, lons


def on_circle(lat: float, lon: float, radius_m: float, bearing: float) -> tuple[float, float]:
    """A point `radius_m` from (lat, lon) by the same haversine the queries use (a hair inside or out)."""
    dlat = math.degrees(radius_m * math.cos(bearing) / 6371008.8)
    dlon = math.degrees(radius_m * math.sin(bearing) / 6371008.8) / math.cos(math.radians(lat))
    return lat + dlat, lon + dlon


def test_nearby_and_duplicate_pool_agree_with_the_box_queries(
    postgis: Session, connection: Connection, sessions: sessionmaker[Session]
) -> None:
    rng = np.random.default_rng(9)
    lats, lons = store_cases(connection, 100_000, rng)
    centres = rng.integers(0, 100_000, 300)
    # cases right on the circles: the exact distance must decide exactly as in the box query
    extra = []
    for c in centres[:60]:
        for bearing in rng.uniform(0, 2 * math.pi, 3):
            la, lo = on_circle(float(lats[c]), float(lons[c]), 1500.0, float(bearing))
            d = distance_m(float(lats[c]), float(lons[c]), la, lo)
            extra.append((la, lo, d))
    template = {k: v for k, v in make_case().__dict__.items() if not k.startswith("_") and k != "id"}
    connection.execute(
        insert(Case.__table__),  # type: ignore[arg-type]
        [
            {**template, "tracking_code": f"PE{i:05d}", "lat": la, "lon": lo, "status": "reported"}
            for i, (la, lo, _) in enumerate(extra)
        ],
    )
    admin = Actor(1, Role.ADMIN, None)
    since = AT - timedelta(days=14)
    compared = 0
    with sessions() as s:
        for c in centres:
            lat, lon = float(lats[c]), float(lons[c])
            for radius in (200.0, 1500.0):
                want = cases_near(s, admin, lat, lon, radius, since, limit=10_000)
                got = cases_near_postgis(s, admin, lat, lon, radius, since, limit=10_000)
                assert got == want
                compared += len(want)
        assert compared > 3000

        sql, pg = SqlCaseRepository(s), PostgisCaseRepository(s)
        for c in centres[:200]:
            lat, lon = float(lats[c]), float(lons[c])
            box = bbox_around(round(lat, 3), round(lon, 3), 500 + 150)
            by_box = sql.duplicate_pool(since, box, None, limit=10_000)
            by_circle = pg.duplicate_pool(since, box, None, limit=10_000)
            assert {p.id for p in by_circle} <= {p.id for p in by_box}

            near_circle = {p.id for p in by_circle if distance_m(lat, lon, p.lat, p.lon) <= 500}
            near_box = {p.id for p in by_box if distance_m(lat, lon, p.lat, p.lon) <= 500}
            assert near_circle == near_box
            assert pg.duplicate_pool(since, None, "410102001", 60) == sql.duplicate_pool(since, None, "410102001", 60)
