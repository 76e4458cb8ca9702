"""Chinese-aware search over the articles: character bigrams with BM25F, synonyms expanded in the query (pure
Python, no dictionary).

Why bigrams and not a word segmenter: callers' words are colloquial and full of place and policy names no
dictionary holds (供暖报停, 公积金, 居住证); overlapping character bigrams (the CJK analyser of Lucene and
Elasticsearch) match any two-character word without one, need no 20 MB dictionary loaded per process, and work
the same on SQLite and PostgreSQL. pg_trgm (which case search uses) would tie search to PostgreSQL, and
trigrams miss the two-character words Chinese questions are made of (SQLite FTS5's trigram tokenizer
cannot match a query shorter than three characters at all). Synonyms cover what bigrams cannot: 社保卡 and
社会保障卡 share only 社保/保卡 by accident.

Fields weigh differently (a title word says more than an answer word): BM25F with weights `FIELD_WEIGHTS`,
one length normalisation over the weighted length.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

FIELD_WEIGHTS = {"title": 3.0, "variants": 2.0, "answer": 1.0}
K1, B = 1.2, 0.75
COMMON = 1000  # a term in more documents than this only adds to what the rarer terms found
# the words every question is made of: asking, wanting, where and how (they would match every article)
STOP = frozenset(
    {
        "请问",
        "我想",
        "想问",
        "怎么",
        "怎样",
        "如何",
        "什么",
        "哪里",
        "哪儿",
        "可以",
        "能否",
        "能不",
        "需要",
        "一下",
        "一个",
        "我们",
        "你们",
        "他们",
        "是不",
        "不是",
        "吗",
        "呢",
        "的",
        "了",
        "我",
        "你",
        "要",
        "在",
        "是",
        "有",
        "和",
        "与",
        "及",
        "或",
        "去",
        "办",
        "吧",
        "啊",
        "呀",
        "么",
        "个",
        "这",
        "那",
        "里",
        "下",
        "怎",
        "么样",
        "多少",
        "时候",
        "应该",
        "还是",
        "没有",
        "现在",
        "就是",
        "知道",
    }
)
_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
# the question words of two or more characters cut a run in pieces (请问|社保卡|怎么|办 → 社保卡, 办); single
# characters are left inside runs (下水道, 有害垃圾) and only dropped when they stand alone
_CUT = re.compile("|".join(sorted((w for w in STOP if len(w) > 1), key=len, reverse=True)))


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def tokens(text: str) -> list[str]:
    """Overlapping bigrams of each run of Chinese characters (a lone character stands for itself), whole words of
    Latin letters and digits; stop words and bigrams made of them left out."""
    out: list[str] = []
    for run in _RUN.findall(normalise(text)):
        if not ("\u3400" <= run[0] <= "\u9fff"):
            out.append(run)
            continue
        for piece in _CUT.split(run):
            if len(piece) == 1:
                if piece not in STOP:
                    out.append(piece)
            else:
                out.extend(piece[i : i + 2] for i in range(len(piece) - 1) if piece[i : i + 2] not in STOP)
    return out


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    title: str
    variants: tuple[str, ...]
    answer: str
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    score: float


@dataclass
class Synonyms:
    """Groups of words that mean the same to a caller (社保卡 = 社会保障卡 = 市民卡)."""

    groups: list[tuple[str, ...]] = field(default_factory=list)

    def expand(self, query: str) -> str:
        text = normalise(query)
        extra = [w for g in self.groups if any(normalise(x) in text for x in g) for w in g if normalise(w) not in text]
        return query if not extra else query + " " + " ".join(extra)


class Bm25Index:
    """An inverted index of bigrams → {document: weighted term frequency}, kept up to date one document at a time."""

    def __init__(self) -> None:
        self.postings: dict[str, dict[int, float]] = {}
        self.lengths: dict[int, float] = {}
        self.terms: dict[int, tuple[str, ...]] = {}
        self.docs: dict[int, Document] = {}
        self._total = 0.0

    def __len__(self) -> int:
        return len(self.docs)

    def put(self, doc: Document) -> None:
        self.remove(doc.id)
        tf: dict[str, float] = {}
        for name, texts in (("title", [doc.title]), ("variants", doc.variants), ("answer", [doc.answer])):
            weight = FIELD_WEIGHTS[name]
            for text in texts:
                for t in tokens(text):
                    tf[t] = tf.get(t, 0.0) + weight
        length = sum(tf.values()) or 1.0
        for term, f in tf.items():
            self.postings.setdefault(term, {})[doc.id] = f
        self.lengths[doc.id] = length
        self.terms[doc.id] = tuple(tf)
        self.docs[doc.id] = doc
        self._total += length

    def put_many(self, docs: Iterable[Document]) -> None:
        for d in docs:
            self.put(d)

    def remove(self, doc_id: int) -> None:
        if doc_id not in self.docs:
            return
        for term in self.terms.pop(doc_id):
            posting = self.postings[term]
            posting.pop(doc_id, None)
            if not posting:
                del self.postings[term]
        self._total -= self.lengths.pop(doc_id)
        del self.docs[doc_id]

    def search(
        self, query: str, limit: int = 5, today: date | None = None, synonyms: Synonyms | None = None
    ) -> list[Hit]:
        """The best `limit` documents for the query; with `today`, only those in force that day."""
        n = len(self.docs)
        if n == 0:
            return []
        text = synonyms.expand(query) if synonyms else query
        wanted = Counter(tokens(text))
        if not wanted:
            return []
        avg = self._total / n
        scores: dict[int, float] = {}
        # the rarest terms first; a term common to many documents (办理, 补贴) then only adds to the documents the
        # rarer ones found, once there are enough of them (its weight is small, and walking its whole posting
        # list is what would make a search slow; bench/knowledge.py)
        present = sorted((t for t in wanted if t in self.postings), key=lambda t: len(self.postings[t]))
        if present and len(self.postings[present[0]]) > max(COMMON, n // 2):
            return []  # only words that most of a large catalogue holds (办理, 申请): nothing to tell them apart
        for term in present:
            posting = self.postings[term]
            df = len(posting)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            weight = wanted[term] * idf * (K1 + 1)
            lengths = self.lengths
            if df > COMMON and len(scores) >= limit:
                for doc_id in scores:
                    f = posting.get(doc_id)
                    if f is not None:
                        scores[doc_id] += weight * f / (f + K1 * (1 - B + B * lengths[doc_id] / avg))
                continue
            for doc_id, f in posting.items():
                scores[doc_id] = scores.get(doc_id, 0.0) + weight * f / (f + K1 * (1 - B + B * lengths[doc_id] / avg))
        want = limit if today is None else limit * 4
        ranked = heapq.nlargest(want, scores.items(), key=lambda kv: (kv[1], -kv[0]))
        if today is not None and len(ranked) < len(scores):
            valid = [kv for kv in ranked if self._in_force(kv[0], today)]
            if len(valid) < limit:  # many out of force: look at them all
                ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        out: list[Hit] = []
        for doc_id, score in ranked:
            if today is not None and not self._in_force(doc_id, today):
                continue
            out.append(Hit(doc_id, score))
            if len(out) >= limit:
                break
        return out

    def _in_force(self, doc_id: int, today: date) -> bool:
        d = self.docs[doc_id]
        return not ((d.valid_from and d.valid_from > today) or (d.valid_to and d.valid_to < today))


def recall_at(k: int, labelled: Sequence[tuple[str, int]], search: Mapping[str, Sequence[int]]) -> float:
    """The share of labelled questions whose article is among the first k results."""
    if not labelled:
        return 0.0
    return sum(1 for q, want in labelled if want in list(search[q])[:k]) / len(labelled)
