"""The knowledge base as a workbook: written out with every article's latest version, read back into drafts with
their line numbers (the import stores all of them or none)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

from gridgov.knowledge.domain import ArticleDraft
from gridgov.knowledge.services.articles import Problem
from gridgov.tabular import TableUnreadable, column_index, read_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "知识标题"),
    "variants": ("问法", "常见问法", "相似问法"),
    "answer": ("答复口径", "答案", "答复"),
    "basis": ("政策依据", "依据"),
    "category": ("分类", "知识分类"),
    "unit_code": ("责任部门编码", "责任部门", "部门编码"),
    "valid_from": ("生效日期",),
    "valid_to": ("失效日期",),
}
REQUIRED = ("title", "answer", "category", "unit_code")
HEADER = ["编号", "标题", "问法", "答复口径", "政策依据", "分类", "责任部门编码", "生效日期", "失效日期", "状态"]
_SPLIT = re.compile(r"[\n;；|｜]+")


def _date(text: str) -> date:
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?", text.strip())
    if not m:
        raise ValueError(text)
    return date(int(m[1]), int(m[2]), int(m[3]))


def read_articles(raw: bytes, filename: str) -> tuple[list[tuple[int, ArticleDraft]], list[Problem]]:
    """Drafts with their line numbers, and what is wrong with the file's shape or a line's dates (the content
    rules are the service's)."""
    try:
        table = read_table(raw, filename)
    except TableUnreadable as exc:
        return [], [Problem("file", str(exc))]
    at, missing = column_index(table.header, COLUMNS)
    missing = [m for m in missing if m in REQUIRED]
    if missing:
        return [], [Problem("file", "缺少列: " + "、".join(COLUMNS[m][0] for m in missing), 1)]
    rows: list[tuple[int, ArticleDraft]] = []
    problems: list[Problem] = []
    for line, cells in table.rows:

        def cell(key: str, cells: Sequence[str] = cells) -> str:
            i = at.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        dates: dict[str, date | None] = {}
        for key in ("valid_from", "valid_to"):
            text = cell(key)
            try:
                dates[key] = _date(text) if text else None
            except ValueError:
                problems.append(Problem(key, f"{COLUMNS[key][0]}不是日期: {text}", line))
                dates[key] = None
        rows.append(
            (
                line,
                ArticleDraft(
                    title=cell("title"),
                    answer=cell("answer"),
                    category=cell("category"),
                    unit_code=cell("unit_code"),
                    variants=tuple(v.strip() for v in _SPLIT.split(cell("variants")) if v.strip()),
                    basis=cell("basis"),
                    valid_from=dates["valid_from"],
                    valid_to=dates["valid_to"],
                ),
            )
        )
    if not rows and not problems:
        problems.append(Problem("file", "文件中没有条目"))
    return rows, problems


def articles_workbook(rows: Sequence[Mapping[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "知识库"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            [
                r["code"],
                r["title"],
                "\n".join(r["variants"]),
                r["answer"],
                r["basis"],
                r["category"],
                r["unit_code"],
                r["valid_from"].isoformat() if r["valid_from"] else "",
                r["valid_to"].isoformat() if r["valid_to"] else "",
                r["status"],
            ]
        )
    for col, width in zip("ABCDEFGHIJ", (12, 28, 40, 60, 30, 12, 16, 12, 12, 8), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
