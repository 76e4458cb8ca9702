"""A ranking as an Excel workbook: one row per unit (rank, 倒数, composite score, each indicator's value), and a
sheet that says which indicators and weights the score is made of."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # text that looks like a formula stays text
    return value


def ranking_workbook(ranking: dict[str, Any]) -> bytes:
    """`ranking` as returned by views.ranking_body → the .xlsx file's bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    columns = ranking["indicators"]
    headers = ["排名", "倒数", "单位编码", "单位名称", "综合得分"] + [
        c["name"] + (f" ({c['unit']})" if c["unit"] else "") for c in columns
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in ranking["rows"]:
        rank = row["rank"] or {}
        ws.append(
            [rank.get("rank"), rank.get("from_bottom"), _safe(row["unit_code"]), _safe(row["unit_name"]), row["score"]]
            + [row["values"].get(c["code"]) for c in columns]
        )
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 28 if header == "单位名称" else 14
    ws.freeze_panes = "E2"
    info = wb.create_sheet("说明")
    info.append(["排名方案", _safe(ranking["name"])])
    info.append(["考核期间", ranking["as_of_title"]])
    for c in columns:
        info.append(["指标", _safe(c["name"]), "权重", c["weight"], "期间", c["period"]])
    info.append(
        ["计分方法", "各指标在同级单位间按最好 100 分、最差 0 分线性计分, 按权重加权平均; 缺值的指标权重分摊给其余指标"]
    )
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 40
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
