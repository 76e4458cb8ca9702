"""The shipped category taxonomies (数字城管 部件/事件 and a 12345 service taxonomy) as editable CSV data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from gridgov.clock import Limit, TimeUnit
from gridgov.errors import ValidationFailed

TAXONOMIES = {"dcg": "dcg.csv", "hotline12345": "hotline12345.csv"}
COLUMNS = (
    "code",
    "parent_code",
    "name",
    "kind",
    "urgency",
    "response_limit",
    "response_unit",
    "handle_limit",
    "handle_unit",
    "department",
)


@dataclass(frozen=True, slots=True)
class CategoryRow:
    code: str
    parent_code: str | None
    taxonomy: str
    name: str
    kind: str
    urgency: str
    response: Limit
    handle: Limit
    department_key: str


def read_taxonomy(taxonomy: str, path: Path | None = None, text: str | None = None) -> list[CategoryRow]:
    """Parse one taxonomy CSV (the shipped file, a UTF-8 file, or text already decoded); any bad line raises
    ValidationFailed naming the line."""
    if text is None and path is None:
        text = resources.files("gridgov.categories").joinpath("data", TAXONOMIES[taxonomy]).read_text("utf-8")
    elif text is None and path is not None:
        text = path.read_text("utf-8")
    assert text is not None
    reader = csv.DictReader(text.splitlines())
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ValidationFailed(f"类别文件缺少列: {', '.join(sorted(missing))}")
    rows: list[CategoryRow] = []
    codes: set[str] = set()
    for lineno, raw in enumerate(reader, start=2):
        try:
            code = raw["code"].strip()
            parent = raw["parent_code"].strip() or None
            if not code or code in codes:
                raise ValueError(f"编码为空或重复: {code!r}")
            if parent is not None and (parent not in codes or not code.startswith(parent)):
                raise ValueError(f"上级编码 {parent!r} 不存在或不是前缀")
            if raw["urgency"] not in ("normal", "urgent", "emergency"):
                raise ValueError(f"未知紧急程度 {raw['urgency']!r}")
            rows.append(
                CategoryRow(
                    code=code,
                    parent_code=parent,
                    taxonomy=taxonomy,
                    name=raw["name"].strip(),
                    kind=raw["kind"].strip(),
                    urgency=raw["urgency"],
                    response=Limit(int(raw["response_limit"]), TimeUnit(raw["response_unit"])),
                    handle=Limit(int(raw["handle_limit"]), TimeUnit(raw["handle_unit"])),
                    department_key=raw["department"].strip(),
                )
            )
            codes.add(code)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationFailed(f"类别文件第 {lineno} 行有误: {exc}", line=lineno) from None
    return rows
