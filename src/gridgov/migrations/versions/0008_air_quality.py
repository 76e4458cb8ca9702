"""air quality: stations, hourly station data, each area's days (AQI per HJ 633), imports and the key cities' composite
index list

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gridgov.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "air_days",
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("so2", sa.Float(), nullable=True),
        sa.Column("no2", sa.Float(), nullable=True),
        sa.Column("pm10", sa.Float(), nullable=True),
        sa.Column("pm25", sa.Float(), nullable=True),
        sa.Column("co", sa.Float(), nullable=True),
        sa.Column("o3_1h", sa.Float(), nullable=True),
        sa.Column("o3_8h", sa.Float(), nullable=True),
        sa.Column("aqi", sa.Integer(), nullable=True),
        sa.Column("primary", sa.String(length=60), nullable=False),
        sa.Column("table_version", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("area_code", "day", name=op.f("pk_air_days")),
    )
    op.create_table(
        "air_stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_air_stations")),
        sa.UniqueConstraint("code", name=op.f("uq_air_stations_code")),
    )
    with op.batch_alter_table("air_stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_air_stations_district_code"), ["district_code"], unique=False)

    op.create_table(
        "air_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("imported_at", gridgov.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_air_imports_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_air_imports")),
    )
    op.create_table(
        "air_city_indices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("composite", sa.Float(), nullable=False),
        sa.Column("published_rank", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["air_imports.id"], name=op.f("fk_air_city_indices_import_id_air_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_air_city_indices")),
        sa.UniqueConstraint("period", "city", name="uq_air_city_indices_period_city"),
    )
    with op.batch_alter_table("air_city_indices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_air_city_indices_period"), ["period"], unique=False)

    op.create_table(
        "air_hours",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("so2", sa.Float(), nullable=True),
        sa.Column("no2", sa.Float(), nullable=True),
        sa.Column("pm10", sa.Float(), nullable=True),
        sa.Column("pm25", sa.Float(), nullable=True),
        sa.Column("co", sa.Float(), nullable=True),
        sa.Column("o3", sa.Float(), nullable=True),
        sa.Column("o3_8h", sa.Float(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["air_imports.id"], name=op.f("fk_air_hours_import_id_air_imports")),
        sa.ForeignKeyConstraint(["station_id"], ["air_stations.id"], name=op.f("fk_air_hours_station_id_air_stations")),
        sa.PrimaryKeyConstraint("station_id", "day", "hour", name=op.f("pk_air_hours")),
    )
    with op.batch_alter_table("air_hours", schema=None) as batch_op:
        batch_op.create_index("ix_air_hours_day", ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("air_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_air_hours_day")

    op.drop_table("air_hours")
    with op.batch_alter_table("air_city_indices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_air_city_indices_period"))

    op.drop_table("air_city_indices")
    op.drop_table("air_imports")
    with op.batch_alter_table("air_stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_air_stations_district_code"))

    op.drop_table("air_stations")
    op.drop_table("air_days")
