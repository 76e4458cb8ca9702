"""The SQL adapters: the article repository (every event it writes is queued as a leaf of the city's log) and
the unit of work that binds it to the shared one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.ports import AuditLog, PendingLeaf
from gridgov.errors import DuplicateKey
from gridgov.knowledge.events import STREAM
from gridgov.knowledge.models import (
    KnowledgeArticle,
    KnowledgeEvent,
    KnowledgeFlag,
    KnowledgeSynonym,
    KnowledgeVersion,
)
from gridgov.transaction import BoundUnitOfWork, Transaction
from gridgov.units.models import Unit


class SqlArticleRepository:
    def __init__(self, session: Session, log: AuditLog | None = None) -> None:
        self.session = session
        self.log = log

    def _queue(self, article_id: Callable[[], int | None], seq: int, event_hash: str) -> None:
        if self.log is not None:
            self.log.queue(PendingLeaf(STREAM, article_id, seq, event_hash))

    def get(self, article_id: int) -> KnowledgeArticle | None:
        return self.session.execute(
            select(KnowledgeArticle).where(KnowledgeArticle.id == article_id).with_for_update()
        ).scalar_one_or_none()

    def next_code(self) -> str:
        top = self.session.execute(select(func.max(KnowledgeArticle.id))).scalar() or 0
        return f"KB-{top + 1:06d}"

    def add(self, article: KnowledgeArticle, version: KnowledgeVersion, first_event: KnowledgeEvent) -> None:
        self.add_many([(article, version, first_event)])

    def add_many(self, items: Sequence[tuple[KnowledgeArticle, KnowledgeVersion, KnowledgeEvent]]) -> None:
        self.session.add_all([a for a, _, _ in items])
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey() from exc
        for article, version, event in items:
            aid = article.id
            version.article_id = aid
            event.article_id = aid
            self.session.add(version)
            self.session.add(event)
            self._queue(lambda aid=aid: aid, event.seq, event.hash)  # type: ignore[misc]

    def add_version(self, version: KnowledgeVersion) -> None:
        self.session.add(version)

    def version(self, article_id: int, number: int) -> KnowledgeVersion | None:
        return self.session.execute(
            select(KnowledgeVersion).where(KnowledgeVersion.article_id == article_id, KnowledgeVersion.number == number)
        ).scalar_one_or_none()

    def add_event(self, event: KnowledgeEvent) -> None:
        self.session.add(event)
        aid = event.article_id
        self._queue(lambda: aid, event.seq, event.hash)

    def add_flag(self, flag: KnowledgeFlag) -> None:
        self.session.add(flag)
        self.session.flush()

    def flag(self, flag_id: int) -> KnowledgeFlag | None:
        return self.session.get(KnowledgeFlag, flag_id)

    def open_flags(self, article_id: int) -> Sequence[KnowledgeFlag]:
        return list(
            self.session.execute(
                select(KnowledgeFlag).where(KnowledgeFlag.article_id == article_id, KnowledgeFlag.status == "open")
            ).scalars()
        )

    def add_synonyms(self, words: str, at: object) -> None:
        assert isinstance(at, datetime)
        self.session.add(KnowledgeSynonym(words=words, created_at=at))
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey("同义词组已存在") from exc


class SqlUnitLookup:
    def __init__(self, session: Session) -> None:
        self.session = session

    def unit_id(self, code: str) -> int | None:
        return self.session.execute(select(Unit.id).where(Unit.code == code)).scalar()

    def unit_code(self, unit_id: int) -> str | None:
        return self.session.execute(select(Unit.code).where(Unit.id == unit_id)).scalar()


class SessionUnitOfWork(Transaction, Protocol):
    session: Session
    audit: AuditLog


class SqlKnowledgeUnitOfWork(BoundUnitOfWork):
    """The shared SQL unit of work (gridgov.uow's, from the container) with the article repository bound to its
    session and its log: one transaction, the same SQLite write lock, the same after-commit hooks."""

    articles: SqlArticleRepository
    unit_lookup: SqlUnitLookup

    _base: SessionUnitOfWork

    def __init__(self, base: SessionUnitOfWork) -> None:
        super().__init__(base)

    def _bind(self) -> None:
        self.articles = SqlArticleRepository(self._base.session, self._base.audit)
        self.unit_lookup = SqlUnitLookup(self._base.session)
