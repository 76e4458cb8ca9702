"""The knowledge services on the fakes, in milliseconds: the review cycle by the owning department only, every
version kept, a file refused whole, a flag's deadline in working days, and a case closed citing the article."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.cases.models import CaseEvent
from gridgov.cases.services import CaseDraft, CasePolicy, report_case
from gridgov.clock import Limit, TimeUnit
from gridgov.errors import PermissionDenied
from gridgov.knowledge.domain import Action, ArticleDraft, ArticleNotUsable, KnowledgeImportRefused
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent, KnowledgeFlag, KnowledgeVersion
from gridgov.knowledge.services import (
    close_with_article,
    create_article,
    edit_article,
    flag_article,
    import_articles,
    review_step,
)
from gridgov.units.models import Unit

from fakes import TinyWorld, fixed_calendar, fixed_clock, seed_world


def owner_code(w: TinyWorld) -> str:
    unit = w.db.get(Unit, w.users["dept"].unit_id)
    assert unit is not None
    return unit.code


def draft(w: TinyWorld, **over: object) -> ArticleDraft:
    fields: dict[str, object] = {
        "title": "供暖报停",
        "answer": "供暖季开始前向供热企业申请报停。",
        "category": "供水供暖",
        "unit_code": owner_code(w),
        "variants": ("暖气怎么停",),
    }
    return ArticleDraft(**(fields | over))  # type: ignore[arg-type]


def published(w: TinyWorld) -> int:
    now = fixed_clock().now()
    aid = create_article(w.uow(), draft(w), w.actor("operator"), now)
    review_step(w.uow(), aid, Action.SUBMIT, w.actor("operator"), now)
    review_step(w.uow(), aid, Action.APPROVE, w.actor("dept"), now)
    return aid


def test_the_owning_department_alone_publishes_and_every_version_is_kept() -> None:
    w = seed_world()
    now = fixed_clock().now()
    aid = create_article(w.uow(), draft(w), w.actor("operator"), now)
    assert edit_article(w.uow(), aid, draft(w, answer="第二版"), w.actor("operator"), now) == 2
    review_step(w.uow(), aid, Action.SUBMIT, w.actor("operator"), now)
    with pytest.raises(PermissionDenied):
        review_step(w.uow(), aid, Action.APPROVE, w.actor("city-dept"), now)
    assert review_step(w.uow(), aid, Action.APPROVE, w.actor("dept"), now) == "published"
    article = w.db.get(KnowledgeArticle, aid)
    assert article is not None and (article.current_version, article.published_version) == (2, 2)
    assert sorted(v.number for v in w.db.all(KnowledgeVersion)) == [1, 2]
    assert [e.event_type for e in sorted(w.db.all(KnowledgeEvent), key=lambda e: e.seq)] == [
        "article_created",
        "article_edited",
        "article_submitted",
        "article_published",
    ]
    assert len(w.db.audit_log.entries) >= 4  # each event is a leaf of the city's log


def test_a_file_with_one_bad_line_stores_nothing() -> None:
    w = seed_world()
    rows = [(i + 2, draft(w, title=f"第{i}条")) for i in range(20)]
    rows[7] = (9, draft(w, answer=""))
    with pytest.raises(KnowledgeImportRefused) as refused:
        import_articles(w.uow(), rows, w.actor("operator"), fixed_clock().now())
    assert refused.value.details["problems"] == [{"line": 9, "field": "answer", "message": "答复口径不能为空"}]
    assert w.db.all(KnowledgeArticle) == []


def test_a_flag_is_due_in_working_days_and_a_case_closes_citing_the_article() -> None:
    w = seed_world()
    clock, calendar = fixed_clock(), fixed_calendar()
    aid = published(w)
    fid = flag_article(w.uow(), aid, "已过时", w.actor("operator"), clock.now(), calendar, days=3)
    flag = w.db.get(KnowledgeFlag, fid)
    assert flag is not None and flag.due_at == calendar.deadline(clock.now(), _limit(3))
    case = report_case(w.uow(), CaseDraft(title="咨询暖气报停", grid_code=w.micro), w.actor("operator"), clock.now())
    today = clock.now().date()
    done = close_with_article(
        w.uow(), w.uow(), case.id, aid, "", w.actor("operator"), clock.now(), today, calendar, CasePolicy()
    )
    assert done.citation.article_id == aid and done.citation.version == 1
    closing = next(e for e in w.db.all(CaseEvent) if e.case_id == case.id and e.action == "direct_close")
    assert closing.payload["article"] == {"id": aid, "code": "KB-000001", "version": 1, "title": "供暖报停"}
    assert closing.payload["note"] == "供暖季开始前向供热企业申请报停。"  # no note: the article's answer
    review_step(w.uow(), aid, Action.EXPIRE, w.actor("operator"), clock.now() + timedelta(minutes=1))
    other = report_case(w.uow(), CaseDraft(title="再问", grid_code=w.micro), w.actor("operator"), clock.now())
    with pytest.raises(ArticleNotUsable):
        close_with_article(
            w.uow(), w.uow(), other.id, aid, "x", w.actor("operator"), clock.now(), today, calendar, CasePolicy()
        )


def _limit(days: int) -> Limit:
    return Limit(days, TimeUnit.WORKING_DAYS)
