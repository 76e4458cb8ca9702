"""The article's record: every step appends the next event of the article's hash chain (the digest of
gridgov.audit.domain, with the article's code where a case has its tracking code) and moves the chain's head on
the article row. The repository queues each event as a leaf of the city's log (stream `knowledge`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.audit.domain import GENESIS, event_digest
from gridgov.knowledge.domain import Action, ArticleStatus
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent

STREAM = "knowledge"

PAST = {
    Action.CREATE: "article_created",
    Action.EDIT: "article_edited",
    Action.SUBMIT: "article_submitted",
    Action.APPROVE: "article_published",
    Action.SEND_BACK: "article_sent_back",
    Action.EXPIRE: "article_expired",
    Action.FLAG: "article_flagged",
    Action.RESOLVE_FLAG: "article_flag_resolved",
}


def record(
    article: KnowledgeArticle,
    action: Action,
    actor: Actor,
    from_status: ArticleStatus | None,
    to_status: ArticleStatus,
    now: datetime,
    payload: Mapping[str, Any],
) -> KnowledgeEvent:
    """The next event of the article's chain; the head on the article row moves with it."""
    seq = (article.event_count or 0) + 1
    prev = article.last_event_hash or GENESIS
    clean = json.loads(json.dumps(dict(payload), ensure_ascii=False, default=str))
    fields: dict[str, Any] = dict(
        seq=seq,
        event_type=PAST[action],
        tag="knowledge:created" if action is Action.CREATE else f"knowledge:{action.value}",
        action=action.value,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        unit_id=actor.unit_id,
        occurred_at=now,
        payload=clean,
    )
    digest = event_digest(prev_hash=prev, case_ref=article.code, **fields)
    article.event_count = seq
    article.last_event_hash = digest
    return KnowledgeEvent(article_id=article.id, prev_hash=prev, hash=digest, **fields)
