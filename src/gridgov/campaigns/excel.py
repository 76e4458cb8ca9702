"""The campaign report as an Excel workbook (openpyxl): summary, counts, clusters and every suggestion."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

# cells that start like a formula are written as text, so a suggestion cannot run anything in Excel
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row])
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(60, len(name) * 2 + 4))
    return ws


def workbook(report: dict[str, Any], details: Sequence[dict[str, Any]]) -> bytes:
    c = report["campaign"]
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "概况"
    rate = report["adoption_rate"]
    for label, value in (
        ("征集活动", c["title"]),
        ("主办单位", c["organiser"]),
        ("征集时间", c["window"]),
        ("建议总数", report["total"]),
        ("逾期收到", report["late"]),
        ("已办结", report["decided"]),
        ("采纳(含部分采纳、转案件)", report["adopted"]),
        ("采纳率", rate if rate is not None else "—"),
        ("已答复", report["replied"]),
        ("生成时间", report["generated_at"]),
    ):
        summary.append([label, _safe(value)])
    if rate is not None:
        summary.cell(8, 2).number_format = "0.0%"
    summary.column_dimensions["A"].width = 26
    summary.column_dimensions["B"].width = 50
    _sheet(wb, "按领域", ("领域", "件数"), [(r["field"], r["count"]) for r in report["by_field"]])
    _sheet(wb, "按渠道", ("渠道", "件数"), [(r["label"], r["count"]) for r in report["by_channel"]])
    _sheet(wb, "按状态", ("状态", "件数"), [(r["label"], r["count"]) for r in report["by_status"]])
    _sheet(wb, "按日期", ("日期", "件数"), [(r["day"], r["count"]) for r in report["by_day"]])
    _sheet(
        wb,
        "重复建议",
        ("类编号", "件数", "首条编号", "标题", "领域"),
        [(r["cluster_id"], r["size"], r["ref"], r["title"], r["field"]) for r in report["top_clusters"]],
    )
    keys = (
        "ref",
        "received_at",
        "channel",
        "field",
        "status",
        "late",
        "cluster_id",
        "title",
        "content",
        "reply",
        "case_id",
    )
    header = ("编号", "收到时间", "渠道", "领域", "状态", "逾期", "类编号", "标题", "内容", "答复", "案件编号")
    _sheet(wb, "建议明细", header, [[d[k] for k in keys] for d in details])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
