"""/api/v1/air: imports (stations, hourly data, the key cities' list), the composite index of an area with the
change on last year, the districts' and the key cities' rankings, daily AQI, and the AQI tables in force."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile

from gridgov.air import services
from gridgov.air.domain import Standing
from gridgov.air.queries import area_names
from gridgov.air.repository import SqlAirUnitOfWork
from gridgov.air.schemas import ImportedPublic, PeriodText, StandingPublic
from gridgov.air.services.reports import CompositeReport
from gridgov.air.tables import aqi_tables, composite_rules
from gridgov.errors import ValidationFailed
from gridgov.indicator_sources import Period
from gridgov.web.deps import ContainerDep, CurrentActor, Runtime

router = APIRouter(prefix="/api/v1/air", tags=["空气质量 air"])
MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # a year of 20 stations' hours is about 12 MB of CSV
PeriodQuery = Annotated[PeriodText, Query(description="YYYY-MM, YYYYQn, 或 YYYY (年初至今)")]


def _uow(container: Runtime, write: bool) -> SqlAirUnitOfWork:
    return SqlAirUnitOfWork(container.uow(write=write))


async def _read(file: UploadFile) -> tuple[bytes, str]:
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", field="file")
    return raw, file.filename or "upload.csv"


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="period") from None


def _imported(result: services.Imported) -> ImportedPublic:
    return ImportedPublic(
        import_id=result.import_id,
        rows=result.rows,
        first_day=result.first_day.isoformat() if result.first_day else None,
        last_day=result.last_day.isoformat() if result.last_day else None,
        stations=result.stations,
        days=result.days,
        added=result.added,
        updated=result.updated,
        period=result.period,
    )


@router.post("/stations", summary="导入监测点位表 (点位编码, 点位名称, 区县代码)")
async def import_stations(container: ContainerDep, actor: CurrentActor, file: UploadFile) -> ImportedPublic:
    raw, name = await _read(file)
    return _imported(services.import_stations(_uow(container, True), raw, name, actor, container.clock.now()))


@router.post(
    "/hours",
    summary="导入点位小时数据 (CSV 或 Excel, 国家平台发布格式); 任一行有误则整个文件不导入 (422 air_file_rejected)",
)
async def import_hours(container: ContainerDep, actor: CurrentActor, file: UploadFile) -> ImportedPublic:
    raw, name = await _read(file)
    return _imported(services.import_hourly(_uow(container, True), raw, name, actor, container.clock.now()))


@router.post("/cities", summary="导入重点城市环境空气质量综合指数 (某一期间的全国排名名单)")
async def import_cities(
    container: ContainerDep, actor: CurrentActor, file: UploadFile, period: PeriodQuery
) -> ImportedPublic:
    raw, name = await _read(file)
    result = services.import_city_indices(
        _uow(container, True), raw, name, _period(period), actor, container.clock.now()
    )
    return _imported(result)


def report_body(report: CompositeReport, names: dict[str, str]) -> dict[str, Any]:
    c, last = report.composite, report.last_year
    return {
        "area_code": report.area_code,
        "area_name": names.get(report.area_code, report.area_code),
        "period": report.period.label,
        "period_title": report.period.title + ("(年初至今)" if report.ytd else ""),
        "first_day": report.first.isoformat(),
        "last_day": report.last.isoformat(),
        "days": c.days,
        "composite": c.index,
        "primary": c.primary,
        "concentrations": dict(c.concentrations),
        "parts": {k: round(v, 4) if v is not None else None for k, v in c.parts.items()},
        "missing": list(c.missing),
        "last_year": {"composite": last.index, "days": last.days, "concentrations": dict(last.concentrations)},
        "change_percent": report.change,
        "change_text": report.change_text,
        "rule": c.rule,
    }


@router.get("/composite", summary="某区域 (市或区县代码) 的环境空气质量综合指数及同比变化")
def composite(
    container: ContainerDep, actor: CurrentActor, period: PeriodQuery, area: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    area_code = area or container.settings.city_code
    report = services.composite_report(_uow(container, False), area_code, _period(period))
    return report_body(report, area_names(container.sessions, [area_code]))


def _standing(s: Standing | None) -> StandingPublic | None:
    return (
        StandingPublic(name=s.name, index=s.index, rank=s.rank, from_bottom=s.from_bottom, total=s.total, text=s.text)
        if s
        else None
    )


@router.get("/districts", summary="各区县综合指数排名 (由点位数据计算)")
def districts(container: ContainerDep, actor: CurrentActor, period: PeriodQuery) -> dict[str, Any]:
    rows = services.district_ranking(_uow(container, False), container.settings.city_code, _period(period))
    names = area_names(container.sessions, [r.report.area_code for r in rows])
    return {
        "period": period,
        "districts": [report_body(r.report, names) | {"standing": _standing(r.standing)} for r in rows],
    }


@router.get("/ranking", summary="重点城市综合指数排名: 本市正数第几、倒数第几")
def city_ranking(
    container: ContainerDep, actor: CurrentActor, period: Annotated[PeriodText | None, Query()] = None
) -> dict[str, Any]:
    result = services.city_ranking(_uow(container, False), period, container.settings.city_name)
    return {
        "period": result.period,
        "city": container.settings.city_name,
        "ours": _standing(result.ours),
        "cities": [_standing(s) for s in result.standings],
    }


@router.get("/daily", summary="某区域逐日 AQI、类别、颜色与首要污染物")
def daily(
    container: ContainerDep,
    actor: CurrentActor,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
    area: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    if (last - first).days > 366 or last < first:
        raise ValidationFailed("日期范围须在一年以内且起日不晚于止日", field="to")
    area_code = area or container.settings.city_code
    return {"area_code": area_code, "days": services.daily_report(_uow(container, False), area_code, first, last)}


@router.get("/tables", summary="AQI 分级表 (HJ 633 各版本, 按日期选用) 与综合指数规则, 含出处")
def tables(actor: CurrentActor) -> dict[str, Any]:
    return {
        "aqi": [
            {
                "version": t.version,
                "effective_from": t.effective_from.isoformat(),
                "effective_until": t.effective_until.isoformat() if t.effective_until else None,
                "iaqi": list(t.iaqi),
                "breakpoints": {k: list(v) for k, v in t.breakpoints.items()},
                "categories": [
                    {"max_aqi": c.max_aqi, "level": c.level, "name": c.name, "colour": c.colour, "hex": c.hex}
                    for c in t.categories
                ],
                "source": list(t.source),
            }
            for t in aqi_tables()
        ],
        "composite": [
            {"version": r.version, "limits": dict(r.limits), "statistic": dict(r.statistic), "source": list(r.source)}
            for r in composite_rules()
        ],
    }
