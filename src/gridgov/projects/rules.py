"""The rules of 三个一批 as data: entry thresholds by sector (data/thresholds.csv, the published examples), the
photo checks, the size bands, the ranking weights, the evidence each stage needs and where each blocker kind
is sent (data/rules.json). Standard library only; a deployment replaces the files, not the code."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from gridgov.projects.domain import WAN_PER_YI, Action, BlockerKind, Measure, Sector, Threshold


@dataclass(frozen=True, slots=True)
class BlockerRoute:
    category_code: str  # the case's category: its time limits give the department's deadline
    department_key: str  # the unit: the district's bureau of this department, else the city's department


@dataclass(frozen=True, slots=True)
class Rules:
    thresholds: dict[Sector, Threshold]
    photo_max_distance_m: float
    photo_max_age_days: int
    size_bands_yi: tuple[int, ...]
    weights: dict[Measure, float]
    evidence_required: dict[Action, tuple[str, ...]]
    blockers: dict[BlockerKind, BlockerRoute]


def _yi_to_wan(text: str) -> int:
    return round(float(text) * WAN_PER_YI)


def parse_thresholds(text: str) -> dict[Sector, Threshold]:
    out: dict[Sector, Threshold] = {}
    for row in csv.DictReader(io.StringIO(text)):
        sector = Sector(row["sector"].strip())
        out[sector] = Threshold(
            sector, _yi_to_wan(row["min_total_yi"]), _yi_to_wan(row["min_total_attracted_yi"]), row.get("note", "")
        )
    return out


def parse_rules(thresholds_csv: str, rules_json: str) -> Rules:
    doc: dict[str, Any] = json.loads(rules_json)
    return Rules(
        thresholds=parse_thresholds(thresholds_csv),
        photo_max_distance_m=float(doc["photo_max_distance_m"]),
        photo_max_age_days=int(doc["photo_max_age_days"]),
        size_bands_yi=tuple(int(b) for b in doc["size_bands_yi"]),
        weights={Measure(k): float(v) for k, v in doc["ranking_weights"].items()},
        evidence_required={Action(k): tuple(v) for k, v in doc["evidence_required"].items()},
        blockers={BlockerKind(k): BlockerRoute(v["category"], v["department"]) for k, v in doc["blockers"].items()},
    )


@lru_cache(maxsize=1)
def shipped_rules() -> Rules:
    data = resources.files("gridgov.projects").joinpath("data")
    return parse_rules(
        data.joinpath("thresholds.csv").read_text(encoding="utf-8"),
        data.joinpath("rules.json").read_text(encoding="utf-8"),
    )
