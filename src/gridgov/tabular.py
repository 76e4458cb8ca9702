"""Rows of an uploaded CSV or Excel file, each with the line number a person sees in their editor (kernel:
standard library, openpyxl loaded only for .xlsx).

CSV is read as UTF-8 (with or without a byte-order mark), else GB18030 (what Excel saves on a Chinese
Windows). Line numbers count the header as line 1, as spreadsheets do. Features map the header to their own
columns and raise their own errors; a file that cannot be read at all raises `TableUnreadable`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MISSING = frozenset({"", "-", "—", "--", "NA", "N/A", "NaN", "nan", "null", "NULL"})


class TableUnreadable(ValueError):
    """The file is not a CSV or Excel table this module can read."""


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line, cells as text), blank lines skipped


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableUnreadable("文件编码无法识别 (请用 UTF-8 或 GB18030 保存 CSV)")


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        if any(c.strip() for c in cells):
            yield reader.line_num, [c.strip() for c in cells]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ")) if hasattr(value, "hour") else str(value.isoformat())
    return str(value).strip()


def _excel_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # type: ignore[import-untyped]

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableUnreadable(f"Excel 文件无法打开: {type(exc).__name__}") from None
    try:
        ws = wb.worksheets[0]
        for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if any(cells):
                yield line, cells
    finally:
        wb.close()


def read_table(raw: bytes, filename: str) -> Table:
    """The header (first non-blank row) and an iterator over the rows after it."""
    rows = _excel_rows(raw) if filename.lower().endswith(EXCEL_SUFFIXES) else _csv_rows(_decode(raw))
    try:
        _, header = next(rows)
    except StopIteration:
        raise TableUnreadable("文件为空 (没有表头)") from None
    return Table([h.strip() for h in header], rows)


def column_index(header: Sequence[str], names: Mapping[str, Sequence[str]]) -> tuple[dict[str, int], list[str]]:
    """Where each wanted column is: `names` maps a key to the header spellings it accepts (compared without
    spaces, case-insensitively). Returns the positions found and the keys missing."""

    def norm(text: str) -> str:
        return "".join(text.split()).casefold().replace("₂", "2").replace("₃", "3").replace("．", ".")

    at = {norm(h): i for i, h in enumerate(header)}
    found: dict[str, int] = {}
    missing: list[str] = []
    for key, spellings in names.items():
        hit = next((at[norm(s)] for s in spellings if norm(s) in at), None)
        if hit is None:
            missing.append(key)
        else:
            found[key] = hit
    return found, missing
