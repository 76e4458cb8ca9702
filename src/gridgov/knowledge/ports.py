"""What the knowledge services need from storage: the article repository and the unit of work that holds it.
The feature's errors live in domain.py and are re-exported here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gridgov.knowledge.domain import (
    ArticleNotFound,
    ArticleNotUsable,
    ArticleRefused,
    FlagNotFound,
    KnowledgeImportRefused,
)
from gridgov.knowledge.models import KnowledgeArticle, KnowledgeEvent, KnowledgeFlag, KnowledgeVersion
from gridgov.transaction import Transaction

__all__ = [
    "ArticleNotFound",
    "ArticleNotUsable",
    "ArticleRefused",
    "ArticleRepository",
    "FlagNotFound",
    "KnowledgeImportRefused",
    "KnowledgeUnitOfWork",
    "UnitLookup",
]


class UnitLookup(Protocol):
    def unit_id(self, code: str) -> int | None: ...
    def unit_code(self, unit_id: int) -> str | None: ...


class ArticleRepository(Protocol):
    def get(self, article_id: int) -> KnowledgeArticle | None: ...
    def next_code(self) -> str: ...
    def add(self, article: KnowledgeArticle, version: KnowledgeVersion, first_event: KnowledgeEvent) -> None: ...
    def add_many(self, items: Sequence[tuple[KnowledgeArticle, KnowledgeVersion, KnowledgeEvent]]) -> None: ...
    def add_version(self, version: KnowledgeVersion) -> None: ...
    def version(self, article_id: int, number: int) -> KnowledgeVersion | None: ...
    def add_event(self, event: KnowledgeEvent) -> None: ...
    def add_flag(self, flag: KnowledgeFlag) -> None: ...
    def flag(self, flag_id: int) -> KnowledgeFlag | None: ...
    def open_flags(self, article_id: int) -> Sequence[KnowledgeFlag]: ...
    def add_synonyms(self, words: str, at: object) -> None: ...


class KnowledgeUnitOfWork(Transaction, Protocol):
    @property
    def articles(self) -> ArticleRepository: ...

    @property
    def unit_lookup(self) -> UnitLookup: ...
