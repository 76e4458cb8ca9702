"""Values that are not computed: entered by hand (who and when recorded) or imported from a file (all or
nothing, with line numbers). Both are events on the indicator's record."""

from __future__ import annotations

from datetime import datetime

from gridgov.actor import Actor
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.indicators.domain import Level, Period, PeriodKind, SourceKind
from gridgov.indicators.models import Indicator, IndicatorValue
from gridgov.indicators.ports import IndicatorsUnitOfWork, ValuesRejected, WrongSource
from gridgov.indicators.services.common import EDITORS, SELF_REPORTERS, indicator_or_404, record, require_editor
from gridgov.indicators.services.targets import _unit_of_level
from gridgov.logging import get_logger
from gridgov.tabular import TableUnreadable, column_index, read_table

log = get_logger(__name__)
MAX_ERRORS = 20
COLUMNS = {
    "unit_code": ("单位编码", "unit_code"),
    "period": ("期间", "period"),
    "value": ("数值", "value"),
}


def _period_of(indicator: Indicator, text: str) -> Period:
    period = Period.parse(text)
    if period.kind is not PeriodKind(indicator.period_kind):
        raise ValueError(f"该指标按{PeriodKind(indicator.period_kind).label}统计, 期间 {text} 不符")
    return period


def enter_value(
    uow: IndicatorsUnitOfWork,
    code: str,
    unit_code: str,
    period_text: str,
    value: float,
    note: str,
    actor: Actor,
    now: datetime,
) -> None:
    """A hand-entered value (manual indicators only). The command centre enters any unit's; a street or a
    department its own."""
    with uow:
        indicator = indicator_or_404(uow, code)
        if indicator.source_kind != SourceKind.MANUAL.value:
            raise WrongSource(
                f"指标 {indicator.name} 的数值来自{SourceKind(indicator.source_kind).label}，不能手工填报"
            )
        unit = _unit_of_level(uow, unit_code, indicator.level)
        if actor.role not in EDITORS and not (actor.role in SELF_REPORTERS and actor.unit_id == unit.id):
            raise PermissionDenied("只能填报本单位的指标")
        try:
            period = _period_of(indicator, period_text)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="period") from None
        row = IndicatorValue(
            indicator_id=indicator.id,
            unit_code=unit_code,
            period=period.label,
            value=value,
            source_kind=SourceKind.MANUAL.value,
            entered_by_id=actor.user_id,
            entered_by=actor.name,
            entered_at=now,
            filename="",
            note=note,
        )
        _, replaced = uow.indicators.save_values([row])
        payload = {
            "unit_code": unit_code,
            "period": period.label,
            "value": value,
            "note": note,
            "replaced": bool(replaced),
        }
        record(uow, indicator, "indicator", code, "enter_value", actor, now, payload)
        uow.commit()
    log.info("indicator_value_entered", code=code, unit_code=unit_code, period=period.label)


def import_values(
    uow: IndicatorsUnitOfWork, code: str, raw: bytes, filename: str, actor: Actor, now: datetime
) -> tuple[int, int]:
    """A CSV or Excel file of 单位编码, 期间, 数值 for an imported indicator. One bad line and nothing is stored;
    the error names every bad line (up to 20). Returns (added, replaced)."""
    require_editor(actor)
    with uow:
        indicator = indicator_or_404(uow, code)
        if indicator.source_kind != SourceKind.IMPORTED.value:
            raise WrongSource(
                f"指标 {indicator.name} 的数值来自{SourceKind(indicator.source_kind).label}，不能导入文件"
            )
        rows, problems = _read_values(uow, indicator, raw, filename, actor, now)
        if problems:
            more = f" (另有 {len(problems) - 1} 处错误)" if len(problems) > 1 else ""
            raise ValuesRejected(
                f"{filename} {problems[0]['text']}{more}；整个文件未导入",
                file=filename,
                line=problems[0]["line"],
                errors=problems[:MAX_ERRORS],
                total=len(problems),
            )
        added, replaced = uow.indicators.save_values(rows)
        periods = sorted({r.period for r in rows})
        payload = {"file": filename, "rows": len(rows), "added": added, "replaced": replaced, "periods": periods}
        record(uow, indicator, "indicator", code, "import_values", actor, now, payload)
        uow.commit()
    log.info("indicator_values_imported", code=code, rows=len(rows))
    return added, replaced


def _read_values(
    uow: IndicatorsUnitOfWork, indicator: Indicator, raw: bytes, filename: str, actor: Actor, now: datetime
) -> tuple[list[IndicatorValue], list[dict[str, object]]]:
    problems: list[dict[str, object]] = []

    def bad(line: int, column: str, text: str) -> None:
        problems.append({"line": line, "column": column, "problem": text, "text": f"第 {line} 行 ({column}): {text}"})

    try:
        table = read_table(raw, filename)
    except TableUnreadable as exc:
        bad(1, "", str(exc))
        return [], problems
    at, missing = column_index(table.header, COLUMNS)
    if missing:
        bad(1, "表头", "缺少列: " + "、".join(COLUMNS[m][0] for m in missing))
        return [], problems
    units = {u.code for u in uow.indicators.units(_level(indicator))}
    seen: dict[tuple[str, str], int] = {}
    out: list[IndicatorValue] = []
    for line, cells in table.rows:
        cells = cells + [""] * (max(at.values()) + 1 - len(cells))
        unit_code, period_text, value_text = (cells[at[k]] for k in ("unit_code", "period", "value"))
        if unit_code not in units:
            bad(line, "单位编码", f"{unit_code!r} 不是{_level(indicator).label}级单位")
            continue
        try:
            period = _period_of(indicator, period_text)
        except ValueError as exc:
            bad(line, "期间", str(exc))
            continue
        try:
            value = float(value_text.replace(",", "").removesuffix("%"))
        except ValueError:
            bad(line, "数值", f"{value_text!r} 不是数值")
            continue
        key = (unit_code, period.label)
        if key in seen:
            bad(line, "期间", f"与第 {seen[key]} 行是同一单位同一期间")
            continue
        seen[key] = line
        out.append(
            IndicatorValue(
                indicator_id=indicator.id,
                unit_code=unit_code,
                period=period.label,
                value=value,
                source_kind=SourceKind.IMPORTED.value,
                entered_by_id=actor.user_id,
                entered_by=actor.name,
                entered_at=now,
                filename=filename[:200],
                note="",
            )
        )
    if not out and not problems:
        bad(2, "", "文件没有数据行")
    return out, problems


def _level(indicator: Indicator) -> Level:
    return Level(indicator.level)
