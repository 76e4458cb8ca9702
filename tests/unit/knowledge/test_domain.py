"""The knowledge base's rules, pure: the status table, the one guard (role, state, owning department), what a
draft must hold, when an article may be suggested; the tokenizer and the BM25 index (ranking, field weights,
removal, validity, synonyms)."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.actor import Actor, Role
from gridgov.errors import InvalidTransition, PermissionDenied
from gridgov.knowledge.domain import (
    TRANSITIONS,
    Action,
    ArticleDraft,
    ArticleFacts,
    ArticleStatus,
    actions_for,
    draft_problems,
    next_status,
    refusal,
    suggestable,
)
from gridgov.knowledge.search import Bm25Index, Document, Synonyms, recall_at, tokens

S = ArticleStatus
OPERATOR = Actor(user_id=1, role=Role.OPERATOR, unit_id=None, name="op")
OWNER = Actor(user_id=2, role=Role.DEPARTMENT, unit_id=7, name="owner")
OTHER = Actor(user_id=3, role=Role.DEPARTMENT, unit_id=8, name="other")
RESIDENT = Actor(user_id=4, role=Role.RESIDENT, unit_id=None, name="r")


def facts(status: ArticleStatus, published: bool = False) -> ArticleFacts:
    return ArticleFacts(status, unit_id=7, has_published=published)


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (S.DRAFT, Action.SUBMIT, S.IN_REVIEW),
        (S.IN_REVIEW, Action.APPROVE, S.PUBLISHED),
        (S.IN_REVIEW, Action.SEND_BACK, S.DRAFT),
        (S.PUBLISHED, Action.EDIT, S.DRAFT),
        (S.PUBLISHED, Action.EXPIRE, S.EXPIRED),
        (S.EXPIRED, Action.EDIT, S.DRAFT),
        (S.PUBLISHED, Action.FLAG, S.PUBLISHED),
    ],
)
def test_the_status_table(status: ArticleStatus, action: Action, after: ArticleStatus) -> None:
    assert next_status(status, action) is after


def test_a_draft_cannot_be_published_without_review() -> None:
    with pytest.raises(InvalidTransition):
        next_status(S.DRAFT, Action.APPROVE)
    assert (S.DRAFT, Action.APPROVE) not in TRANSITIONS


def test_only_the_owning_department_reviews() -> None:
    f = facts(S.IN_REVIEW)
    assert refusal(Action.APPROVE, f, OWNER) is None
    assert isinstance(refusal(Action.APPROVE, f, OTHER), PermissionDenied)
    assert isinstance(refusal(Action.APPROVE, f, OPERATOR), PermissionDenied)
    assert isinstance(refusal(Action.SUBMIT, facts(S.DRAFT), OTHER), PermissionDenied)  # not its article
    assert isinstance(refusal(Action.CREATE, None, RESIDENT), PermissionDenied)
    assert isinstance(refusal(Action.FLAG, facts(S.PUBLISHED), OWNER), PermissionDenied)  # operators flag


def test_the_actions_offered_are_those_the_guard_allows() -> None:
    assert actions_for(facts(S.IN_REVIEW), OWNER) == [Action.APPROVE, Action.SEND_BACK, Action.EXPIRE]
    assert actions_for(facts(S.IN_REVIEW), OPERATOR) == [Action.EXPIRE, Action.FLAG]
    assert actions_for(facts(S.PUBLISHED), OPERATOR) == [Action.EDIT, Action.EXPIRE, Action.FLAG]


def test_a_draft_must_hold_title_answer_category_and_department() -> None:
    d = ArticleDraft("", "", "", "", valid_from=date(2025, 2, 1), valid_to=date(2025, 1, 1))
    assert {f for f, _ in draft_problems(d)} == {"title", "answer", "category", "unit_code", "valid_to"}
    assert draft_problems(ArticleDraft("t", "a", "c", "u")) == []


def test_suggested_only_while_published_not_expired_and_in_force() -> None:
    today = date(2026, 12, 2)
    assert suggestable(S.PUBLISHED, True, None, None, today)
    assert suggestable(S.DRAFT, True, None, None, today)  # an edit in review: the approved version stays in use
    assert not suggestable(S.DRAFT, False, None, None, today)
    assert not suggestable(S.EXPIRED, True, None, None, today)
    assert not suggestable(S.PUBLISHED, True, None, date(2026, 12, 1), today)
    assert not suggestable(S.PUBLISHED, True, date(2026, 12, 3), None, today)


def test_tokens_are_bigrams_without_question_words() -> None:
    assert tokens("请问社保卡怎么办") == ["社保", "保卡"]
    assert tokens("下水道盖子") == ["下水", "水道", "道盖", "盖子"]
    assert tokens("ETC 12345") == ["etc", "12345"]
    assert tokens("卡") == ["卡"]


def test_bm25_ranks_title_matches_first_and_forgets_removed_documents() -> None:
    idx = Bm25Index()
    idx.put_many(
        [
            Document(1, "供暖报停", ("暖气停供",), "向供热企业申请"),
            Document(2, "燃气开户", (), "报停燃气请到营业厅"),
            Document(3, "公积金提取", (), "买房提取", valid_to=date(2025, 1, 1)),
        ]
    )
    assert [h.id for h in idx.search("报停")] == [1, 2]
    assert [h.id for h in idx.search("公积金", today=date(2026, 1, 1))] == []
    idx.remove(1)
    assert [h.id for h in idx.search("报停")] == [2] and len(idx) == 2
    idx.put(Document(2, "燃气开户", (), "到营业厅"))  # replaced: the old text is gone
    assert idx.search("报停") == []


def test_synonyms_expand_the_query() -> None:
    idx = Bm25Index()
    idx.put(Document(1, "社保卡补办", (), "到网点补办"))
    syn = Synonyms([("社保卡", "市民卡")])
    assert idx.search("市民卡丢了") == []
    assert [h.id for h in idx.search("市民卡丢了", synonyms=syn)] == [1]


def test_recall_at_k() -> None:
    assert recall_at(2, [("a", 1), ("b", 2)], {"a": [3, 1], "b": [1, 3, 2]}) == 0.5
