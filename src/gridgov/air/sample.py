"""Files in the published layout with made-up values, for the tests, the benchmark and trying the feature out:
a station list and a year (or any span) of hourly data. The values are smooth and deterministic (a seasonal
curve plus a daily one), not measurements."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

HOURLY_HEADER = "监测时间,城市,监测点位名称,点位编码,SO2,NO2,PM10,PM2.5,CO,O3,O3_8h"


def station_codes(n: int) -> list[str]:
    return [f"{1001 + i}A" for i in range(n)]


def stations_csv(codes: Sequence[str], districts: Sequence[str], city: str = "郑州") -> bytes:
    """One station per code, spread over the districts in turn."""
    lines = ["点位编码,点位名称,区县代码,城市"]
    lines += [f"{code},监测点{code},{districts[i % len(districts)]},{city}" for i, code in enumerate(codes)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def hour_values(station: int, day: date, hour: int) -> tuple[float, ...]:
    """SO2, NO2, PM10, PM2.5, CO, O3 for one station-hour."""
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)  # 1 in mid-January, −1 in July
    diurnal = math.sin(2 * math.pi * (hour - 9) / 24)  # highest in mid-afternoon
    bias = (station % 5) * 2.0
    pm25 = 40 + 30 * season + bias + 3 * ((day.day + hour) % 4)
    return (
        round(9 + 3 * season + (station % 3), 0),
        round(32 + 10 * season - 8 * diurnal + bias, 0),
        round(pm25 * 1.7 + 5, 0),
        round(pm25, 0),
        round(0.8 + 0.4 * season + 0.1 * (station % 2), 1),
        round(max(5.0, 90 - 50 * season + 45 * diurnal), 0),
    )


def hourly_lines(codes: Sequence[str], first: date, days: int, city: str = "郑州") -> Iterator[str]:
    yield HOURLY_HEADER
    for d in range(days):
        day = first + timedelta(days=d)
        stamp = day.isoformat()
        for s, code in enumerate(codes):
            for hour in range(24):
                values = ",".join(f"{v:g}" for v in hour_values(s, day, hour))
                yield f"{stamp} {hour:02d}:00,{city},监测点{code},{code},{values},"


def hourly_csv(codes: Sequence[str], first: date, days: int, bad_line: int | None = None) -> bytes:
    """The hourly file; `bad_line` (1 = the header) gets a PM2.5 value that is not a number."""
    lines = list(hourly_lines(codes, first, days))
    if bad_line is not None:
        cells = lines[bad_line - 1].split(",")
        cells[7] = "12x"
        lines[bad_line - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")
