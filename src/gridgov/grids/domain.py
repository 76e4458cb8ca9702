"""Grid codes and levels (pure).

A grid code has 15 digits: 6-digit county code (GB/T 2260) + 3 street + 3 community + 3 grid
sequence. Higher levels pad with zeros; the city is its 4-digit prefix padded the same way, so
a subtree is exactly the set of codes that start with the node's significant prefix.
"""

from __future__ import annotations

from enum import IntEnum

from gridgov.errors import ValidationFailed

CODE_LENGTH = 15


class GridLevel(IntEnum):
    CITY = 0
    DISTRICT = 1
    STREET = 2  # L1 grid: 街道/乡镇
    COMMUNITY = 3  # L2 grid: 社区/村
    MICRO = 4  # L3 micro-grid

    @property
    def label(self) -> str:
        return {0: "市", 1: "区县", 2: "一级网格(街道/乡镇)", 3: "二级网格(社区/村)", 4: "三级网格(微网格)"}[self]


PREFIX_LENGTH = {
    GridLevel.CITY: 4,
    GridLevel.DISTRICT: 6,
    GridLevel.STREET: 9,
    GridLevel.COMMUNITY: 12,
    GridLevel.MICRO: 15,
}


def check_code(code: str) -> str:
    if len(code) != CODE_LENGTH or not (code.isascii() and code.isdigit()):
        raise ValidationFailed(f"网格编码须为15位数字: {code!r}", field="grid_code")
    return code


def level_of(code: str) -> GridLevel:
    check_code(code)
    for level in (GridLevel.MICRO, GridLevel.COMMUNITY, GridLevel.STREET, GridLevel.DISTRICT):
        start = PREFIX_LENGTH[GridLevel(level - 1)]
        if code[start : PREFIX_LENGTH[level]] != "0" * (PREFIX_LENGTH[level] - start):
            return level
    return GridLevel.CITY


def prefix_of(code: str) -> str:
    """The significant prefix: every descendant's code starts with it."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def pad(prefix: str) -> str:
    return prefix.ljust(CODE_LENGTH, "0")


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level is GridLevel.CITY:
        return None
    return pad(code[: PREFIX_LENGTH[GridLevel(level - 1)]])


def ancestors(code: str) -> list[str]:
    """Codes from the city down to the node's parent."""
    chain: list[str] = []
    cur = parent_code(code)
    while cur is not None:
        chain.append(cur)
        cur = parent_code(cur)
    return list(reversed(chain))


def is_within(code: str, ancestor: str) -> bool:
    return code.startswith(prefix_of(ancestor))
