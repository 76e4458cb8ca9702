"""Editing reference data as data: the responsibility matrix (权属), categories and grid-worker assignments.

Each function owns its transaction and validates everything before writing anything.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from gridgov.categories.models import Category
from gridgov.categories.services import COLUMNS, read_taxonomy
from gridgov.errors import NotFound, ValidationFailed
from gridgov.grids.domain import check_code, prefix_of
from gridgov.units.domain import RuleTarget
from gridgov.units.models import ResponsibilityRule
from gridgov.units.ports import UnitAdminUnitOfWork


@dataclass(frozen=True, slots=True)
class RuleRow:
    id: int
    category_code: str
    grid_prefix: str
    target: str
    unit_code: str | None
    unit_name: str | None
    note: str


def list_rules(uow: UnitAdminUnitOfWork, category: str | None = None, grid: str | None = None) -> list[RuleRow]:
    prefix = prefix_of(check_code(grid)) if grid is not None else None
    with uow:
        return [
            RuleRow(
                r.id, r.category_code, r.grid_prefix, r.target, u.code if u else None, u.name if u else None, r.note
            )
            for r, u in uow.unit_admin.rules(category, prefix)
        ]


def set_rule(
    uow: UnitAdminUnitOfWork,
    category: str,
    grid: str,
    target: str,
    unit_code: str | None,
    note: str = "",
) -> int:
    """Create or replace the rule for (category subtree, grid subtree). `category` "" means any category."""
    try:
        kind = RuleTarget(target)
    except ValueError:
        raise ValidationFailed(
            f"未知目标类型: {target} (unit|street|community|district_bureau)", field="target"
        ) from None
    prefix = prefix_of(check_code(grid))
    with uow:
        store = uow.unit_admin
        if category and category not in store.categories():
            raise ValidationFailed(f"类别不存在: {category}", field="category")
        unit_id = None
        if kind in (RuleTarget.UNIT, RuleTarget.DISTRICT_BUREAU):
            if not unit_code:
                raise ValidationFailed("该目标类型须指定单位 --unit", field="unit")
            unit_id = store.unit_id(unit_code)
            if unit_id is None:
                raise NotFound(f"单位不存在: {unit_code}", field="unit")
        rule = store.rule(category, prefix)
        if rule is None:
            rule = ResponsibilityRule(category_code=category, grid_prefix=prefix)
        rule.target, rule.unit_id, rule.note = kind.value, unit_id, note
        store.add_rule(rule)
        rule_id = rule.id
        uow.commit()
        return rule_id


def delete_rule(uow: UnitAdminUnitOfWork, category: str, grid: str) -> None:
    prefix = prefix_of(check_code(grid))
    with uow:
        if not uow.unit_admin.delete_rule(category, prefix):
            raise NotFound(f"没有该条权属规则: {category or '(任意类别)'} @ {prefix}")
        uow.commit()


ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without a BOM), then GB18030, which covers GBK and GB2312
STREET_KEY = "street"  # 属地街道: the street office of the case's grid, not a department


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when it decodes, else GB18030 (so GBK too); otherwise refused, naming the
    first line that decodes in neither."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        for encoding in ENCODINGS:
            try:
                line.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(f"类别文件第 {lineno} 行无法按 UTF-8 或 GB18030/GBK 解码", line=lineno)
    raise ValidationFailed("类别文件无法按 UTF-8 或 GB18030/GBK 解码")  # a multi-byte character across lines


def check_columns(text: str) -> list[int]:
    """The header must name exactly the shipped columns, and every line must have as many fields; returns the
    line number of each data row (blank lines skipped, as the parser does)."""
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise ValidationFailed("类别文件为空", line=1)
    names = [h.strip() for h in header]
    extra = [h for h in names if h not in COLUMNS]
    if extra:
        raise ValidationFailed(f"类别文件第 1 行有未知的列: {', '.join(extra)}", line=1)
    if len(set(names)) != len(names):
        raise ValidationFailed("类别文件第 1 行有重复的列", line=1)
    lines: list[int] = []
    for row in reader:
        if not row:
            continue
        if len(row) != len(header):
            raise ValidationFailed(
                f"类别文件第 {reader.line_num} 行有 {len(row)} 列, 应为 {len(header)} 列", line=reader.line_num
            )
        lines.append(reader.line_num)
    return lines


def import_categories(uow: UnitAdminUnitOfWork, path: Path, taxonomy: str) -> tuple[int, int]:
    """Upsert a taxonomy from a CSV of the shipped format. The whole file is checked first: an encoding that
    cannot be read, an unknown column, a line with too many or too few fields, a bad value or a department no
    unit has refuses the file, naming the line, and changes nothing. Returns (added, updated)."""
    text, _encoding = decode_csv(path.read_bytes())
    lines = check_columns(text)
    rows = read_taxonomy(taxonomy, text=text)
    added = updated = 0
    with uow:
        store = uow.unit_admin
        departments = store.department_keys()
        for r, lineno in zip(rows, lines, strict=True):
            if r.department_key and r.department_key != STREET_KEY and r.department_key not in departments:
                raise ValidationFailed(
                    f"类别文件第 {lineno} 行有误: 没有单位属于部门 {r.department_key!r}", line=lineno
                )
        existing = store.categories()
        for r in rows:
            c = existing.get(r.code)
            if c is not None and c.taxonomy != taxonomy:
                raise ValidationFailed(f"编码 {r.code} 已属于分类体系 {c.taxonomy}")
            if c is None:
                c = Category(code=r.code, taxonomy=taxonomy)
                store.add_category(c)
                added += 1
            else:
                updated += 1
            c.parent_code, c.name, c.kind, c.urgency = r.parent_code, r.name, r.kind, r.urgency
            c.response_limit, c.response_unit = r.response.amount, r.response.unit.value
            c.handle_limit, c.handle_unit = r.handle.amount, r.handle.unit.value
            c.department_key, c.active = r.department_key, True
        uow.commit()
    return added, updated
