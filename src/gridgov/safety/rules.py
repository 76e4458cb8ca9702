"""The rules of 安全生产 as data (data/*.json): the place types and their checklists with the legal basis of
each item, the plans (which places, how often), the deadlines in working days and where a referred hazard
goes. Standard library only; a deployment replaces the files, not the code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from gridgov.safety.domain import Frequency, Grade, PlaceGroup, PlanRule, Risk


@dataclass(frozen=True, slots=True)
class PlaceType:
    code: str
    label: str
    group: PlaceGroup
    industry: str
    checklists: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    text: str
    basis: str  # the legal basis
    grade: Grade  # the grade a failed item is proposed
    checklist: str


@dataclass(frozen=True, slots=True)
class Referral:
    label: str
    category_code: str  # the case's category: the responsibility matrix picks the unit, its limits the deadline


@dataclass(frozen=True, slots=True)
class Rules:
    types: dict[str, PlaceType]
    checklists: dict[str, tuple[str, tuple[Item, ...]]]  # code → (label, items)
    plans: dict[str, PlanRule]
    general_days: int
    plan_days: int
    review_days: int
    escalation_days: int
    max_escalation: int
    repeat_window_days: int
    bureau_key: str
    photo_max_per_item: int
    referrals: dict[str, Referral]

    def items_for(self, type_code: str) -> dict[str, Item]:
        """The checklist of a place type: its templates' items in order (an item shared by two appears once)."""
        out: dict[str, Item] = {}
        for code in self.types[type_code].checklists:
            for item in self.checklists[code][1]:
                out.setdefault(item.code, item)
        return out


def parse_rules(rules_json: str, types_json: str, checklists_json: str) -> Rules:
    doc: dict[str, Any] = json.loads(rules_json)
    types_doc: dict[str, Any] = json.loads(types_json)
    lists_doc: dict[str, Any] = json.loads(checklists_json)
    checklists = {
        code: (
            c["label"],
            tuple(Item(i["code"], i["text"], i["basis"], Grade(i["grade"]), code) for i in c["items"]),
        )
        for code, c in lists_doc["checklists"].items()
    }
    types = {
        t["code"]: PlaceType(
            t["code"], t["label"], PlaceGroup(t["group"]), t.get("industry", ""), tuple(t["checklists"])
        )
        for t in types_doc["types"]
    }
    for t in types.values():
        unknown = [c for c in t.checklists if c not in checklists]
        if unknown:
            raise ValueError(f"场所类型 {t.code} 引用了不存在的检查表: {unknown}")
    plans = {
        p["code"]: PlanRule(
            p["code"],
            p["name"],
            Frequency(p["frequency"]),
            PlaceGroup(p["group"]) if p.get("group") else None,
            Risk(p["risk"]) if p.get("risk") else None,
            tuple(p.get("types", ())),
        )
        for p in doc["plans"]
    }
    return Rules(
        types=types,
        checklists=checklists,
        plans=plans,
        general_days=int(doc["general_days"]),
        plan_days=int(doc["plan_days"]),
        review_days=int(doc["review_days"]),
        escalation_days=int(doc["escalation_days"]),
        max_escalation=int(doc["max_escalation"]),
        repeat_window_days=int(doc["repeat_window_days"]),
        bureau_key=str(doc["bureau_key"]),
        photo_max_per_item=int(doc["photo_max_per_item"]),
        referrals={k: Referral(v["label"], v["category"]) for k, v in doc["referrals"].items()},
    )


@lru_cache(maxsize=1)
def shipped_rules() -> Rules:
    data = resources.files("gridgov.safety").joinpath("data")
    return parse_rules(
        data.joinpath("rules.json").read_text(encoding="utf-8"),
        data.joinpath("place_types.json").read_text(encoding="utf-8"),
        data.joinpath("checklists.json").read_text(encoding="utf-8"),
    )
