"""Unit kinds and the responsibility matrix's choice of rule (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class UnitKind(StrEnum):
    CITY = "city"  # 市城市运行管理中心 / 12345 指挥中心
    CITY_DEPARTMENT = "city_department"
    DISTRICT = "district"  # 区县(市)城运中心
    DISTRICT_BUREAU = "district_bureau"
    STREET_OFFICE = "street_office"  # 街道办事处 / 乡镇政府
    COMMUNITY = "community"  # 社区居委会 / 村委会


# city departments (key, name); district bureaus are made for the ones marked True
DEPARTMENTS: tuple[tuple[str, str, bool], ...] = (
    ("cg", "城市管理局", True),
    ("zj", "住房和城乡建设局", True),
    ("jt", "交通运输局", True),
    ("jj", "公安局交通警察支队", False),
    ("ga", "公安局", False),
    ("sthj", "生态环境局", True),
    ("sw", "水利局(水务)", True),
    ("gd", "供电公司", False),
    ("rq", "燃气集团", False),
    ("rl", "热力集团", False),
    ("rs", "人力资源和社会保障局", True),
    ("jy", "教育局", True),
    ("wj", "卫生健康委员会", True),
    ("scjg", "市场监督管理局", True),
    ("yjgl", "应急管理局", True),
    ("zrzy", "自然资源和规划局", False),
    ("yl", "园林局", False),
    ("mz", "民政局", True),
    ("wlj", "文化广电和旅游局", False),
    ("nync", "农业农村局", False),
    ("ybj", "医疗保障局", False),
    ("sfj", "司法局", False),
    ("zwfw", "政务服务办公室", False),
    ("tx", "通信管理局", False),
)


class RuleTarget(StrEnum):
    UNIT = "unit"  # a fixed unit
    STREET = "street"  # the street office of the case's grid
    COMMUNITY = "community"  # the community committee of the case's grid
    DISTRICT_BUREAU = "district_bureau"  # the case district's bureau of the rule unit's department, else that unit


@dataclass(frozen=True, slots=True)
class RuleView:
    id: int
    category_code: str
    grid_prefix: str
    target: RuleTarget
    unit_id: int | None


def category_prefixes(code: str | None) -> list[str]:
    """'E0501' → ['', 'E05', 'E0501'] (category codes grow by two digits after a 1-letter root)."""
    if not code:
        return [""]
    out = [""]
    for end in range(3, len(code) + 1, 2):
        out.append(code[:end])
    if code not in out:
        out.append(code)
    return out


def most_specific(rules: Sequence[RuleView]) -> RuleView | None:
    """The rule with the deepest grid subtree, then the deepest category, wins (ties: the newest rule)."""
    if not rules:
        return None
    return max(rules, key=lambda r: (len(r.grid_prefix), len(r.category_code), r.id))
