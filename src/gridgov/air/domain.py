"""Air quality rules (pure): HJ 633 IAQI/AQI over versioned breakpoint tables, HJ 663 validity and percentiles,
the composite index (环境空气质量综合指数) and ranks among cities.

The tables are data (`gridgov/air/data/*.json`, each citing its source); this module only reads a table given
to it. Units: µg/m³, CO in mg/m³. A day is a Beijing calendar day; an hourly value stamped HH:00 is the
average of HH:00–HH+1:00, so a day has hours 00–23.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any

DAILY_MIN_HOURS = 20  # HJ 663-2013 表4: a 24-hour mean needs at least 20 hourly values
EIGHT_HOUR_MIN_HOURS = 6  # an 8-hour moving mean needs at least 6 hourly values of its 8
DAILY_MAX_8H_MIN = 14  # the daily maximum 8-hour O3 needs at least 14 valid 8-hour means (those ending 08–24 h)
FIRST_8H_END = 7  # the first 8-hour window of a day ends with hour 07 (07:00–08:00): windows 00–07 … 16–23


class Pollutant(StrEnum):
    """The columns of an hourly station record."""

    SO2 = "so2"
    NO2 = "no2"
    PM10 = "pm10"
    PM25 = "pm25"
    CO = "co"
    O3 = "o3"
    O3_8H = "o3_8h"

    @property
    def label(self) -> str:
        return LABELS[self.value]

    @property
    def unit(self) -> str:
        return "mg/m³" if self is Pollutant.CO else "µg/m³"


LABELS = {
    "so2": "二氧化硫(SO₂)",
    "no2": "二氧化氮(NO₂)",
    "pm10": "PM10",
    "pm25": "PM2.5",
    "co": "一氧化碳(CO)",
    "o3": "臭氧(O₃)1小时",
    "o3_1h": "臭氧(O₃)1小时",
    "o3_8h": "臭氧(O₃)8小时",
}
# the daily AQI's items (HJ 633 日报): 24-hour means, O3's daily maximum 1-hour and 8-hour values
DAILY_ITEMS: dict[str, str] = {
    "so2": "so2_24h",
    "no2": "no2_24h",
    "pm10": "pm10_24h",
    "pm25": "pm25_24h",
    "co": "co_24h",
    "o3_1h": "o3_1h",
    "o3_8h": "o3_8h",
}
COMPOSITE_ITEMS = ("so2", "no2", "pm10", "pm25", "co", "o3_8h")


@dataclass(frozen=True, slots=True)
class Category:
    max_aqi: int | None  # None: no upper end (严重污染)
    level: str
    name: str
    colour: str
    rgb: tuple[int, int, int]

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


@dataclass(frozen=True, slots=True)
class BreakpointTable:
    version: str
    effective_from: date
    effective_until: date | None
    iaqi: tuple[int, ...]
    breakpoints: Mapping[str, tuple[float, ...]]
    categories: tuple[Category, ...]
    source: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BreakpointTable:
        until = data.get("effective_until")
        table = cls(
            version=str(data["version"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_until=date.fromisoformat(until) if until else None,
            iaqi=tuple(int(v) for v in data["iaqi"]),
            breakpoints={k: tuple(float(x) for x in v) for k, v in data["breakpoints"].items()},
            categories=tuple(
                Category(c["max_aqi"], c["level"], c["name"], c["colour"], tuple(c["rgb"])) for c in data["categories"]
            ),
            source=tuple(data.get("source", ())),
        )
        for key, bps in table.breakpoints.items():
            if bps[0] != 0 or any(b <= a for a, b in zip(bps, bps[1:], strict=False)) or len(bps) > len(table.iaqi):
                raise ValueError(f"{table.version}: breakpoints of {key} must rise from 0 and fit the IAQI row")
        return table

    def category(self, aqi: int) -> Category:
        for c in self.categories:
            if c.max_aqi is None or aqi <= c.max_aqi:
                return c
        return self.categories[-1]


def table_for(tables: Iterable[BreakpointTable], day: date) -> BreakpointTable:
    """The table in force on `day`."""
    for t in sorted(tables, key=lambda t: t.effective_from, reverse=True):
        if t.effective_from <= day and (t.effective_until is None or day <= t.effective_until):
            return t
    raise LookupError(f"no AQI table in force on {day}")


@dataclass(frozen=True, slots=True)
class SubIndex:
    item: str  # so2, …, o3_1h, o3_8h
    concentration: float | None
    iaqi: float | None  # None: no value, or beyond a table that stops short (SO2 1 h, O3 8 h above 800)
    beyond: bool = False  # above the table's last breakpoint

    @property
    def whole(self) -> int | None:
        return _ceil(self.iaqi) if self.iaqi is not None else None


def _ceil(value: float) -> int:
    return math.ceil(round(value, 6))  # 99.99999999997 from float division is 100


def iaqi(table: BreakpointTable, key: str, concentration: float | None) -> SubIndex:
    """IAQI_P = (IAQI_Hi − IAQI_Lo)/(BP_Hi − BP_Lo) · (C_P − BP_Lo) + IAQI_Lo (HJ 633 式1).

    Exactly at a breakpoint the IAQI is that breakpoint's; above the last one of a full table it is 500
    (flagged `beyond`); above the last of a short table (SO₂ 1 h, O₃ 8 h: 800 µg/m³) there is no IAQI."""
    item = key.removesuffix("_24h")
    if concentration is None:
        return SubIndex(item, None, None)
    if concentration < 0 or math.isnan(concentration):
        raise ValueError(f"concentration must be ≥ 0: {concentration}")
    bps = table.breakpoints[key]
    for i in range(1, len(bps)):
        if concentration <= bps[i]:
            lo, hi = bps[i - 1], bps[i]
            i_lo, i_hi = table.iaqi[i - 1], table.iaqi[i]
            return SubIndex(item, concentration, i_lo + (i_hi - i_lo) * (concentration - lo) / (hi - lo))
    if len(bps) == len(table.iaqi):
        return SubIndex(item, concentration, float(table.iaqi[-1]), beyond=True)
    return SubIndex(item, concentration, None, beyond=True)


@dataclass(frozen=True, slots=True)
class AqiResult:
    aqi: int | None
    primary: tuple[str, ...]  # the items of the highest IAQI when AQI > 50
    category: Category | None
    subindices: tuple[SubIndex, ...]
    table: str

    @property
    def beyond(self) -> bool:
        return any(s.beyond and s.iaqi is not None and s.whole == self.aqi for s in self.subindices)


def daily_aqi(table: BreakpointTable, values: Mapping[str, float | None]) -> AqiResult:
    """The day's AQI from its 24-hour means and O₃'s daily maximum 1-hour and 8-hour values (keys of
    DAILY_ITEMS). O₃ 8 h above 800 µg/m³ is not indexed: the 1-hour O₃ IAQI stands for it (HJ 633 表1 注3)."""
    subs = [iaqi(table, DAILY_ITEMS[k], values.get(k)) for k in DAILY_ITEMS]
    return _combine(table, subs)


def _combine(table: BreakpointTable, subs: Sequence[SubIndex]) -> AqiResult:
    present = [s for s in subs if s.iaqi is not None]
    if not present:
        return AqiResult(None, (), None, tuple(subs), table.version)
    aqi = max(s.whole for s in present if s.whole is not None)
    primary = tuple(s.item for s in present if s.whole == aqi) if aqi > 50 else ()
    return AqiResult(aqi, primary, table.category(aqi), tuple(subs), table.version)


# --- HJ 663: validity, moving means, percentiles ----------------------------------------------------------


def mean_if(values: Iterable[float | None], minimum: int) -> float | None:
    """The mean of the present values, or None when fewer than `minimum` are present."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if len(present) >= minimum and present else None


