"""The search index each process keeps in memory over the published articles (gridgov.knowledge.search), brought
up to date before each search by reading only the articles changed since it last looked.

Every change of an article appends an event to its record, so the check is one lookup of the newest event by its
primary key; a change made by another process is seen on the next search. The first search of a process reads
every published version (several seconds at 20,000 articles; `bench/knowledge.py` prints it)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.knowledge.domain import ArticleStatus
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent, KnowledgeSynonym, KnowledgeVersion
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
        self._mark: tuple[int, str] | None = None  # the newest event seen: id and hash
        self._syn_mark: tuple[int, str] | None = None
        self._lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        """Bring the index up to date: every change of an article appends an event, so the newest event (its id
        and hash, read through the primary key) says whether anything changed, and the events after the one
        last seen say which articles."""
        last = session.execute(
            select(KnowledgeEvent.id, KnowledgeEvent.hash).order_by(KnowledgeEvent.id.desc()).limit(1)
        ).first()
        mark = (last[0], last[1]) if last else (0, "")
        syn = session.execute(
            select(KnowledgeSynonym.id, KnowledgeSynonym.words).order_by(KnowledgeSynonym.id.desc()).limit(1)
        ).first()
        syn_mark = (syn[0], syn[1]) if syn else (0, "")
        with self._lock:
            if syn_mark != self._syn_mark:
                words = session.execute(select(KnowledgeSynonym.words).order_by(KnowledgeSynonym.id)).scalars()
                self.synonyms = Synonyms([tuple(w.split()) for w in words])
                self._syn_mark = syn_mark
            if mark == self._mark:
                return
            # the log went back (rows deleted) or was rewritten: read everything again
            full = self._mark is None or mark[0] <= self._mark[0]
            stmt = select(
                KnowledgeArticle.id,
                KnowledgeArticle.code,
                KnowledgeArticle.status,
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
            if full:
                self.bm25, self.meta = Bm25Index(), {}
            else:
                assert self._mark is not None
                changed = select(KnowledgeEvent.article_id).where(KnowledgeEvent.id > self._mark[0]).distinct()
                stmt = stmt.where(KnowledgeArticle.id.in_(changed))
            for r in session.execute(stmt):
                if r.number is None or r.status == ArticleStatus.EXPIRED.value:
                    self.bm25.remove(r.id)
                    self.meta.pop(r.id, None)
                    continue
                self.bm25.put(Document(r.id, r.title, tuple(r.variants or ()), r.answer, r.valid_from, r.valid_to))
                self.meta[r.id] = (r.code, r.category, r.unit_id, r.number)
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
