"""/api/v1/indicators: the registry, 三标 per unit, values entered or imported, the record of changes, a unit's
scorecard, rankings by a scheme's weights (JSON and Excel) and the 三标 panel of the wall screen."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import Response

from gridgov.actor import Actor
from gridgov.errors import ValidationFailed
from gridgov.indicators import services
from gridgov.indicators.domain import Direction, Level, PeriodKind, SourceKind
from gridgov.indicators.events import verify
from gridgov.indicators.excel import ranking_workbook
from gridgov.indicators.models import Indicator
from gridgov.indicators.queries import events_of
from gridgov.indicators.repository import SqlIndicatorsUnitOfWork
from gridgov.indicators.schemas import (
    Code,
    IndicatorCreate,
    IndicatorUpdate,
    MilestoneCreate,
    PeriodText,
    SchemeSave,
    TargetsUpdate,
    UnitCode,
    ValueEntry,
)
from gridgov.indicators.services import IndicatorDraft, Ranking, Scorecard
from gridgov.indicators.services.common import indicator_or_404
from gridgov.web.deps import ContainerDep, CurrentActor, RowId, Runtime, require_role

router = APIRouter(prefix="/api/v1/indicators", tags=["三标 indicators"])
Reader = Annotated[Actor, Depends(require_role(*services.READERS))]
AsOf = Annotated[PeriodText | None, Query(description="考核期间 (YYYY-MM, YYYYQn, YYYY); 默认本月")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


def uow(container: Runtime, write: bool = True) -> SqlIndicatorsUnitOfWork:
    return SqlIndicatorsUnitOfWork(container.uow(write=write))


def indicator_body(i: Indicator) -> dict[str, Any]:
    return {
        "code": i.code,
        "name": i.name,
        "unit": i.unit,
        "direction": i.direction,
        "direction_label": Direction(i.direction).label,
        "period_kind": i.period_kind,
        "period_label": PeriodKind(i.period_kind).label,
        "level": i.level,
        "level_label": Level(i.level).label,
        "source_kind": i.source_kind,
        "source_label": SourceKind(i.source_kind).label,
        "source_key": i.source_key,
        "description": i.description,
        "events": i.event_count,
    }


def scorecard_body(card: Scorecard) -> dict[str, Any]:
    return {
        "unit": {"code": card.unit.code, "name": card.unit.name, "kind": card.unit.kind},
        "level": card.level.value,
        "level_label": card.level.label,
        "as_of": card.as_of.label,
        "as_of_title": card.as_of.title,
        "indicators": [
            {
                "code": c.code,
                "name": c.name,
                "unit": c.unit,
                "direction": c.direction.value,
                "direction_label": c.direction.label,
                "period": c.period.label,
                "period_title": c.period.title,
                "source_kind": c.source_kind.value,
                "source_label": c.source_kind.label,
                "value": c.value,
                "benchmark": c.benchmark,
                "benchmark_source": c.benchmark_source,
                "standard": c.standard,
                "vs_benchmark": c.vs_benchmark,
                "vs_standard": c.vs_standard,
                "meets_standard": c.meets_standard,
                "reached_benchmark": c.reached_benchmark,
                "trend": [{"period": p, "value": v} for p, v in c.trend],
                "milestones": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "due": m.due.isoformat(),
                        "target": m.target,
                        "value": m.value,
                        "status": m.status.value,
                        "status_label": m.status.label,
                    }
                    for m in c.milestones
                ],
                "rank": _rank(c.rank),
                "entered_by": c.entered_by,
                "entered_at": c.entered_at.isoformat() if c.entered_at else None,
            }
            for c in card.cards
        ],
        "composites": [
            {"scheme": p.scheme_code, "name": p.scheme_name, "score": p.score, "rank": _rank(p.rank)}
            for p in card.composites
        ],
    }


def _rank(rank: Any) -> dict[str, int] | None:
    if rank is None:
        return None
    return {"rank": rank.rank, "from_bottom": rank.from_bottom, "total": rank.total}


def ranking_body(r: Ranking) -> dict[str, Any]:
    return {
        "scheme": r.scheme_code,
        "name": r.scheme_name,
        "level": r.level.value,
        "level_label": r.level.label,
        "as_of": r.as_of.label,
        "as_of_title": r.as_of.title,
        "indicators": [{"code": c, "name": n, "unit": u, "weight": w, "period": p} for c, n, u, w, p in r.indicators],
        "rows": [
            {
                "unit_code": row.unit.code,
                "unit_name": row.unit.name,
                "score": row.score,
                "rank": _rank(row.rank),
                "values": row.values,
            }
            for row in r.rows
        ],
    }


@router.get("", summary="指标目录")
def list_indicators(
    container: ContainerDep, actor: Reader, level: Annotated[Level | None, Query()] = None
) -> dict[str, Any]:
    box = uow(container, write=False)
    with box:
        return {"indicators": [indicator_body(i) for i in box.indicators.all(level)]}


@router.get("/sources", summary="各模块登记的计算来源 (平台计算指标可选用)")
def sources(container: ContainerDep, actor: Reader) -> dict[str, Any]:
    box = uow(container, write=False)
    with box:
        found = box.indicators.sources()
        origins = dict(box.indicators.registry.origins)
    return {
        "sources": [
            {
                "key": s.key,
                "name": s.name,
                "unit": s.unit,
                "direction": s.direction.value,
                "levels": sorted(lv.value for lv in s.levels),
                "periods": sorted(p.value for p in s.periods),
                "description": s.description,
                "module": origins.get(s.key),
            }
            for s in found
        ]
    }


@router.get("/panel", summary="三标面板 (大屏): 各指标达标、达标杆、里程碑情况与首末单位")
def panel(
    container: ContainerDep, actor: Reader, level: Annotated[Level, Query()] = Level.STREET, as_of: AsOf = None
) -> dict[str, Any]:
    return services.panel(uow(container, write=False), level, as_of, container.clock.now())


@router.get("/scorecards/{unit_code}", summary="单位三标计分卡: 现值对标杆、标准及差距, 趋势, 标志, 同级排名")
def scorecard(container: ContainerDep, actor: Reader, unit_code: UnitCode, as_of: AsOf = None) -> dict[str, Any]:
    return scorecard_body(services.scorecard(uow(container, write=False), unit_code, as_of, container.clock.now()))


@router.get("/schemes", summary="排名方案 (综合权重)")
def schemes(container: ContainerDep, actor: Reader) -> dict[str, Any]:
    box = uow(container, write=False)
    with box:
        return {
            "schemes": [
                {"code": s.code, "name": s.name, "level": s.level, "weights": dict(s.weights)}
                for s in box.indicators.schemes()
            ]
        }


@router.put("/schemes/{scheme_code}", summary="保存排名方案 (指标及权重)")
def save_scheme(container: ContainerDep, actor: CurrentActor, scheme_code: Code, body: SchemeSave) -> dict[str, Any]:
    services.save_scheme(uow(container), scheme_code, body.name, body.level, body.weights, actor, container.clock.now())
    return {"code": scheme_code}


@router.get("/rankings/{scheme_code}", summary="按排名方案的综合得分排名")
def ranking(container: ContainerDep, actor: Reader, scheme_code: Code, as_of: AsOf = None) -> dict[str, Any]:
    return ranking_body(services.ranking(uow(container, write=False), scheme_code, as_of, container.clock.now()))


@router.get("/rankings/{scheme_code}/xlsx", summary="排名导出为 Excel")
def ranking_xlsx(container: ContainerDep, actor: Reader, scheme_code: Code, as_of: AsOf = None) -> Response:
    result = services.ranking(uow(container, write=False), scheme_code, as_of, container.clock.now())
    filename = f"三标排名-{result.scheme_name}-{result.as_of.label}.xlsx"
    return Response(
        ranking_workbook(ranking_body(result)),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.post("", status_code=201, summary="新建指标 (平台计算 / 文件导入 / 手工填报)")
def define(container: ContainerDep, actor: CurrentActor, body: IndicatorCreate) -> dict[str, Any]:
    draft = IndicatorDraft(
        code=body.code,
        name=body.name,
        level=body.level,
        period_kind=body.period_kind,
        source_kind=body.source_kind,
        source_key=body.source_key,
        unit=body.unit,
        direction=body.direction,
        description=body.description,
    )
    services.define_indicator(uow(container), draft, actor, container.clock.now())
    return _detail(container, body.code)


def _detail(container: Runtime, code: str) -> dict[str, Any]:
    box = uow(container, write=False)
    with box:
        return indicator_body(indicator_or_404(box, code))


@router.get("/{code}", summary="指标详情")
def get_indicator(container: ContainerDep, actor: Reader, code: Code) -> dict[str, Any]:
    return _detail(container, code)


@router.patch("/{code}", summary="修改指标名称或说明")
def update(container: ContainerDep, actor: CurrentActor, code: Code, body: IndicatorUpdate) -> dict[str, Any]:
    services.update_indicator(uow(container), code, body.name, body.description, actor, container.clock.now())
    return _detail(container, code)


@router.put("/{code}/targets/{unit_code}", summary="设定单位的标杆 (含来源) 与标准")
def set_targets(
    container: ContainerDep, actor: CurrentActor, code: Code, unit_code: UnitCode, body: TargetsUpdate
) -> dict[str, Any]:
    services.set_targets(
        uow(container),
        code,
        unit_code,
        body.benchmark,
        body.benchmark_source,
        body.standard,
        actor,
        container.clock.now(),
    )
    return {"code": code, "unit_code": unit_code, **body.model_dump()}


@router.post("/{code}/milestones", status_code=201, summary="新增标志 (里程碑: 日期与目标值)")
def add_milestone(container: ContainerDep, actor: CurrentActor, code: Code, body: MilestoneCreate) -> dict[str, Any]:
    milestone_id = services.add_milestone(
        uow(container), code, body.unit_code, body.due, body.target, body.title, actor, container.clock.now()
    )
    return {"id": milestone_id, "code": code, **body.model_dump(mode="json")}


@router.delete("/{code}/milestones/{milestone_id}", status_code=204, summary="删除标志")
def remove_milestone(container: ContainerDep, actor: CurrentActor, code: Code, milestone_id: RowId) -> Response:
    services.remove_milestone(uow(container), code, milestone_id, actor, container.clock.now())
    return Response(status_code=204)


@router.post("/{code}/values", summary="手工填报一个数值 (记录填报人与时间)")
def enter_value(container: ContainerDep, actor: CurrentActor, code: Code, body: ValueEntry) -> dict[str, Any]:
    services.enter_value(
        uow(container), code, body.unit_code, body.period, body.value, body.note, actor, container.clock.now()
    )
    return {"code": code, **body.model_dump()}


@router.post("/{code}/values/import", summary="导入数值文件 (单位编码, 期间, 数值); 任一行有误则整个文件不导入")
async def import_values(container: ContainerDep, actor: CurrentActor, code: Code, file: UploadFile) -> dict[str, Any]:
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("文件超过 8 MB", field="file")
    added, replaced = services.import_values(
        uow(container), code, raw, file.filename or "values.csv", actor, container.clock.now()
    )
    return {"code": code, "added": added, "replaced": replaced}


@router.get("/{code}/events", summary="指标的变更记录 (哈希链) 及校验结果")
def events(container: ContainerDep, actor: Reader, code: Code) -> dict[str, Any]:
    box = uow(container, write=False)
    with box:
        indicator = indicator_or_404(box, code)
        subject = f"indicator:{code}"
        rows = events_of(box.indicators.session, subject)
        problem = verify(indicator.id, subject, rows, indicator.event_count, indicator.last_event_hash)
    return {
        "subject": subject,
        "intact": problem is None,
        "problem": problem.problem if problem else None,
        "events": [
            {
                "seq": r["seq"],
                "event_type": r["event_type"],
                "action": r["action"],
                "actor_id": r["actor_id"],
                "actor_role": r["actor_role"],
                "occurred_at": r["occurred_at"].isoformat(),
                "payload": r["payload"],
                "hash": r["hash"],
            }
            for r in rows
        ],
    }
