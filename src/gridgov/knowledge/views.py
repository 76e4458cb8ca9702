"""/api/v1/knowledge: articles (create, edit, review steps, versions and record), search, the direct close that
cites an article, 纠错 flags and their answers, synonym groups, the figures, and the Excel import and export.

Thin: parse, call one service or query, shape the answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from gridgov.actor import Actor, Role
from gridgov.clock import SHANGHAI
from gridgov.errors import ValidationFailed
from gridgov.knowledge import queries, services
from gridgov.knowledge.domain import AUTHORS, FLAGGERS, READERS, Action, ArticleNotFound
from gridgov.knowledge.excel import XLSX, articles_workbook, read_articles
from gridgov.knowledge.index import index_for
from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork
from gridgov.knowledge.schemas import ArticleIn, CloseIn, FlagIn, ResolveIn, StepIn, SynonymsIn
from gridgov.web.deps import ContainerDep, RowId, Runtime, require_role

router = APIRouter(prefix="/api/v1/knowledge", tags=["知识库 knowledge"])
Reader = Annotated[Actor, Depends(require_role(*READERS))]
Flagger = Annotated[Actor, Depends(require_role(*FLAGGERS))]
Author = Annotated[Actor, Depends(require_role(*AUTHORS))]  # the owning department's rule is the service's
Department = Annotated[Actor, Depends(require_role(Role.DEPARTMENT, Role.ADMIN))]
Operator = Annotated[Actor, Depends(require_role(Role.OPERATOR, Role.ADMIN))]  # who may 直接办结
IMPORT_MAX_BYTES = 16 * 1024 * 1024


def uow(container: Runtime) -> SqlKnowledgeUnitOfWork:
    return SqlKnowledgeUnitOfWork(container.uow())


def today(container: Runtime) -> Any:
    return container.clock.now().astimezone(SHANGHAI).date()


def flag_days(container: Runtime) -> int:
    return container.settings.knowledge_flag_days


def detail(container: Runtime, article_id: int) -> dict[str, Any]:
    with container.sessions() as session:
        found = queries.article_detail(session, article_id)
    if found is None:
        raise ArticleNotFound(f"知识库条目不存在: {article_id}")
    return found


def suggestions(container: Runtime, q: str, limit: int = 5) -> list[dict[str, Any]]:
    with container.sessions() as session:
        hits = index_for(container.sessions).suggest(session, q, today(container), limit)
    return [
        {
            "id": h.id,
            "code": h.code,
            "title": h.title,
            "answer": h.answer,
            "category": h.category,
            "version": h.version,
            "score": h.score,
        }
        for h in hits
    ]


@router.get("/search", summary="检索知识库 (已发布且在有效期内的条目; 标题、问法、答复口径; 同义词)")
def search(
    container: ContainerDep,
    _actor: Reader,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[dict[str, Any]]:
    return suggestions(container, q, limit)


@router.get("/articles", summary="条目列表")
def list_articles(
    container: ContainerDep,
    _actor: Reader,
    status: Annotated[str | None, Query(pattern="^(draft|in_review|published|expired)$")] = None,
    unit_id: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with container.sessions() as session:
        return queries.list_articles(session, status, unit_id, q, page, page_size)


@router.post("/articles", status_code=201, summary="新建条目 (草稿, 第 1 版)")
def create(body: ArticleIn, container: ContainerDep, actor: Author) -> dict[str, Any]:
    article_id = services.create_article(uow(container), body.draft(), actor, container.clock.now())
    return detail(container, article_id)


@router.get("/articles/{article_id}", summary="条目: 当前版本、已发布版本、全部版本、事件记录与纠错")
def get_article(article_id: RowId, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    return detail(container, article_id)


@router.put("/articles/{article_id}", summary="修改条目 (新的一版, 回到草稿; 已发布的版本在审核通过前继续使用)")
def edit(article_id: RowId, body: ArticleIn, container: ContainerDep, actor: Author) -> dict[str, Any]:
    services.edit_article(uow(container), article_id, body.draft(), actor, container.clock.now(), body.version)
    return detail(container, article_id)


@router.post("/articles/{article_id}/steps", summary="提交审核 / 审核发布 / 退回修改 / 下架")
def step(article_id: RowId, body: StepIn, container: ContainerDep, actor: Author) -> dict[str, Any]:
    services.review_step(
        uow(container), article_id, Action(body.action), actor, container.clock.now(), body.reason, body.version
    )
    return detail(container, article_id)


@router.post("/articles/{article_id}/flags", status_code=201, summary="知识库纠错: 责任部门限期处理")
def flag(article_id: RowId, body: FlagIn, container: ContainerDep, actor: Flagger) -> dict[str, Any]:
    flag_id = services.flag_article(
        uow(container),
        article_id,
        body.reason,
        actor,
        container.clock.now(),
        container.calendar,
        case_id=body.case_id,
        days=flag_days(container),
    )
    with container.sessions() as session:
        return next(f for f in queries.flags_for(session, None, open_only=False) if f["id"] == flag_id)


@router.post("/flags/{flag_id}/resolve", summary="处理纠错 (责任部门)")
def resolve(flag_id: RowId, body: ResolveIn, container: ContainerDep, actor: Department) -> dict[str, Any]:
    services.resolve_flag(uow(container), flag_id, body.resolution, actor, container.clock.now())
    with container.sessions() as session:
        return next(f for f in queries.flags_for(session, None, open_only=False) if f["id"] == flag_id)


@router.get("/flags", summary="纠错任务 (部门看本部门的)")
def flags(container: ContainerDep, actor: Reader, open_only: bool = True) -> list[dict[str, Any]]:
    unit = actor.unit_id if actor.role.value == "department" else None
    with container.sessions() as session:
        return queries.flags_for(session, unit, open_only)


@router.post("/articles/{article_id}/close-case", summary="直接办结并引用该条目 (计入知识库直办率)")
def close_case(article_id: RowId, body: CloseIn, container: ContainerDep, actor: Operator) -> dict[str, Any]:
    now = container.clock.now()
    closed = services.close_with_article(
        uow(container),
        container.uow(),
        body.case_id,
        article_id,
        body.note,
        actor,
        now,
        today(container),
        container.calendar,
        container.policy,
        body.version,
    )
    c = closed.citation
    return {
        "case_id": body.case_id,
        "case_version": closed.case_version,
        "article": {"id": c.article_id, "code": c.code, "version": c.version, "title": c.title},
    }


@router.get("/synonyms", summary="同义词组")
def synonyms(container: ContainerDep, _actor: Reader) -> list[list[str]]:
    with container.sessions() as session:
        return queries.synonym_groups(session)


@router.post("/synonyms", status_code=201, summary="新增同义词组 (检索时互相扩展)")
def add_synonyms(body: SynonymsIn, container: ContainerDep, actor: Author) -> list[list[str]]:
    services.add_synonyms(uow(container), body.words, actor, container.clock.now())
    with container.sessions() as session:
        return queries.synonym_groups(session)


@router.get("/figures", summary="直接办结率与知识库直办率 (热线受理的案件, 按受理时间)")
def figures(
    container: ContainerDep,
    _actor: Reader,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    now = container.clock.now()
    end = end or now + timedelta(seconds=1)
    start = start or end - timedelta(days=30)
    with container.sessions() as session:
        return queries.direct_rates(session, start, end)


@router.get("/export.xlsx", summary="导出知识库 (Excel, 每条的最新版本)")
def export(container: ContainerDep, _actor: Reader) -> Response:
    with container.sessions() as session:
        data = articles_workbook(queries.export_rows(session))
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote('知识库.xlsx')}",
            "Cache-Control": "no-store",
        },
    )


@router.post("/import", status_code=201, summary="导入知识库 (Excel 或 CSV; 全部成功或全部不导入, 指明出错的行)")
async def import_file(
    container: ContainerDep,
    actor: Author,
    file: Annotated[UploadFile, File()],
    publish: bool = False,
) -> dict[str, Any]:
    raw = await file.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise ValidationFailed("文件过大 (最多 16 MB)", field="file")
    rows, problems = read_articles(raw, file.filename or "upload.xlsx")
    ids = services.import_articles(uow(container), rows, actor, container.clock.now(), problems, publish=publish)
    return {"imported": len(ids), "ids": ids}