def moving_8h(hourly: Sequence[float | None]) -> list[float | None]:
    """The 8-hour moving mean ending at each hour of a continuous hourly series (the window is the hour and
    the 7 before it, as far as the series goes); None where fewer than 6 of those hours have a value."""
    out: list[float | None] = []
    total, count = 0.0, 0
    for t, v in enumerate(hourly):
        if v is not None:
            total += v
            count += 1
        if t >= 8:
            old = hourly[t - 8]
            if old is not None:
                total -= old
                count -= 1
        out.append(total / count if count >= EIGHT_HOUR_MIN_HOURS else None)
    return out


def daily_max_8h(eight_hour: Sequence[float | None]) -> float | None:
    """The day's maximum 8-hour O₃ from the 8-hour means ending with hours 07–23 (17 windows), when at least
    14 of them are valid."""
    present = [v for v in eight_hour if v is not None]
    return max(present) if len(present) >= DAILY_MAX_8H_MIN else None


def percentile(values: Iterable[float], p: float) -> float | None:
    """HJ 663-2013 5.3: sort ascending, k = 1 + (n − 1)·p/100, s = ⌊k⌋, m_p = X_s + (X_{s+1} − X_s)(k − s)."""
    xs = sorted(values)
    if not xs:
        return None
    k = 1 + (len(xs) - 1) * p / 100
    s = int(k)
    if s >= len(xs):
        return xs[-1]
    return xs[s - 1] + (xs[s] - xs[s - 1]) * (k - s)


