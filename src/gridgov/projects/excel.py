"""The list as the 发改委 keeps it (Excel, amounts in 亿元) read into drafts with their line numbers, and every list
and ranking written back as a workbook (amounts in 亿元, rates as percentages)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

from gridgov.projects.domain import (
    FUNDING_LABELS,
    SECTOR_LABELS,
    WAN_PER_YI,
    Funding,
    Measure,
    Sector,
    phase_name,
)
from gridgov.projects.services.intake import Problem, ProjectDraft
from gridgov.tabular import TableUnreadable, column_index, read_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("项目编码", "编码"),
    "name": ("项目名称",),
    "investor": ("投资方", "投资主体", "签约企业"),
    "district": ("县(市、区)", "县（市、区）", "县市区", "区县", "所在地"),
    "sector": ("行业领域", "所属行业", "行业"),
    "total_investment": ("总投资(亿元)", "总投资（亿元）", "总投资"),
    "annual_investment": ("年度计划投资(亿元)", "年度计划投资（亿元）", "年度计划投资"),
    "funding": ("资金来源",),
    "attracted": ("是否招商引资", "招商引资"),
    "leader": ("责任领导",),
    "responsible_unit": ("责任单位",),
    "signed_phase": ("签约期次", "期次"),
    "signed_on": ("签约日期",),
    "lon": ("经度",),
    "lat": ("纬度",),
    "serial": ("序号",),
}
REQUIRED = (
    "name",
    "investor",
    "district",
    "sector",
    "total_investment",
    "annual_investment",
    "funding",
    "signed_phase",
    "signed_on",
)
LABEL = {key: names[0] for key, names in COLUMNS.items()}
SECTOR_BY_TEXT = {v: k.value for k, v in SECTOR_LABELS.items()} | {"战新": "emerging", "基础设施": "infrastructure"}
FUNDING_BY_TEXT = {v: k.value for k, v in FUNDING_LABELS.items()} | {
    "省外": "out_of_province",
    "省内": "local",
    "本地": "local",
}
YES, NO = frozenset({"是", "Y", "y", "yes", "true", "1", "√"}), frozenset({"否", "N", "n", "no", "false", "0", ""})
PHASE_BY_NAME = {phase_name(n): n for n in range(1, 1000)}


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("，", ""))


def _yi_to_wan(text: str) -> int:
    return round(_number(text) * WAN_PER_YI)


def _date(text: str) -> date:
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?", text.strip())
    if not m:
        raise ValueError(text)
    return date(int(m[1]), int(m[2]), int(m[3]))


def _phase(text: str) -> int:
    t = text.strip()
    if t in PHASE_BY_NAME:
        return PHASE_BY_NAME[t]
    return int(t.removeprefix("第").removesuffix("期"))


def read_project_list(raw: bytes, filename: str) -> tuple[list[tuple[int, ProjectDraft]], list[Problem]]:
    """(line, draft) for every line that parses, and the problems of those that do not (with their line)."""
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
    drafts: list[tuple[int, ProjectDraft]] = []
    for line, cells in table.rows:
        draft, bad = _parse_line(line, cells, at)
        problems.extend(bad)
        if draft is not None:
            drafts.append((line, draft))
    return drafts, problems


def _parse_line(line: int, cells: Sequence[str], at: Mapping[str, int]) -> tuple[ProjectDraft | None, list[Problem]]:
    bad: list[Problem] = []

    def cell(key: str) -> str:
        i = at.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def parse(key: str, fn: Any, message: str) -> Any:
        text = cell(key)
        if not text:
            if key in REQUIRED:
                bad.append(Problem(key, f"{LABEL[key]}不能为空", line))
            return None
        try:
            return fn(text)
        except (ValueError, KeyError):
            bad.append(Problem(key, f"{LABEL[key]}{message}: {text}", line))
            return None

    for key in ("name", "investor", "district"):
        if not cell(key):
            bad.append(Problem(key, f"{LABEL[key]}不能为空", line))
    total = parse("total_investment", _yi_to_wan, "须为数字 (亿元)")
    annual = parse("annual_investment", _yi_to_wan, "须为数字 (亿元)")
    sector = parse("sector", lambda t: SECTOR_BY_TEXT.get(t) or Sector(t).value, "不在行业领域之列")
    funding = parse("funding", lambda t: FUNDING_BY_TEXT.get(t) or Funding(t).value, "须为 外资 / 省外资金 / 省内资金")
    phase = parse("signed_phase", _phase, "须为期次 (如 9 或 第九期)")
    signed_on = parse("signed_on", _date, "须为日期 (如 2025-03-01)")
    lat = parse("lat", _number, "须为数字")
    lon = parse("lon", _number, "须为数字")
    attracted = cell("attracted")
    if attracted not in YES | NO:
        bad.append(Problem("attracted", f"是否招商引资须为 是 或 否: {attracted}", line))
    if bad:
        return None, bad
    draft = ProjectDraft(
        name=cell("name"),
        investor=cell("investor"),
        district=cell("district"),
        sector=sector,
        total_investment=total,
        annual_investment=annual,
        funding=funding,
        signed_phase=phase,
        signed_on=signed_on,
        attracted=attracted in YES,
        leader=cell("leader"),
        responsible_unit=cell("responsible_unit"),
        lat=lat,
        lon=lon,
        code=cell("code") or None,
    )
    return draft, []


# -- writing ---------------------------------------------------------------------------------------------------------
PERCENT = "0.00%"
YI = "#,##0.00"
PROJECT_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("code", "项目编码", None),
    ("name", "项目名称", None),
    ("investor", "投资方", None),
    ("district_name", "县(市、区)", None),
    ("sector_label", "行业领域", None),
    ("total_investment_yi", "总投资(亿元)", YI),
    ("annual_investment_yi", "年度计划投资(亿元)", YI),
    ("funding_label", "资金来源", None),
    ("size_label", "规模", None),
    ("attracted", "是否招商引资", None),
    ("leader", "责任领导", None),
    ("responsible_unit", "责任单位", None),
    ("status_label", "状态", None),
    ("signed_phase", "签约期次", None),
    ("signed_on", "签约日期", None),
    ("started_phase", "开工期次", None),
    ("started_on", "开工日期", None),
    ("producing_phase", "投产期次", None),
    ("producing_on", "投产日期", None),
    ("effective_on", "达效日期", None),
    ("generated", "演示数据", None),
)
RATE_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("district_name", "县(市、区)", None),
    ("signed", "签约项目数", None),
    ("honoured", "履约项目数", None),
    ("started", "开工项目数", None),
    ("producing", "投产项目数", None),
    ("effective", "达效项目数", None),
    (Measure.HONOUR_RATE.value, "签约项目履约率", PERCENT),
    (Measure.START_RATE.value, "履约项目开工率", PERCENT),
    (Measure.PRODUCTION_RATE.value, "开工项目投产率", PERCENT),
    (Measure.EFFECTIVE_RATE.value, "投产项目达效率", PERCENT),
    ("plan_yi", "年度计划投资(亿元)", YI),
    ("done_yi", "本年完成投资(亿元)", YI),
    (Measure.INVESTMENT_RATE.value, "投资完成率", PERCENT),
    ("last_year_yi", "上年同期完成投资(亿元)", YI),
    ("growth", "同比增长", PERCENT),
)
RANK_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("rank", "排名", None),
    ("district_name", "县(市、区)", None),
    ("score", "综合得分", PERCENT),
    (Measure.HONOUR_RATE.value, "签约项目履约率", PERCENT),
    (Measure.START_RATE.value, "履约项目开工率", PERCENT),
    (Measure.PRODUCTION_RATE.value, "开工项目投产率", PERCENT),
    (Measure.EFFECTIVE_RATE.value, "投产项目达效率", PERCENT),
    (Measure.INVESTMENT_RATE.value, "投资完成率", PERCENT),
    ("growth", "同比增长", PERCENT),
)
TREND_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("name", "期次", None),
    ("held_on", "活动日期", None),
    ("signed", "签约项目数", None),
    ("signed_investment_yi", "签约总投资(亿元)", YI),
    ("started", "开工项目数", None),
    ("started_investment_yi", "开工总投资(亿元)", YI),
    ("producing", "投产项目数", None),
    ("producing_investment_yi", "投产总投资(亿元)", YI),
)


def _safe(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # text that looks like a formula stays text
    return value


def _sheet(
    wb: Any, title: str, columns: Sequence[tuple[str, str, str | None]], rows: Sequence[Mapping[str, Any]]
) -> None:
    ws = wb.create_sheet(title)
    ws.append([header for _, header, _ in columns])
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="B71C1C")
        c.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append([_safe(row.get(key)) for key, _, _ in columns])
        for cell, (_, _, fmt) in zip(ws[ws.max_row], columns, strict=True):
            if fmt:
                cell.number_format = fmt
    for i, (_, header, _) in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(40, len(header) * 2 + 2))
    ws.freeze_panes = "A2"


def _bytes(wb: Any) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def projects_workbook(rows: Sequence[Mapping[str, Any]], title: str = "项目清单") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, title, PROJECT_COLUMNS, rows)
    return _bytes(wb)


def phase_workbook(dashboard: Mapping[str, Any], lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """One phase: its three lists in full, the four rates and the investment by district (and the city), the
    ranking and the trend over phases."""
    wb = Workbook()
    wb.remove(wb.active)
    for entry in dashboard["lists"]:
        _sheet(wb, entry["label"], PROJECT_COLUMNS, lists[entry["kind"]])
    rates = dashboard["rates"]
    city = [{"district_name": "全市", **rates["city"]}] if rates["city"] else []
    _sheet(wb, "四率与投资", RATE_COLUMNS, [*rates["districts"], *city])
    _sheet(wb, "排名", RANK_COLUMNS, dashboard["ranking"])
    _sheet(wb, "趋势", TREND_COLUMNS, dashboard["trend"])
    return _bytes(wb)
