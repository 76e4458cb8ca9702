"""The life of an article: written (create, edit: each a new version), submitted, reviewed by its owning
department (approve publishes it, send back returns it), taken down (expire); 纠错 flags raised by operators and
answered by the department; whole files imported all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.clock import Limit, TimeUnit, WorkingDays
from gridgov.errors import ValidationFailed
from gridgov.knowledge.domain import (
    FLAG_DAYS,
    Action,
    ArticleDraft,
    ArticleFacts,
    ArticleNotFound,
    ArticleRefused,
    ArticleStatus,
    FlagNotFound,
    FlagStatus,
    KnowledgeImportRefused,
    draft_problems,
    next_status,
    refusal,
)
from gridgov.knowledge.events import record
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent, KnowledgeFlag, KnowledgeVersion
from gridgov.knowledge.ports import KnowledgeUnitOfWork
from gridgov.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str
    line: int | None = None

    def text(self) -> str:
        return f"第 {self.line} 行: {self.message}" if self.line is not None else self.message


def facts_of(article: KnowledgeArticle, open_flag_units: Sequence[int] = ()) -> ArticleFacts:
    return ArticleFacts(
        ArticleStatus(article.status), article.unit_id, article.published_version is not None, tuple(open_flag_units)
    )


def _check(action: Action, article: KnowledgeArticle | None, actor: Actor) -> None:
    refused = refusal(action, facts_of(article) if article else None, actor)
    if refused is not None:
        raise refused


def _unit(uow: KnowledgeUnitOfWork, draft: ArticleDraft, line: int | None = None) -> int:
    unit_id = uow.unit_lookup.unit_id(draft.unit_code.strip())
    if unit_id is None:
        raise ArticleRefused(
            f"{f'第 {line} 行: ' if line else ''}责任部门不存在: {draft.unit_code}", field="unit_code", line=line
        )
    return unit_id


def _validated(draft: ArticleDraft) -> None:
    problems = draft_problems(draft)
    if problems:
        field, message = problems[0]
        raise ArticleRefused(message, field=field, problems=[m for _, m in problems])


def _version(
    article_id: int | None, number: int, d: ArticleDraft, unit_id: int, actor: Actor, now: datetime
) -> KnowledgeVersion:
    return KnowledgeVersion(
        article_id=article_id,
        number=number,
        title=d.title.strip(),
        variants=[v.strip() for v in d.variants if v.strip()],
        answer=d.answer.strip(),
        basis=d.basis.strip(),
        category=d.category.strip(),
        unit_id=unit_id,
        valid_from=d.valid_from,
        valid_to=d.valid_to,
        written_by=actor.user_id,
        written_at=now,
    )


def _new(code: str, d: ArticleDraft, unit_id: int, actor: Actor, now: datetime) -> tuple[Any, ...]:
    article = KnowledgeArticle(
        code=code,
        title=d.title.strip(),
        category=d.category.strip(),
        unit_id=unit_id,
        status=ArticleStatus.DRAFT.value,
        current_version=1,
        published_version=None,
        created_at=now,
        changed_at=now,
        event_count=0,
        last_event_hash="",
    )
    version = _version(None, 1, d, unit_id, actor, now)
    event = record(
        article, Action.CREATE, actor, None, ArticleStatus.DRAFT, now, {"version": 1, "title": article.title}
    )
    return article, version, event


def create_article(uow: KnowledgeUnitOfWork, draft: ArticleDraft, actor: Actor, now: datetime) -> int:
    _check(Action.CREATE, None, actor)
    _validated(draft)
    with uow:
        unit_id = _unit(uow, draft)
        article, version, event = _new(uow.articles.next_code(), draft, unit_id, actor, now)
        uow.articles.add(article, version, event)
        uow.commit()
        log.info("article_created", article_id=article.id)
        return int(article.id)


def _step(
    uow: KnowledgeUnitOfWork,
    article_id: int,
    action: Action,
    actor: Actor,
    now: datetime,
    payload: dict[str, Any],
    expected_version: int | None = None,
) -> KnowledgeArticle:
    article = uow.articles.get(article_id)
    if article is None:
        raise ArticleNotFound(f"知识库条目不存在: {article_id}")
    if expected_version is not None and article.version != expected_version:
        from gridgov.errors import Conflict

        raise Conflict("条目已被他人修改，请刷新后重试", expected=expected_version, actual=article.version)
    _check(action, article, actor)
    before = ArticleStatus(article.status)
    after = next_status(before, action)
    article.status = after.value
    article.changed_at = now
    uow.articles.add_event(record(article, action, actor, before, after, now, payload))
    return article


def edit_article(
    uow: KnowledgeUnitOfWork,
    article_id: int,
    draft: ArticleDraft,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> int:
    """A new version; the article returns to draft (its published version, if any, stays on the phone)."""
    _validated(draft)
    with uow:
        unit_id = _unit(uow, draft)
        article = uow.articles.get(article_id)
        number = (article.current_version + 1) if article else 1
        article = _step(uow, article_id, Action.EDIT, actor, now, {"version": number}, expected_version)
        uow.articles.add_version(_version(article.id, number, draft, unit_id, actor, now))
        article.current_version = number
        article.title, article.category, article.unit_id = draft.title.strip(), draft.category.strip(), unit_id
        uow.commit()
        return number


def review_step(
    uow: KnowledgeUnitOfWork,
    article_id: int,
    action: Action,
    actor: Actor,
    now: datetime,
    reason: str = "",
    expected_version: int | None = None,
) -> str:
    """提交审核, 审核发布, 退回修改 or 下架. Returns the new status."""
    if action not in (Action.SUBMIT, Action.APPROVE, Action.SEND_BACK, Action.EXPIRE):
        raise ValidationFailed(f"不支持的操作: {action.value}", field="action")
    if action is Action.SEND_BACK and not reason.strip():
        raise ValidationFailed("退回须说明原因", field="reason")
    with uow:
        current = uow.articles.get(article_id)
        payload: dict[str, Any] = {"version": current.current_version if current else None}
        if reason.strip():
            payload["reason"] = reason.strip()
        article = _step(uow, article_id, action, actor, now, payload, expected_version)
        if action is Action.APPROVE:
            article.published_version = article.current_version
        uow.commit()
        log.info("article_step", article_id=article_id, action=action.value, status=article.status)
        return article.status


def flag_article(
    uow: KnowledgeUnitOfWork,
    article_id: int,
    reason: str,
    actor: Actor,
    now: datetime,
    calendar: WorkingDays,
    case_id: int | None = None,
    days: int = FLAG_DAYS,
) -> int:
    """知识库纠错: a task for the owning department, due in `days` working days."""
    if not reason.strip():
        raise ValidationFailed("请说明答复哪里有误或已过时", field="reason")
    with uow:
        article = _step(uow, article_id, Action.FLAG, actor, now, {"reason": reason.strip(), "case_id": case_id})
        due = calendar.deadline(now, Limit(days, TimeUnit.WORKING_DAYS))
        flag = KnowledgeFlag(
            article_id=article.id,
            version_number=article.published_version or article.current_version,
            case_id=case_id,
            unit_id=article.unit_id,
            reason=reason.strip(),
            status=FlagStatus.OPEN.value,
            due_at=due,
            raised_by=actor.user_id,
            raised_at=now,
        )
        uow.articles.add_flag(flag)
        uow.commit()
        log.info("article_flagged", article_id=article_id, flag_id=flag.id)
        return int(flag.id)


def resolve_flag(uow: KnowledgeUnitOfWork, flag_id: int, resolution: str, actor: Actor, now: datetime) -> None:
    if not resolution.strip():
        raise ValidationFailed("请填写处理结果", field="resolution")
    with uow:
        flag = uow.articles.flag(flag_id)
        if flag is None or flag.status != FlagStatus.OPEN.value:
            raise FlagNotFound(f"待处理的纠错任务不存在: {flag_id}")
        late = now > flag.due_at
        _step(
            uow,
            flag.article_id,
            Action.RESOLVE_FLAG,
            actor,
            now,
            {"flag_id": flag.id, "resolution": resolution.strip(), "on_time": not late},
        )
        flag.status, flag.resolution = FlagStatus.RESOLVED.value, resolution.strip()
        flag.resolved_by, flag.resolved_at = actor.user_id, now
        uow.commit()


def expire_due(uow: KnowledgeUnitOfWork, actor: Actor, now: datetime, today: date, ids: Sequence[int]) -> int:
    """Mark published articles past their end date as expired (search already leaves them out by date)."""
    n = 0
    with uow:
        for article_id in ids:
            article = uow.articles.get(article_id)
            if article is None or article.status != ArticleStatus.PUBLISHED.value:
                continue
            v = uow.articles.version(article.id, article.published_version or article.current_version)
            if v is not None and v.valid_to is not None and v.valid_to < today:
                _step(uow, article.id, Action.EXPIRE, actor, now, {"valid_to": v.valid_to, "automatic": True})
                n += 1
        uow.commit()
    return n


def import_articles(
    uow: KnowledgeUnitOfWork,
    rows: Sequence[tuple[int, ArticleDraft]],
    actor: Actor,
    now: datetime,
    problems: Sequence[Problem] = (),
    publish: bool = False,
) -> list[int]:
    """A whole file, all or nothing: every line is checked first, and if any line is wrong nothing is stored and
    the error names each wrong line. With `publish`, the articles are stored as published (the owning
    departments' file, imported by a person of that department or by the administrator)."""
    _check(Action.CREATE, None, actor)
    found = list(problems)
    with uow:
        units: dict[str, int | None] = {}
        for line, d in rows:
            for field, message in draft_problems(d):
                found.append(Problem(field, message, line))
            code = d.unit_code.strip()
            if code and code not in units:
                units[code] = uow.unit_lookup.unit_id(code)
            if code and units.get(code) is None:
                found.append(Problem("unit_code", f"责任部门不存在: {code}", line))
            if (
                publish
                and code
                and units.get(code) is not None
                and actor.role.value != "admin"
                and actor.unit_id != units[code]
            ):
                found.append(Problem("unit_code", f"只能直接发布本部门的条目: {code}", line))
        if found:
            found.sort(key=lambda p: p.line or 0)
            raise KnowledgeImportRefused(
                f"知识库文件有误，未导入任何条目: {found[0].text()}"
                + (f" 等 {len(found)} 处" if len(found) > 1 else ""),
                problems=[{"line": p.line, "field": p.field, "message": p.message} for p in found[:200]],
            )
        first = uow.articles.next_code()
        start = int(first.split("-")[1])
        items: list[tuple[KnowledgeArticle, KnowledgeVersion, KnowledgeEvent, KnowledgeEvent | None]] = []
        for i, (_line, d) in enumerate(rows):
            unit_id = units[d.unit_code.strip()]
            assert unit_id is not None
            article, version, event = _new(f"KB-{start + i:06d}", d, unit_id, actor, now)
            if publish:
                ev = record(
                    article,
                    Action.APPROVE,
                    actor,
                    ArticleStatus.DRAFT,
                    ArticleStatus.PUBLISHED,
                    now,
                    {"version": 1, "imported": True},
                )
                article.status, article.published_version = ArticleStatus.PUBLISHED.value, 1
                items.append((article, version, event, ev))
            else:
                items.append((article, version, event, None))
        uow.articles.add_many([(a, v, e) for a, v, e, _ in items])
        for a, _, _, approval in items:
            if approval is not None:
                approval.article_id = a.id
                uow.articles.add_event(approval)
        uow.commit()
        log.info("articles_imported", count=len(items))
        return [int(a.id) for a, _, _, _ in items]


def add_synonyms(uow: KnowledgeUnitOfWork, words: Sequence[str], actor: Actor, now: datetime) -> None:
    _check(Action.CREATE, None, actor)
    clean = [w.strip() for w in words if w.strip()]
    if len(clean) < 2:
        raise ValidationFailed("同义词组至少要两个词", field="words")
    with uow:
        uow.articles.add_synonyms(" ".join(dict.fromkeys(clean)), now)
        uow.commit()
