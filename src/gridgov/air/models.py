"""ORM rows of the air-quality feature: stations, their hourly values, each area's day, imports, and the
national list of key cities' composite index values."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, UTCDateTime


class AirStation(Base):
    """A monitoring station (国控/省控点位) and the district it counts for."""

    __tablename__ = "air_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(40), default="")
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)


class AirImport(Base):
    """One accepted file (a rejected file leaves no row)."""

    __tablename__ = "air_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # hourly | stations | cities
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    period: Mapped[str | None] = mapped_column(String(10), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class AirHour(Base):
    """One station's hour (HH:00–HH+1:00, Beijing time). NULL: no valid value that hour."""

    __tablename__ = "air_hours"
    __table_args__ = (Index("ix_air_hours_day", "day"),)

    station_id: Mapped[int] = mapped_column(ForeignKey("air_stations.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    so2: Mapped[float | None] = mapped_column(Float, nullable=True)
    no2: Mapped[float | None] = mapped_column(Float, nullable=True)
    pm10: Mapped[float | None] = mapped_column(Float, nullable=True)
    pm25: Mapped[float | None] = mapped_column(Float, nullable=True)
    co: Mapped[float | None] = mapped_column(Float, nullable=True)
    o3: Mapped[float | None] = mapped_column(Float, nullable=True)
    o3_8h: Mapped[float | None] = mapped_column(Float, nullable=True)  # as published
    import_id: Mapped[int] = mapped_column(ForeignKey("air_imports.id"))


class AirDay(Base):
    """An area's day (a district, or the city: every station of it), recomputed from the hours on import."""

    __tablename__ = "air_days"

    area_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    so2: Mapped[float | None] = mapped_column(Float, nullable=True)
    no2: Mapped[float | None] = mapped_column(Float, nullable=True)
    pm10: Mapped[float | None] = mapped_column(Float, nullable=True)
    pm25: Mapped[float | None] = mapped_column(Float, nullable=True)
    co: Mapped[float | None] = mapped_column(Float, nullable=True)
    o3_1h: Mapped[float | None] = mapped_column(Float, nullable=True)
    o3_8h: Mapped[float | None] = mapped_column(Float, nullable=True)
    aqi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    primary: Mapped[str] = mapped_column(String(60), default="")
    table_version: Mapped[str] = mapped_column(String(20), default="")


class AirCityIndex(Base):
    """A key city's published composite index for a period (the national ranking of 168 cities)."""

    __tablename__ = "air_city_indices"
    __table_args__ = (UniqueConstraint("period", "city", name="uq_air_city_indices_period_city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    city: Mapped[str] = mapped_column(String(40))
    province: Mapped[str] = mapped_column(String(40), default="")
    composite: Mapped[float] = mapped_column(Float)
    published_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("air_imports.id"))
