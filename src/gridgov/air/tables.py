"""The shipped rule tables (`data/*.json`), read once: HJ 633's breakpoint tables by version and the
composite-index rule. Which table applies to a day is `domain.table_for`."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources

from gridgov.air.domain import BreakpointTable, CompositeRule, table_for

AQI_FILES = ("hj633-2012.json", "hj633-2026.json")
COMPOSITE_FILES = ("composite-2018.json",)


def _read(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(resources.files("gridgov.air").joinpath("data", name).read_text("utf-8"))
    return data


@cache
def aqi_tables() -> tuple[BreakpointTable, ...]:
    return tuple(BreakpointTable.from_dict(_read(name)) for name in AQI_FILES)


def aqi_table(day: date) -> BreakpointTable:
    return table_for(aqi_tables(), day)


@cache
def composite_rules() -> tuple[CompositeRule, ...]:
    return tuple(CompositeRule.from_dict(_read(name)) for name in COMPOSITE_FILES)


def composite_rule(day: date) -> CompositeRule:
    """The rule in force on `day` (the latest one that started on or before it)."""
    rules = [r for r in composite_rules() if r.effective_from <= day] or list(composite_rules())
    return max(rules, key=lambda r: r.effective_from)