def round_half_even(value: float, decimals: int) -> float:
    """GB/T 8170 修约 (四舍六入五成双) on the decimal value people read."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_EVEN))


# --- the composite index -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompositeRule:
    version: str
    effective_from: date
    limits: Mapping[str, float]
    statistic: Mapping[str, str]  # mean | p95 | p90
    decimals: Mapping[str, int]
    index_decimals: int = 2
    source: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CompositeRule:
        return cls(
            version=str(data["version"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            limits={k: float(v) for k, v in data["limits"].items()},
            statistic=dict(data["statistic"]),
            decimals={k: int(v) for k, v in data["decimals"].items()},
            index_decimals=int(data.get("index_decimals", 2)),
            source=tuple(data.get("source", ())),
        )


@dataclass(frozen=True, slots=True)
class DailyValues:
    """One area's day: 24-hour means (None when under 20 hours) and O₃'s daily maxima."""

    day: date
    so2: float | None = None
    no2: float | None = None
    pm10: float | None = None
    pm25: float | None = None
    co: float | None = None
    o3_1h: float | None = None
    o3_8h: float | None = None

    def get(self, item: str) -> float | None:
        value: float | None = getattr(self, item)
        return value


@dataclass(frozen=True, slots=True)
class Composite:
    index: float | None  # None when an item has no value in the period
    concentrations: Mapping[str, float | None]
    parts: Mapping[str, float | None]  # Cᵢ/Sᵢ
    days: int
    rule: str
    missing: tuple[str, ...] = field(default=())

    @property
    def primary(self) -> str | None:
        """The item with the largest single index (首要污染物 of the period)."""
        present = {k: v for k, v in self.parts.items() if v is not None}
        return max(present, key=lambda k: present[k]) if present else None


def period_statistics(rule: CompositeRule, days: Sequence[DailyValues]) -> dict[str, float | None]:
    """Cᵢ over the days: the mean of the daily means, or the rule's percentile of the daily values, rounded
    as the rule says."""
    out: dict[str, float | None] = {}
    for item in COMPOSITE_ITEMS:
        series = [v for v in (d.get(item) for d in days) if v is not None]
        stat = rule.statistic[item]
        value = (
            (sum(series) / len(series) if series else None) if stat == "mean" else percentile(series, float(stat[1:]))
        )
        out[item] = round_half_even(value, rule.decimals[item]) if value is not None else None
    return out


def composite_index(rule: CompositeRule, concentrations: Mapping[str, float | None], days: int = 0) -> Composite:
    """I = Σ Cᵢ/Sᵢ over the six items, the sum rounded to the rule's decimals (the single indices are not
    rounded first: the published 3.06 is 3.0571… rounded)."""
    parts: dict[str, float | None] = {}
    for item in COMPOSITE_ITEMS:
        c = concentrations.get(item)
        parts[item] = c / rule.limits[item] if c is not None else None
    missing = tuple(k for k, v in parts.items() if v is None)
    total = None if missing else round_half_even(sum(v for v in parts.values() if v is not None), rule.index_decimals)
    return Composite(total, dict(concentrations), parts, days, rule.version, missing)


def change_percent(now: float | None, before: float | None) -> float | None:
    """The change on the same period last year, in percent, one decimal (negative: the index fell)."""
    if now is None or before is None or before == 0:
        return None
    return round_half_even((now - before) / before * 100, 1)


def change_text(change: float | None) -> str:
    if change is None:
        return "无同期数据"
    if change == 0:
        return "同比持平"
    return f"同比{'下降' if change < 0 else '上升'}{abs(change):.1f}%"


# --- ranks among cities --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    name: str
    index: float
    rank: int  # from the best (the lowest index), ties share the better rank
    from_bottom: int  # 倒数第 n: how many have an index at least as high
    total: int

    @property
    def text(self) -> str:
        return f"第{self.rank}名 · 倒数第{self.from_bottom}名 (共{self.total}个城市)"


def standings(entries: Sequence[tuple[str, float]]) -> list[Standing]:
    """Each (name, index) ranked from the top (lowest index first) and from the bottom."""
    ordered = sorted(entries, key=lambda e: (e[1], e[0]))
    values = [v for _, v in ordered]
    total = len(values)
    out = []
    for name, value in ordered:
        better = sum(1 for v in values if v < value)
        not_better = sum(1 for v in values if v >= value)
        out.append(Standing(name, value, better + 1, not_better, total))
    return out
