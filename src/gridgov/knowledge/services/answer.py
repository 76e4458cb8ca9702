"""直接办结 from the knowledge base: the operator answered the caller with an article, and the case is closed
citing the version they read (the case's event carries the citation, so 知识库直办率 counts it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gridgov.actor import Actor
from gridgov.cases.commands import MAX_TEXT as MAX_NOTE
from gridgov.cases.commands import Citation, DirectClose
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services import CasePolicy, apply_action
from gridgov.clock import WorkingDays
from gridgov.knowledge.domain import ArticleNotFound, ArticleNotUsable, ArticleStatus, suggestable
from gridgov.knowledge.ports import KnowledgeUnitOfWork


@dataclass(frozen=True, slots=True)
class Closed:
    case_version: int
    citation: Citation


def usable_citation(uow: KnowledgeUnitOfWork, article_id: int, today: date) -> tuple[Citation, str]:
    """The article's approved version, if operators may use it today; with its answer."""
    with uow:
        article = uow.articles.get(article_id)
        if article is None:
            raise ArticleNotFound(f"知识库条目不存在: {article_id}")
        number = article.published_version
        v = uow.articles.version(article.id, number) if number is not None else None
        if v is None or not suggestable(ArticleStatus(article.status), True, v.valid_from, v.valid_to, today):
            raise ArticleNotUsable(article_id=article_id)
        return Citation(article.id, article.code, v.number, v.title), v.answer


def close_with_article(
    knowledge: KnowledgeUnitOfWork,
    cases: CasesUnitOfWork,
    case_id: int,
    article_id: int,
    note: str,
    actor: Actor,
    now: datetime,
    today: date,
    calendar: WorkingDays,
    policy: CasePolicy,
    expected_version: int | None = None,
) -> Closed:
    """The case closed directly, citing the article (the case loop's guard decides whether it may be)."""
    citation, answer = usable_citation(knowledge, article_id, today)
    text = (note.strip() or answer)[:MAX_NOTE]
    version = apply_action(
        cases, case_id, DirectClose(note=text, citation=citation), actor, now, calendar, policy, expected_version
    )
    return Closed(version, citation)
