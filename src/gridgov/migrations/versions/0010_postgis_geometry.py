"""grids: a PostGIS geometry column and GiST indexes, where the postgis extension is created in the database

Only on PostgreSQL, and only where `CREATE EXTENSION postgis` has been run in this database before migrating
(the Debian package is postgresql-15-postgis-3). Anywhere else (SQLite, PostgreSQL without PostGIS) this
revision does nothing; `gridgov grid postgis` does the same later, for a database migrated before the extension.

- grids.geom geometry(Geometry, 4326), generated from geom_wkb (ST_GeomFromWKB, stored): every writer of grids
  (gridgov init, gridgov grid import) writes the geometry, and it cannot drift from the WKB;
- GiST indexes on it: all levels (ix_grids_geom) and the L3 grids that locate reads (ix_grids_geom_l3);
- a GiST index over each case's point as geography (ix_cases_geog), for ST_DWithin in nearby and duplicate
  queries (gridgov.cases.postgis_pool spells the same expression).

The statements are gridgov.geo.postgis.GEOMETRY_DDL (a test keeps the two the same).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DDL = (
    "ALTER TABLE grids ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 4326) "
    "GENERATED ALWAYS AS (ST_GeomFromWKB(geom_wkb, 4326)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_grids_geom ON grids USING gist (geom)",
    "CREATE INDEX IF NOT EXISTS ix_grids_geom_l3 ON grids USING gist (geom) WHERE level = 4",
    "CREATE INDEX IF NOT EXISTS ix_cases_geog ON cases USING gist "
    "((geography(ST_SetSRID(ST_MakePoint(lon, lat), 4326))))",
)


def _postgis() -> bool:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return False
    return conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is not None


def upgrade() -> None:
    if not _postgis():
        return
    for statement in DDL:
        op.execute(statement)


def downgrade() -> None:
    if not _postgis():
        return
    op.execute("DROP INDEX IF EXISTS ix_cases_geog")
    op.execute("DROP INDEX IF EXISTS ix_grids_geom_l3")
    op.execute("DROP INDEX IF EXISTS ix_grids_geom")
    op.execute("ALTER TABLE grids DROP COLUMN IF EXISTS geom")
