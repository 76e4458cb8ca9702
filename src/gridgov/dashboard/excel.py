"""The monthly ranking as an Excel workbook: one sheet for streets, one for departments, rates as numbers
formatted as percentages (so the sheet can be sorted and summed)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

PERCENT = "0.00%"
# (key in a ranking row — "counts.x" reads the counts — header, is a rate)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("rank", "排名", False),
    ("unit_code", "单位编码", False),
    ("unit_name", "单位名称", False),
    ("composite", "综合得分", True),
    ("response_rate", "响应率", True),
    ("resolution_rate", "解决率", True),
    ("satisfaction_rate", "满意率", True),
    ("close_rate", "结案率", True),
    ("on_time_close_rate", "按期结案率", True),
    ("rework_rate", "返工率", True),
    ("postpone_rate", "延期率", True),
    ("counts.assigned", "派件数", False),
    ("counts.dispatched", "主办数", False),
    ("counts.closed", "结案数", False),
    ("counts.evaluated", "评价数", False),
)
HEADERS = [header for _, header, _ in COLUMNS]
WIDTHS = {"单位编码": 16, "单位名称": 28}


def _value(row: dict[str, Any], key: str) -> Any:
    if key.startswith("counts."):
        return row["counts"][key.split(".", 1)[1]]
    value = row.get(key)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # text that looks like a formula stays text
    return value


def ranking_workbook(ranking: dict[str, Any]) -> bytes:
    """`ranking` as returned by dashboard.queries.ranking → the .xlsx file's bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for key, title in (("streets", "街道排名"), ("departments", "部门排名")):
        ws = wb.create_sheet(title)
        ws.append(HEADERS)
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="B71C1C")
            cell.alignment = Alignment(horizontal="center")
        for row in ranking[key]:
            values = [_value(row, k) for k, _, _ in COLUMNS]
            if row.get("rank") is None and row.get("sample"):
                values[0] = row["sample"]  # 样本不足: too few tasks to be ranked (the dashboard's rule)
            ws.append(values)
            for cell, (_, _, is_rate) in zip(ws[ws.max_row], COLUMNS, strict=True):
                if is_rate:
                    cell.number_format = PERCENT
        for i, header in enumerate(HEADERS, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = WIDTHS.get(header, 11)
        ws.freeze_panes = "D2"
    info = wb.create_sheet("说明")
    weights = ranking["weights"]
    info.append(["考核月份", ranking["month"]])
    info.append(
        [
            "综合得分权重",
            f"响应率 {weights['response']} · 解决率 {weights['resolution']} · 满意率 {weights['satisfaction']}",
        ]
    )
    info.append(["说明", "比率以数值保存并按百分比显示；分母为零时留空。排名在街道、部门内分别计算。"])
    if "min_tasks" in ranking:
        info.append(
            [
                "排名规则",
                f"当月任务不少于 {ranking['min_tasks']} 件且有综合得分的单位才参与排名, 否则标「样本不足」; "
                "按综合得分排序, 得分相同按任务量 (多者在前), 得分和任务量都相同时名次并列。",
            ]
        )
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 60
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
