"""/api/v1/safety (安全生产): place types and checklists, places (imported from Excel, on the map, closed down or
merged), plans and the tasks they generate with coverage (应检/已检), inspections, hazards and their actions
(五落实, 挂牌督办, 验收, 销号, 转办), the record of each, the ledger (台账) with its statistics and the five rates.

Thin: parse, call one service or query, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from gridgov.actor import Actor
from gridgov.errors import ValidationFailed
from gridgov.indicator_sources import Period
from gridgov.media.domain import UploadRefused
from gridgov.safety import queries, services
from gridgov.safety.domain import FOLLOWERS, INSPECTORS, PLACE_WRITERS, PLANNERS, READERS
from gridgov.safety.events import HAZARD_STREAM, PLACE_STREAM
from gridgov.safety.excel import XLSX, ledger_workbook, places_template, read_place_list
from gridgov.safety.queries import HazardFilter, PlaceFilter
from gridgov.safety.repository import SqlSafetyUnitOfWork
from gridgov.safety.rules import shipped_rules
from gridgov.safety.schemas import (
    HazardAction,
    InspectionCreate,
    PlaceClose,
    PlaceCreate,
    PlaceMerge,
    PlanGenerate,
    decode_photo,
)
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role

router = APIRouter(prefix="/api/v1/safety", tags=["安全生产 safety"])
Reader = Annotated[Actor, Depends(require_role(*READERS))]
PlaceWriter = Annotated[Actor, Depends(require_role(*PLACE_WRITERS))]
Planner = Annotated[Actor, Depends(require_role(*PLANNERS))]
Inspector = Annotated[Actor, Depends(require_role(*INSPECTORS))]
Follower = Annotated[Actor, Depends(require_role(*(FOLLOWERS | INSPECTORS)))]
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")]
PeriodText = Annotated[str, Query(pattern=r"^\d{4}(-\d{2}|Q[1-4])?$", description="2026、2026Q4 或 2026-12")]
IMPORT_MAX_BYTES = 16 * 1024 * 1024


def uow(container: Runtime) -> SqlSafetyUnitOfWork:
    return SqlSafetyUnitOfWork(container.uow())


def period_of(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="period") from None


def excel(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"},
    )


def place_filter(
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    street: Annotated[str | None, Query(pattern=r"^[0-9]{9}$")] = None,
    grid: Annotated[str | None, Query(pattern=r"^[0-9]{15}$")] = None,
    type_code: Annotated[str | None, Query(alias="type", max_length=40)] = None,
    group: Annotated[str | None, Query(pattern=r"^(nine_small|rental|enterprise)$")] = None,
    risk: Annotated[str | None, Query(pattern=r"^(red|orange|yellow|blue)$")] = None,
    status: Annotated[str | None, Query(pattern=r"^(open|closed|merged)$")] = None,
    generated: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> PlaceFilter:
    return PlaceFilter(district, street, grid, type_code, group, risk, status, generated, q)


def hazard_filter(
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    street: Annotated[str | None, Query(pattern=r"^[0-9]{9}$")] = None,
    place_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Annotated[
        str | None, Query(pattern=r"^[a-z_,]{1,100}$", description="状态, 逗号分隔; open: 未销号")
    ] = None,
    grade: Annotated[str | None, Query(pattern=r"^(general|major)$")] = None,
    supervised: bool | None = None,
    generated: bool | None = None,
) -> HazardFilter:
    return HazardFilter(district, street, place_id, status, grade, supervised, None, generated)


Places = Annotated[PlaceFilter, Depends(place_filter)]
Hazards = Annotated[HazardFilter, Depends(hazard_filter)]


# -- reference -----------------------------------------------------------------------------------------------------
@router.get("/types", summary="场所类型 (九小场所、出租房屋、企业按行业) 及其检查表 (每项附依据)")
def place_types(_actor: Reader) -> list[dict[str, Any]]:
    rules = shipped_rules()
    return [
        {
            "code": t.code,
            "label": t.label,
            "group": t.group.value,
            "group_label": t.group.label,
            "industry": t.industry,
            "items": [
                {"code": i.code, "text": i.text, "basis": i.basis, "grade": i.grade.value}
                for i in rules.items_for(t.code).values()
            ],
        }
        for t in rules.types.values()
    ]


# -- places --------------------------------------------------------------------------------------------------------
@router.get("/places", summary="场所列表 (负责人与电话脱敏)")
def list_places(
    container: ContainerDep,
    _actor: Reader,
    f: Places,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.list_places(session, f, page, page_size)


@router.post("/places", status_code=201, summary="登记场所 (按经纬度落到网格)")
def create_place(body: PlaceCreate, container: ContainerDep, actor: PlaceWriter) -> dict[str, Any]:
    draft = services.PlaceDraft(**body.model_dump())
    place_id = services.register_place(uow(container), draft, actor, container.clock.now(), container.locator())
    with container.sessions() as session:
        return queries.place_detail(session, place_id)


@router.post("/places/import", status_code=201, summary="导入场所清单 (.xlsx; 全部成功或全部不导入, 指明出错的行)")
def import_place_list(
    container: ContainerDep, actor: PlaceWriter, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    raw = file.file.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise UploadRefused(f"文件过大, 上限 {IMPORT_MAX_BYTES} 字节")
    drafts, problems = read_place_list(raw, file.filename or "places.xlsx")
    ids = services.import_places(
        uow(container), drafts, actor, container.clock.now(), container.locator(), problems=problems
    )
    return {"imported": len(ids)}


@router.get("/places/template.xlsx", summary="场所清单模板 (Excel)")
def place_template(_actor: Reader) -> Response:
    return excel(places_template(), "场所清单模板.xlsx")


@router.get("/places/map.geojson", summary="地图图层: 场所按风险等级着色, 含未销号隐患数 (WGS-84 GeoJSON)")
def places_map(
    container: ContainerDep, _actor: Reader, f: Places, limit: Annotated[int, Query(ge=1, le=20_000)] = 5000
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.places_geojson(session, f, limit)


@router.get("/places/{place_id}", summary="场所详情: 检查记录与隐患")
def get_place(place_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.place_detail(session, place_id)


@router.get("/places/{place_id}/checklist", summary="该场所类型的检查表 (每项附依据)")
def get_checklist(place_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.place_checklist(session, place_id)


@router.get("/places/{place_id}/events", summary="场所的防篡改事件记录")
def place_events(place_id: RowId, container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.events_of(session, PLACE_STREAM, place_id)


@router.post("/places/{place_id}/close", summary="关停场所 (保留历史)")
def close(place_id: RowId, body: PlaceClose, container: ContainerDep, actor: PlaceWriter) -> dict[str, Any]:
    services.close_place(uow(container), place_id, body.reason, actor, container.clock.now())
    with container.sessions() as session:
        return queries.place_detail(session, place_id)


@router.post("/places/{place_id}/merge", summary="合并到另一场所 (两者记录均保留)")
def merge(place_id: RowId, body: PlaceMerge, container: ContainerDep, actor: PlaceWriter) -> dict[str, Any]:
    services.merge_place(uow(container), place_id, body.into, body.reason, actor, container.clock.now())
    with container.sessions() as session:
        return queries.place_detail(session, place_id)


# -- plans, tasks, coverage ----------------------------------------------------------------------------------------
@router.get("/plans", summary="检查计划 (数据: 哪些场所、多久一次) 与某月已生成的任务")
def list_plans(container: ContainerDep, _actor: Reader, period: Month | None = None) -> list[dict[str, Any]]:
    rules = shipped_rules()
    out = []
    for plan in rules.plans.values():
        row: dict[str, Any] = {
            "code": plan.code,
            "name": plan.name,
            "frequency": plan.frequency.value,
            "frequency_label": plan.frequency.label,
            "group": plan.group.value if plan.group else None,
            "risk": plan.risk.value if plan.risk else None,
            "types": list(plan.types),
        }
        out.append(row)
    if period:
        with container.sessions() as session:
            for row in out:
                run = uow_run(session, row["code"], period)
                row["run"] = run
    return out


def uow_run(session: Any, plan_code: str, period: str) -> dict[str, Any] | None:
    from gridgov.safety.repository import SqlSafetyRepository

    run = SqlSafetyRepository(session).plan_run(plan_code, period)
    return None if run is None else {"period": run.period, "rounds": run.slots, "tasks": run.tasks}


@router.post("/plans/generate", summary="按计划生成某月的检查任务 (幂等: 再次执行只补上缺少的)")
def generate(body: PlanGenerate, container: ContainerDep, actor: Planner) -> list[dict[str, Any]]:
    results = services.generate_plan(uow(container), body.period, actor, container.clock.now(), plan_codes=body.plans)
    return [
        {"plan": r.plan_code, "period": r.period, "rounds": list(r.rounds), "made": r.made, "total": r.total}
        for r in results
    ]


@router.get("/coverage", summary="检查覆盖: 应检/已检, 按网格、街道或县区")
def get_coverage(
    container: ContainerDep,
    _actor: Reader,
    period: Month,
    level: Annotated[str, Query(pattern=r"^(grid|street|district)$")] = "district",
    prefix: Annotated[str | None, Query(pattern=r"^[0-9]{4,15}$")] = None,
) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.coverage(session, period, level, prefix)


@router.get("/tasks", summary="我的检查任务 (网格员: 派给本人或在本人网格的)")
def my_tasks(
    container: ContainerDep,
    actor: Inspector,
    status: Annotated[str, Query(pattern=r"^(open|done)$")] = "open",
) -> list[dict[str, Any]]:
    with container.sessions() as session:
        grids = queries.worker_grids(session, actor.user_id)
        return queries.my_tasks(session, actor.user_id, grids, status)


# -- inspections ---------------------------------------------------------------------------------------------------
@router.post(
    "/inspections", status_code=201, summary="录入检查 (不合格项附照片; 一般隐患可立即整改; 离线后补传用 client_key)"
)
def inspect(body: InspectionCreate, container: ContainerDep, actor: Inspector) -> dict[str, Any]:
    results = {
        code: services.ItemResult(
            result=r.result,
            grade=r.grade,
            fixed_on_spot=r.fixed_on_spot,
            photos=tuple(decode_photo(p) for p in r.photos),
            fixed_photos=tuple(decode_photo(p, "fixed_photos") for p in r.fixed_photos),
            note=r.note,
        )
        for code, r in body.results.items()
    }
    draft = services.InspectionDraft(
        place_id=body.place_id,
        results=results,
        task_id=body.task_id,
        client_key=body.client_key,
        note=body.note,
        inspected_at=body.inspected_at,
    )
    done = services.record_inspection(uow(container), draft, actor, container.clock.now(), container.calendar)
    return {
        "id": done.id,
        "place_id": done.place_id,
        "task_id": done.task_id,
        "failed": done.failed,
        "created": done.created,
        "hazards": [
            {
                "item_code": h.item_code,
                "id": h.hazard_id,
                "code": h.code,
                "grade": h.grade,
                "status": h.status,
                "linked": h.linked,
            }
            for h in done.hazards
        ],
    }


# -- hazards -------------------------------------------------------------------------------------------------------
@router.get("/hazards", summary="隐患列表 (按县区、街道、场所、状态、等级、挂牌督办筛选)")
def list_hazards(
    container: ContainerDep,
    _actor: Reader,
    f: Hazards,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.list_hazards(session, f, page, page_size)


@router.get("/hazards/by-case/{case_id}", summary="案件对应的隐患 (转办的反向链接)")
def hazard_of_case(case_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.hazard_of_case(session, case_id)


@router.get("/hazards/photos/{photo_id}", summary="隐患照片")
def hazard_photo(photo_id: RowId, container: ContainerDep, _actor: Reader) -> Response:
    with container.sessions() as session:
        kind, data = queries.photo_file(session, photo_id)
    return Response(data, media_type=kind, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/hazards/{hazard_id}", summary="隐患详情: 治理方案 (五落实)、督办、验收、销号、转办案件")
def get_hazard(hazard_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.hazard_detail(session, hazard_id)


@router.get("/hazards/{hazard_id}/events", summary="隐患的防篡改事件记录 (每个事件也是全市日志的一片叶子)")
def hazard_events(hazard_id: RowId, container: ContainerDep, _actor: Reader) -> list[dict[str, Any]]:
    with container.sessions() as session:
        return queries.events_of(session, HAZARD_STREAM, hazard_id)


@router.post(
    "/hazards/{hazard_id}/actions",
    summary="隐患操作: 治理方案 (五落实)、挂牌督办、整改完成、验收通过/不通过、销号、转办 (成为案件)",
)
def act(hazard_id: RowId, body: HazardAction, container: ContainerDep, actor: Follower) -> dict[str, Any]:
    services.apply_hazard_action(
        lambda: uow(container),
        hazard_id,
        body.to_command(),
        actor,
        container.clock.now(),
        container.calendar,
        container.policy,
        expected_version=body.version,
    )
    with container.sessions() as session:
        return queries.hazard_detail(session, hazard_id)


# -- the ledger and the rates --------------------------------------------------------------------------------------
@router.get("/ledger", summary="隐患台账 (JSON, 按期间) 与统计")
def ledger(
    container: ContainerDep,
    _actor: Reader,
    period: PeriodText,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    p = period_of(period)
    with container.sessions() as session:
        return {
            "period": p.label,
            "title": p.title,
            "rows": queries.ledger_rows(session, p, district, limit),
            "statistics": queries.statistics(session, p, "district"),
        }


@router.get("/ledger.xlsx", summary="导出隐患台账 (Excel): 台账与按县区、街道、场所类型、等级的统计")
def ledger_export(container: ContainerDep, _actor: Reader, period: PeriodText) -> Response:
    p = period_of(period)
    with container.sessions() as session:
        rows = queries.ledger_rows(session, p)
        stats = {by: queries.statistics(session, p, by) for by in ("district", "street", "type", "grade")}
    return excel(ledger_workbook(p.label, rows, stats), f"安全生产隐患台账{p.label}.xlsx")


@router.get("/statistics", summary="季度/年度统计与五率: 按县区、街道、场所类型或隐患等级")
def get_statistics(
    container: ContainerDep,
    _actor: Reader,
    period: PeriodText,
    by: Annotated[str, Query(pattern=r"^(district|street|type|grade)$")] = "district",
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.statistics(session, period_of(period), by)
