"""Reading the three files the air feature takes, in the national platform's published layout (see
docs/air.md): hourly station data, the station list, and the key cities' composite index list. Every problem is
collected with its line; a file with any problem is refused whole (`AirFileRejected`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from gridgov.air.domain import Pollutant
from gridgov.errors import GridgovError
from gridgov.tabular import MISSING, TableUnreadable, column_index, read_table

MAX_ERRORS = 20  # the first errors are listed; a file with more is usually the wrong file
# the highest value a valid hour may have (µg/m³; CO mg/m³): above it the line is a unit or typing mistake
CEILINGS = {"so2": 10_000.0, "no2": 10_000.0, "pm10": 10_000.0, "pm25": 10_000.0, "co": 200.0, "o3": 5_000.0}
CEILINGS["o3_8h"] = CEILINGS["o3"]

HOURLY_COLUMNS: dict[str, Sequence[str]] = {
    "time": ("监测时间", "时间", "time", "datetime"),
    "station_code": ("点位编码", "监测点位编码", "站点编码", "监测点编码", "station_code"),
    "so2": ("SO2", "二氧化硫"),
    "no2": ("NO2", "二氧化氮"),
    "pm10": ("PM10",),
    "pm25": ("PM2.5", "PM25", "PM2_5"),
    "co": ("CO", "一氧化碳"),
    "o3": ("O3", "O3_1h", "O3-1h", "臭氧1小时"),
    "o3_8h": ("O3_8h", "O3-8h", "O3_8H", "臭氧8小时"),
}
STATION_COLUMNS: dict[str, Sequence[str]] = {
    "code": ("点位编码", "监测点位编码", "站点编码", "监测点编码", "code"),
    "name": ("点位名称", "监测点位名称", "站点名称", "监测点名称", "name"),
    "district_code": ("区县代码", "行政区划代码", "district_code"),
}
STATION_OPTIONAL: dict[str, Sequence[str]] = {
    "city": ("城市", "city"),
    "lat": ("纬度", "lat"),
    "lon": ("经度", "lon"),
}
CITY_COLUMNS: dict[str, Sequence[str]] = {
    "city": ("城市", "城市名称", "city"),
    "composite": ("综合指数", "环境空气质量综合指数", "composite"),
}
CITY_OPTIONAL: dict[str, Sequence[str]] = {"province": ("省份", "省", "province"), "rank": ("排名", "rank")}
OPTIONAL_POLLUTANT = ("o3_8h",)  # a file without the O3_8h column is accepted (it is computed, not read)


@dataclass(frozen=True, slots=True)
class LineProblem:
    line: int
    column: str
    problem: str

    def text(self) -> str:
        where = f" ({self.column})" if self.column else ""
        return f"第 {self.line} 行{where}: {self.problem}"


class AirFileRejected(GridgovError):
    code = "air_file_rejected"
    status = 422
    message = "文件有误，未导入任何数据"

    def __init__(self, filename: str, problems: Sequence[LineProblem], total: int | None = None) -> None:
        first = problems[0].text() if problems else "文件无法读取"
        more = (total or len(problems)) - 1
        suffix = f" (另有 {more} 处错误)" if more > 0 else ""
        super().__init__(
            f"{filename} {first}{suffix}；整个文件未导入",
            file=filename,
            line=problems[0].line if problems else None,
            errors=[{"line": p.line, "column": p.column, "problem": p.problem} for p in problems],
            total=total or len(problems),
        )
        self.problems = list(problems)


@dataclass
class Problems:
    filename: str
    found: list[LineProblem] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, column: str, problem: str) -> None:
        self.total += 1
        if len(self.found) < MAX_ERRORS:
            self.found.append(LineProblem(line, column, problem))

    def raise_if_any(self) -> None:
        if self.total:
            raise AirFileRejected(self.filename, self.found, self.total)


def _open(
    raw: bytes, filename: str, wanted: Mapping[str, Sequence[str]], optional: Mapping[str, Sequence[str]]
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    try:
        table = read_table(raw, filename)
    except TableUnreadable as exc:
        raise AirFileRejected(filename, [LineProblem(1, "", str(exc))]) from None
    at, missing = column_index(table.header, {**wanted, **optional})
    missing = [m for m in missing if m in wanted]
    if missing:
        names = "、".join(wanted[m][0] for m in missing)
        raise AirFileRejected(filename, [LineProblem(1, "", f"表头缺少列: {names}")])
    return at, table.rows


def parse_time(text: str) -> tuple[date, int]:
    """'2025-01-01 08:00' (seconds, '/' and a 'T' are accepted too) → (the day, the hour 0–23)."""
    value = text.strip().replace("/", "-").replace("T", " ")
    if len(value) == 16 and value[4] == "-" and value[13] == ":":  # the usual shape, without strptime
        day = date(int(value[:4]), int(value[5:7]), int(value[8:10]))
        hour, minute = int(value[11:13]), int(value[14:16])
    else:
        moment = datetime.fromisoformat(value) if ":" in value else None
        if moment is None:
            raise ValueError(value)
        day, hour, minute = moment.date(), moment.hour, moment.minute
    if minute != 0 or not 0 <= hour <= 23:
        raise ValueError(value)
    return day, hour


@dataclass(frozen=True, slots=True)
class HourRow:
    line: int
    station_code: str
    day: date
    hour: int
    values: tuple[float | None, ...]  # in the order of POLLUTANTS


POLLUTANTS = tuple(p.value for p in Pollutant)


def read_hourly(raw: bytes, filename: str, stations: Mapping[str, object]) -> list[HourRow]:
    """Every row of an hourly file, or AirFileRejected naming each bad line (unknown station, bad time,
    a value that is not a number, negative or impossibly high, the same station-hour twice)."""
    at, rows = _open(
        raw,
        filename,
        {k: v for k, v in HOURLY_COLUMNS.items() if k not in OPTIONAL_POLLUTANT},
        {k: HOURLY_COLUMNS[k] for k in OPTIONAL_POLLUTANT},
    )
    problems = Problems(filename)
    out: list[HourRow] = []
    seen: dict[tuple[str, date, int], int] = {}
    columns = [(p, at.get(p)) for p in POLLUTANTS]
    t_at, s_at = at["time"], at["station_code"]
    width = max(at.values()) + 1
    for line, cells in rows:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        code = cells[s_at]
        if code not in stations:
            problems.add(line, "点位编码", f"未登记的监测点位 {code!r} (先导入点位表)")
            continue
        try:
            day, hour = parse_time(cells[t_at])
        except ValueError:
            problems.add(line, "监测时间", f"时间 {cells[t_at]!r} 无法识别 (应为 YYYY-MM-DD HH:00)")
            continue
        values: list[float | None] = []
        bad = False
        for name, index in columns:
            text = cells[index] if index is not None else ""
            if text in MISSING:
                values.append(None)
                continue
            try:
                value = float(text)
            except ValueError:
                problems.add(line, name.upper(), f"{text!r} 不是数值")
                bad = True
                continue
            if not 0 <= value <= CEILINGS[name]:
                problems.add(line, name.upper(), f"{text} 超出合理范围 (0–{CEILINGS[name]:g})")
                bad = True
                continue
            values.append(value)
        if bad:
            continue
        key = (code, day, hour)
        if key in seen:
            problems.add(line, "监测时间", f"与第 {seen[key]} 行是同一点位同一小时")
            continue
        seen[key] = line
        out.append(HourRow(line, code, day, hour, tuple(values)))
    if not out and not problems.total:
        problems.add(2, "", "文件没有数据行")
    problems.raise_if_any()
    return out


@dataclass(frozen=True, slots=True)
class StationRow:
    code: str
    name: str
    district_code: str
    city: str = ""
    lat: float | None = None
    lon: float | None = None


def read_stations(raw: bytes, filename: str) -> list[StationRow]:
    at, rows = _open(raw, filename, STATION_COLUMNS, STATION_OPTIONAL)
    problems = Problems(filename)
    out: list[StationRow] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        cells = cells + [""] * (max(at.values()) + 1 - len(cells))
        code, name, district = cells[at["code"]], cells[at["name"]], cells[at["district_code"]]
        if not code or not name:
            problems.add(line, "点位编码", "点位编码和点位名称不能为空")
            continue
        if not (district.isdigit() and len(district) == 6):
            problems.add(line, "区县代码", f"区县代码 {district!r} 应为 6 位数字")
            continue
        if code in seen:
            problems.add(line, "点位编码", f"与第 {seen[code]} 行重复")
            continue
        seen[code] = line
        coords: list[float | None] = []
        for key in ("lat", "lon"):
            text = cells[at[key]] if key in at else ""
            try:
                coords.append(float(text) if text not in MISSING else None)
            except ValueError:
                problems.add(line, key, f"{text!r} 不是数值")
                coords.append(None)
        city = cells[at["city"]] if "city" in at else ""
        out.append(StationRow(code, name, district, city, coords[0], coords[1]))
    if not out and not problems.total:
        problems.add(2, "", "文件没有数据行")
    problems.raise_if_any()
    return out


@dataclass(frozen=True, slots=True)
class CityRow:
    city: str
    composite: float
    province: str = ""
    rank: int | None = None


def read_cities(raw: bytes, filename: str) -> list[CityRow]:
    at, rows = _open(raw, filename, CITY_COLUMNS, CITY_OPTIONAL)
    problems = Problems(filename)
    out: list[CityRow] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        cells = cells + [""] * (max(at.values()) + 1 - len(cells))
        city, text = cells[at["city"]], cells[at["composite"]]
        if not city:
            problems.add(line, "城市", "城市不能为空")
            continue
        try:
            value = float(text)
        except ValueError:
            problems.add(line, "综合指数", f"{text!r} 不是数值")
            continue
        if not 0 <= value <= 100:
            problems.add(line, "综合指数", f"{text} 超出合理范围 (0–100)")
            continue
        if city in seen:
            problems.add(line, "城市", f"与第 {seen[city]} 行重复")
            continue
        seen[city] = line
        rank_text = cells[at["rank"]] if "rank" in at else ""
        rank = int(rank_text) if rank_text.isdigit() else None
        out.append(CityRow(city, value, cells[at["province"]] if "province" in at else "", rank))
    if not out and not problems.total:
        problems.add(2, "", "文件没有数据行")
    problems.raise_if_any()
    return out
