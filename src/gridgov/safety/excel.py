"""The places list as the street or the bureau keeps it (Excel) read into drafts with their line numbers, and the
ledger (台账) written as a workbook: every hazard with the usual columns, and the statistics with the five
rates. Text that looks like a formula stays text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

from gridgov.safety.domain import MEASURE_LABELS, RISK_BY_TEXT, Risk
from gridgov.safety.queries import LEDGER_COLUMNS
from gridgov.safety.rules import Rules, shipped_rules
from gridgov.safety.services.places import PlaceDraft, Problem
from gridgov.tabular import TableUnreadable, column_index, read_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("序号",),
    "code": ("场所编码", "编码"),
    "name": ("场所名称", "名称", "企业名称"),
    "type": ("场所类型", "类型", "行业类别"),
    "address": ("地址", "详细地址"),
    "lon": ("经度",),
    "lat": ("纬度",),
    "risk": ("风险等级", "风险颜色", "风险"),
    "responsible_name": ("负责人", "责任人"),
    "responsible_phone": ("联系电话", "负责人电话", "电话"),
}
REQUIRED = ("name", "type", "lon", "lat", "risk")
LABEL = {key: names[0] for key, names in COLUMNS.items()}


def _type_code(text: str, rules: Rules) -> str | None:
    t = text.strip()
    if t in rules.types:
        return t
    return next((k.code for k in rules.types.values() if k.label == t), None)


def read_place_list(
    raw: bytes, filename: str, rules: Rules | None = None
) -> tuple[list[tuple[int, PlaceDraft]], list[Problem]]:
    """(line, draft) for every line that parses, and the problems of those that do not (with their line)."""
    rules = rules or shipped_rules()
    try:
        table = read_table(raw, filename)
    except TableUnreadable as exc:
        return [], [Problem("file", str(exc), 1)]
    at, missing = column_index(table.header, COLUMNS)
    problems: list[Problem] = []
    need = [k for k in missing if k in REQUIRED]
    if need:
        problems.append(Problem("header", "缺少列: " + "、".join(LABEL[k] for k in need), 1))
    known = set(at.values())
    extra = [h for i, h in enumerate(table.header) if i not in known and h]
    if extra:
        problems.append(Problem("header", "未知的列: " + "、".join(extra), 1))
    if problems:
        return [], problems
    drafts: list[tuple[int, PlaceDraft]] = []
    for line, cells in table.rows:

        def cell(key: str, cells: Sequence[str] = cells) -> str:
            i = at.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        bad: list[Problem] = []
        for key in ("name", "type", "risk"):
            if not cell(key):
                bad.append(Problem(key, f"{LABEL[key]}不能为空", line))
        type_code = _type_code(cell("type"), rules) if cell("type") else None
        if cell("type") and type_code is None:
            bad.append(Problem("type", f"未知的场所类型: {cell('type')}", line))
        risk = RISK_BY_TEXT.get(cell("risk"), cell("risk"))
        if cell("risk") and risk not in {r.value for r in Risk}:
            bad.append(Problem("risk", f"风险等级须为 红 / 橙 / 黄 / 蓝: {cell('risk')}", line))
        point: list[float] = []
        for key in ("lat", "lon"):
            try:
                point.append(float(cell(key)))
            except ValueError:
                bad.append(Problem(key, f"{LABEL[key]}须为数字: {cell(key) or '(空)'}", line))
        if bad:
            problems.extend(bad)
            continue
        assert type_code is not None
        drafts.append(
            (
                line,
                PlaceDraft(
                    name=cell("name"),
                    type_code=type_code,
                    address=cell("address"),
                    lat=point[0],
                    lon=point[1],
                    risk=risk,
                    responsible_name=cell("responsible_name"),
                    responsible_phone=cell("responsible_phone"),
                    code=cell("code") or None,
                ),
            )
        )
    return drafts, problems


# -- writing ------------------------------------------------------------------------------------------------------
PERCENT = "0.00%"
COUNT_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("label", "统计单元", None),
    ("due", "应检", None),
    ("done", "已检", None),
    ("found", "发现隐患", None),
    ("closed", "已销号", None),
    ("on_time", "按期整改", None),
    ("major", "重大隐患", None),
    ("major_closed", "重大隐患已销号", None),
    ("repeats", "复发隐患", None),
    *((m.value, label, PERCENT) for m, label in MEASURE_LABELS.items()),
)
BY_LABELS = {"district": "按县区", "street": "按街道", "type": "按场所类型", "grade": "按隐患等级"}


def _safe(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def _header(ws: Any, headers: Sequence[str]) -> None:
    ws.append(list(headers))
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="B71C1C")
        c.alignment = Alignment(horizontal="center")
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(40, len(header) * 2 + 4))
    ws.freeze_panes = "A2"


def ledger_workbook(
    title: str, rows: Sequence[Mapping[str, Any]], statistics: Mapping[str, Mapping[str, Any]]
) -> bytes:
    """The ledger sheet (write-only: 100,000 rows stream out) and one statistics sheet per grouping."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"隐患台账{title}"[:31])
    ws.append([header for _, header in LEDGER_COLUMNS])
    keys = [k for k, _ in LEDGER_COLUMNS]
    for row in rows:
        ws.append([_safe(row.get(k)) for k in keys])
    for by, stats in statistics.items():
        sheet = wb.create_sheet(f"统计{BY_LABELS.get(by, by)}")
        sheet.append([h for _, h, _ in COUNT_COLUMNS])
        for r in [*stats["rows"], stats["total"]]:
            sheet.append([_safe(r.get(k)) for k, _, _ in COUNT_COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def places_template() -> bytes:
    """An empty list with the columns the import reads."""
    wb = Workbook()
    ws = wb.active
    ws.title = "场所清单"
    _header(ws, [names[0] for key, names in COLUMNS.items()])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
