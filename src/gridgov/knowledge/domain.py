"""The knowledge base (知识库) of the 12345 hotline: an article's statuses and actions, who may take them, what a
draft must hold, and the rule that decides whether an article may be suggested to an operator (pure Python).

An article moves draft → in review → published → expired. Every edit writes a new version (all are kept); the
version operators see is the last one its owning department approved (`published_version`), so editing a
published article does not take its answer off the phone while the new text is in review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gridgov.actor import Actor, Role
from gridgov.errors import GridgovError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed


class StatusKind(StrEnum):
    WORKING = "working"  # being written or reviewed
    LIVE = "live"  # operators may use it
    RETIRED = "retired"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    EXPIRED = "expired"

    @property
    def kind(self) -> StatusKind:
        return _KINDS[self]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


_KINDS = {
    ArticleStatus.DRAFT: StatusKind.WORKING,
    ArticleStatus.IN_REVIEW: StatusKind.WORKING,
    ArticleStatus.PUBLISHED: StatusKind.LIVE,
    ArticleStatus.EXPIRED: StatusKind.RETIRED,
}

STATUS_LABELS = {
    ArticleStatus.DRAFT: "草稿",
    ArticleStatus.IN_REVIEW: "待审核",
    ArticleStatus.PUBLISHED: "已发布",
    ArticleStatus.EXPIRED: "已失效",
}


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"  # 提交审核
    APPROVE = "approve"  # 审核通过并发布 (the owning department)
    SEND_BACK = "send_back"  # 退回修改 (the owning department)
    EXPIRE = "expire"  # 下架 / 到期失效
    FLAG = "flag"  # 知识库纠错: an operator says the answer is wrong or out of date
    RESOLVE_FLAG = "resolve_flag"  # the owning department answers the flag

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.CREATE: "新建",
    Action.EDIT: "修改",
    Action.SUBMIT: "提交审核",
    Action.APPROVE: "审核发布",
    Action.SEND_BACK: "退回修改",
    Action.EXPIRE: "下架",
    Action.FLAG: "纠错",
    Action.RESOLVE_FLAG: "处理纠错",
}

S, A = ArticleStatus, Action
TRANSITIONS: dict[tuple[ArticleStatus | None, Action], ArticleStatus] = {
    (None, A.CREATE): S.DRAFT,
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.PUBLISHED, A.EDIT): S.DRAFT,  # the published version stays on the phone until the new one is approved
    (S.EXPIRED, A.EDIT): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.IN_REVIEW,
    (S.IN_REVIEW, A.APPROVE): S.PUBLISHED,
    (S.IN_REVIEW, A.SEND_BACK): S.DRAFT,
    (S.PUBLISHED, A.EXPIRE): S.EXPIRED,
    (S.DRAFT, A.EXPIRE): S.EXPIRED,
    (S.IN_REVIEW, A.EXPIRE): S.EXPIRED,
}
# a flag, and its answer, leave the status as it is
TRANSITIONS.update({(st, A.FLAG): st for st in (S.PUBLISHED, S.DRAFT, S.IN_REVIEW)})
TRANSITIONS.update({(st, A.RESOLVE_FLAG): st for st in ArticleStatus})

# who writes articles: the hotline's operators and the departments themselves; who may flag: anyone answering calls
AUTHORS = frozenset({Role.OPERATOR, Role.DEPARTMENT, Role.DISPATCHER, Role.ADMIN})
READERS = frozenset({Role.OPERATOR, Role.DEPARTMENT, Role.DISPATCHER, Role.STREET, Role.LEADER, Role.ADMIN})
FLAGGERS = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})


class ArticleNotFound(NotFound):
    code = "article_not_found"
    message = "知识库条目不存在"


class ArticleRefused(ValidationFailed):
    code = "article_invalid"
    message = "知识库条目内容不完整或不合法"


class ArticleNotUsable(GridgovError):
    code = "article_not_usable"
    status = 409
    message = "该知识库条目未发布或已失效，不能引用"


class KnowledgeImportRefused(GridgovError):
    code = "knowledge_import_refused"
    status = 422
    message = "知识库文件有误，未导入任何条目"


class FlagNotFound(NotFound):
    code = "flag_not_found"
    message = "纠错任务不存在"


def next_status(status: ArticleStatus | None, action: Action) -> ArticleStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        label = status.label if status else "未创建"
        raise InvalidTransition(
            f"条目处于「{label}」状态，不能执行「{action.label}」",
            status=status.value if status else None,
            action=action.value,
        ) from None


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    status: ArticleStatus
    unit_id: int  # the owning department
    has_published: bool = False
    open_flag_units: tuple[int, ...] = ()


def refusal(action: Action, facts: ArticleFacts | None, actor: Actor) -> GridgovError | None:
    """The one guard: the role, then the state, then what the owning department alone may do."""
    role = actor.role
    if action is Action.FLAG:
        allowed = role in FLAGGERS
    elif action in (Action.APPROVE, Action.SEND_BACK, Action.RESOLVE_FLAG):
        allowed = role in (Role.DEPARTMENT, Role.ADMIN)
    elif action is Action.EXPIRE:
        allowed = role in AUTHORS or role is Role.SYSTEM  # by hand, or the expiry job at the end date
    else:
        allowed = role in AUTHORS
    if not allowed:
        return PermissionDenied(f"角色「{role.label}」不能「{action.label}」知识库条目", action=action.value)
    try:
        next_status(facts.status if facts else None, action)
    except InvalidTransition as refused:
        return refused
    if facts is None:
        return None
    owner_only = (Action.APPROVE, Action.SEND_BACK, Action.RESOLVE_FLAG)
    if action in owner_only and actor.unit_id != facts.unit_id:
        return PermissionDenied("只有条目的责任部门可以审核或处理纠错", action=action.value)
    if (
        role is Role.DEPARTMENT
        and action in (Action.EDIT, Action.SUBMIT, Action.EXPIRE)
        and actor.unit_id != facts.unit_id
    ):
        return PermissionDenied("部门只能维护本部门的条目", action=action.value)
    return None


def actions_for(facts: ArticleFacts, actor: Actor) -> list[Action]:
    """What this person can do to the article now (the page offers exactly these)."""
    return [
        a
        for (s, a) in TRANSITIONS
        if s is facts.status and a is not Action.RESOLVE_FLAG and refusal(a, facts, actor) is None
    ]


# -- what an article holds ------------------------------------------------------------------------------------
MAX_TITLE, MAX_ANSWER, MAX_VARIANTS, MAX_VARIANT = 120, 8000, 30, 200


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    title: str
    answer: str
    category: str
    unit_code: str  # the owning department
    variants: tuple[str, ...] = ()  # the ways callers ask it
    basis: str = ""  # 政策依据
    valid_from: date | None = None
    valid_to: date | None = None


def draft_problems(d: ArticleDraft) -> list[tuple[str, str]]:
    """(field, message) for each thing wrong with a draft; empty when it may be stored."""
    out: list[tuple[str, str]] = []
    if not d.title.strip():
        out.append(("title", "标题不能为空"))
    elif len(d.title) > MAX_TITLE:
        out.append(("title", f"标题不能超过 {MAX_TITLE} 字"))
    if not d.answer.strip():
        out.append(("answer", "答复口径不能为空"))
    elif len(d.answer) > MAX_ANSWER:
        out.append(("answer", f"答复口径不能超过 {MAX_ANSWER} 字"))
    if not d.category.strip():
        out.append(("category", "分类不能为空"))
    if not d.unit_code.strip():
        out.append(("unit_code", "责任部门不能为空"))
    if len(d.variants) > MAX_VARIANTS:
        out.append(("variants", f"问法不能超过 {MAX_VARIANTS} 条"))
    if any(len(v) > MAX_VARIANT for v in d.variants):
        out.append(("variants", f"每条问法不能超过 {MAX_VARIANT} 字"))
    if d.valid_from and d.valid_to and d.valid_to < d.valid_from:
        out.append(("valid_to", "失效日期早于生效日期"))
    return out


def in_force(valid_from: date | None, valid_to: date | None, today: date) -> bool:
    return (valid_from is None or valid_from <= today) and (valid_to is None or today <= valid_to)


def suggestable(
    status: ArticleStatus, has_published: bool, valid_from: date | None, valid_to: date | None, today: date
) -> bool:
    """Operators are offered an article only while an approved version exists, the article is not expired and
    today lies within the approved version's validity (an article past its end date is never suggested, even
    before the expiry job has marked it)."""
    return has_published and status is not ArticleStatus.EXPIRED and in_force(valid_from, valid_to, today)


# -- 知识库纠错 -----------------------------------------------------------------------------------------------
class FlagStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {"open": "待处理", "resolved": "已处理"}[self.value]


FLAG_DAYS = 3  # working days the owning department has to answer a flag (GRIDGOV_KNOWLEDGE_FLAG_DAYS)
