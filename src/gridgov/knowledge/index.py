"""The search index each process keeps in memory over the published articles (gridgov.knowledge.search), brought
up to date before each search by reading only the articles changed since it last looked.

The check is one query (the newest `changed_at`, the number of articles and the sum of their row
versions); a change made by another
process is seen on the next search. The first search of a process reads every published version (about a
second for 20,000 articles; `bench/knowledge.py`)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.knowledge.domain import ArticleStatus
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeSynonym, KnowledgeVersion
from gridgov.knowledge.search import Bm25Index, Document, Synonyms


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    code: str
    title: str
    answer: str
    category: str
    unit_id: int
    version: int
    score: float


class KnowledgeIndex:
    def __init__(self) -> None:
        self.bm25 = Bm25Index()
        self.meta: dict[int, tuple[str, str, int, int]] = {}  # id → code, category, unit, version
        self.synonyms = Synonyms()
        self._mark: tuple[Any, ...] | None = None
        self._seen_at: datetime | None = None
        self._syn_mark: tuple[Any, ...] | None = None
        self._lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        mark = tuple(
            session.execute(
                select(
                    func.max(KnowledgeArticle.changed_at),
                    func.count(KnowledgeArticle.id),
                    func.coalesce(func.sum(KnowledgeArticle.version), 0),
                )
            ).one()
        )
        syn = tuple(session.execute(select(func.max(KnowledgeSynonym.id), func.count(KnowledgeSynonym.id))).one())
        with self._lock:
            if syn != self._syn_mark:
                words = session.execute(select(KnowledgeSynonym.words).order_by(KnowledgeSynonym.id)).scalars()
                self.synonyms = Synonyms([tuple(w.split()) for w in words])
                self._syn_mark = syn
            if mark == self._mark:
                return
            # new or deleted articles: read them all again (cheap next to writing them); otherwise only the rows
            # changed since the newest change seen (every change moves `changed_at` and the row's version)
            full = self._mark is None or mark[1] != self._mark[1]
            if full:
                self.bm25, self.meta = Bm25Index(), {}
            stmt = select(
                KnowledgeArticle.id,
                KnowledgeArticle.code,
                KnowledgeArticle.status,
                KnowledgeArticle.changed_at,
                KnowledgeVersion.number,
                KnowledgeVersion.title,
                KnowledgeVersion.variants,
                KnowledgeVersion.answer,
                KnowledgeVersion.category,
                KnowledgeVersion.unit_id,
                KnowledgeVersion.valid_from,
                KnowledgeVersion.valid_to,
            ).outerjoin(
                KnowledgeVersion,
                (KnowledgeVersion.article_id == KnowledgeArticle.id)
                & (KnowledgeVersion.number == KnowledgeArticle.published_version),
            )
            if not full and self._seen_at is not None:
                stmt = stmt.where(KnowledgeArticle.changed_at >= self._seen_at)
            newest = self._seen_at
            for r in session.execute(stmt):
                newest = r.changed_at if newest is None or r.changed_at > newest else newest
                if r.number is None or r.status == ArticleStatus.EXPIRED.value:
                    self.bm25.remove(r.id)
                    self.meta.pop(r.id, None)
                    continue
                self.bm25.put(Document(r.id, r.title, tuple(r.variants or ()), r.answer, r.valid_from, r.valid_to))
                self.meta[r.id] = (r.code, r.category, r.unit_id, r.number)
            self._seen_at = newest
            self._mark = mark

    def suggest(self, session: Session, query: str, today: date, limit: int = 5) -> list[Suggestion]:
        self.refresh(session)
        out = []
        for hit in self.bm25.search(query, limit, today=today, synonyms=self.synonyms):
            d = self.bm25.docs[hit.id]
            code, category, unit_id, version = self.meta[hit.id]
            out.append(Suggestion(hit.id, code, d.title, d.answer, category, unit_id, version, round(hit.score, 3)))
        return out


_INDEXES: weakref.WeakKeyDictionary[object, KnowledgeIndex] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def index_for(database: object) -> KnowledgeIndex:
    """The process's index over one database (keyed by its engine or its session factory)."""
    with _GUARD:
        found = _INDEXES.get(database)
        if found is None:
            found = _INDEXES[database] = KnowledgeIndex()
        return found
