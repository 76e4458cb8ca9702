"""The batch list as the office keeps it (Excel or CSV) read into drafts with their line numbers, and a batch's
report written back as a workbook (rates as percentages)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from gridgov.proposals.domain import KIND_LABELS, AnswerClass
from gridgov.proposals.services.intake import Problem, ProposalDraft
from gridgov.tabular import TableUnreadable, column_index, read_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS: dict[str, tuple[str, ...]] = {
    "batch": ("批次编码", "批次"),
    "number": ("编号", "建议编号", "提案编号"),
    "kind": ("类型", "类别"),
    "title": ("标题", "案由", "题目"),
    "authors": ("提出人", "领衔人及联名人", "代表", "委员"),
    "body": ("内容", "正文"),
    "category": ("分类", "内容分类"),
    "focus": ("是否重点", "重点"),
    "focus_leader": ("领衔督办领导", "督办领导"),
    "grid_code": ("网格编码", "所在网格"),
}
REQUIRED = ("batch", "number", "kind", "title", "authors")
LABEL = {key: names[0] for key, names in COLUMNS.items()}
KIND_BY_TEXT = {v: k.value for k, v in KIND_LABELS.items()} | {k.value: k.value for k in KIND_LABELS}
YES, NO = frozenset({"是", "Y", "y", "yes", "true", "1", "√"}), frozenset({"否", "N", "n", "no", "false", "0", ""})
SEPARATORS = ("、", "，", ",", ";", "；", " ")


def _names(text: str) -> tuple[str, ...]:
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    return tuple(n for n in (p.strip() for p in text.split(SEPARATORS[0])) if n)


def read_proposal_list(raw: bytes, filename: str) -> tuple[list[ProposalDraft], list[Problem]]:
    """A draft for every line that parses, and the problems of those that do not (with their line)."""
    try:
        table = read_table(raw, filename)
    except TableUnreadable as exc:
        return [], [Problem(1, str(exc), "file")]
    at, missing = column_index(table.header, COLUMNS)
    problems: list[Problem] = []
    need = [k for k in missing if k in REQUIRED]
    if need:
        problems.append(Problem(1, "缺少列: " + "、".join(LABEL[k] for k in need), "header"))
    known = set(at.values())
    extra = [h for i, h in enumerate(table.header) if i not in known and h]
    if extra:
        problems.append(Problem(1, "未知的列: " + "、".join(extra), "header"))
    if problems:
        return [], problems
    drafts: list[ProposalDraft] = []
    for line, cells in table.rows:

        def cell(key: str, cells: Sequence[str] = cells) -> str:
            i = at.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        kind = KIND_BY_TEXT.get(cell("kind"))
        focus = cell("focus")
        if kind is None:
            problems.append(Problem(line, f"类型须为 建议 / 提案 / 社情民意: {cell('kind')}", "kind"))
            continue
        if focus not in YES and focus not in NO:
            problems.append(Problem(line, f"是否重点须为 是 / 否: {focus}", "focus"))
            continue
        drafts.append(
            ProposalDraft(
                batch=cell("batch"),
                number=cell("number"),
                kind=kind,
                title=cell("title"),
                authors=_names(cell("authors")),
                body=cell("body"),
                category=cell("category"),
                focus=focus in YES,
                focus_leader=cell("focus_leader"),
                grid_code=cell("grid_code") or None,
                line=line,
            )
        )
    return drafts, problems


PERCENT = "0.0%"
METRIC_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("unit_name", "主办单位", None),
    ("items", "件数", None),
    ("due", "应答复件数", None),
    ("on_time", "按期答复件数", None),
    ("on_time_rate", "按期答复率", PERCENT),
    ("met", "见面沟通件数", None),
    ("meeting_rate", "见面率", PERCENT),
    ("rated", "已评价件数", None),
    ("work_rate", "满意率 (办理工作)", PERCENT),
    ("result_rate", "满意率 (办理结果)", PERCENT),
    *((f"class_{c.value}", f"{c.value} 类", None) for c in AnswerClass),
    ("promises_due", "到期承诺事项", None),
    ("promises_kept", "已兑现", None),
    ("promise_rate", "承诺兑现率", PERCENT),
)


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # text that looks like a formula stays text
    return value


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, **{f"class_{k}": v for k, v in row["classes"].items()}}


def report_workbook(report: Mapping[str, Any]) -> bytes:
    """A batch's report: the metrics by lead unit with the batch's total, and its counts by status."""
    wb = Workbook()
    ws = wb.active
    ws.title = "办理情况"
    ws.append([f"{report['batch']['name']} 建议提案办理情况 (截至 {report['as_of']})"])
    ws.append([header for _, header, _ in METRIC_COLUMNS])
    for c in ws[2]:
        c.font = Font(bold=True)
    rows: Sequence[Mapping[str, Any]] = [*report["units"], {"unit_name": "合计", **report["total"]}]
    for row in rows:
        flat = _flat(row)
        ws.append([_safe(flat.get(key)) for key, _, _ in METRIC_COLUMNS])
        for cell, (_, _, fmt) in zip(ws[ws.max_row], METRIC_COLUMNS, strict=True):
            if fmt:
                cell.number_format = fmt
    st = wb.create_sheet("按状态")
    st.append(["状态", "件数"])
    for s in report["statuses"]:
        st.append([s["label"], s["count"]])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
