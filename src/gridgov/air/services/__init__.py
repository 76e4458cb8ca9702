"""The air-quality use cases (imports own their transaction; reports only read)."""

from gridgov.air.services.common import EDITORS
from gridgov.air.services.imports import (
    Imported,
    area_day,
    import_city_indices,
    import_hourly,
    import_stations,
    recompute_days,
)
from gridgov.air.services.reports import (
    AreaStanding,
    CityRanking,
    CompositeReport,
    city_ranking,
    composite_report,
    daily_report,
    district_ranking,
)

__all__ = [
    "EDITORS",
    "AreaStanding",
    "CityRanking",
    "CompositeReport",
    "Imported",
    "area_day",
    "city_ranking",
    "composite_report",
    "daily_report",
    "district_ranking",
    "import_city_indices",
    "import_hourly",
    "import_stations",
    "recompute_days",
]
