"""Text normalisation and feature extraction shared by training and inference.

The feature strings produced here are the vocabulary keys stored in the model's JSON artifact, so
any change to this module changes what a saved model means: bump ``FEATURES_VERSION`` when it does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import rjieba

FEATURES_VERSION = "w1-2c1-3.v1"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Mainland mobile numbers, landlines with area code, and long digit runs (ids, card numbers).
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{11,})(?!\d)")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
# Tokens that carry no topic: punctuation, symbols, single Latin letters from anonymisation (A市, A1区).
_PUNCT = re.compile(r"^[\W_]+$")

# A few function words too common to help; TF-IDF handles the rest.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "有",
        "也",
        "都",
        "就",
        "而",
        "但",
        "我",
        "我们",
        "你",
        "您",
        "他",
        "她",
        "它",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "一个",
        "请",
        "请问",
        "希望",
        "领导",
        "您好",
        "你好",
        "尊敬",
        "谢谢",
        "感谢",
        "非常",
        "问题",
        "反映",
        "关于",
        "能否",
        "是否",
        "什么",
        "怎么",
        "如何",
        "为什么",
        "没有",
        "不",
        "要",
        "会",
        "能",
        "可以",
        "已经",
        "还",
        "又",
        "把",
        "被",
        "让",
        "给",
        "对",
        "从",
        "向",
        "到",
        "为",
        "以",
        "于",
        "之",
        "其",
        "等",
        "上",
        "下",
        "中",
        "后",
        "前",
    ]
)


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower-case, drop URLs, e-mails and phone numbers, squeeze spaces.

    The NFKC pass and the e-mail pattern are skipped when they cannot change anything (text already in NFKC,
    no "@"): the result is the same, and most messages need neither."""
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    text = text.lower()
    return _SPACE.sub(" ", text).strip()


# token → kept (not punctuation, digits or a stopword); tokens repeat across messages, so each is judged once
_KEPT: dict[str, bool] = {}
_KEPT_MAX = 500_000


def _kept(tok: str) -> bool:
    keep = _KEPT.get(tok)
    if keep is None:
        keep = not (tok in STOPWORDS or _PUNCT.match(tok) or _DIGITS.fullmatch(tok))
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[tok] = keep
    return keep


def words(text: str) -> list[str]:
    """rjieba words of already normalised text, without punctuation, digits-only tokens or stopwords."""
    out: list[str] = []
    for tok in rjieba.cut(text):
        tok = tok.strip()
        if tok and _kept(tok):
            out.append(tok)
    return out


_RUNS = re.compile(r"[\W_]+")


def char_ngrams(text: str, low: int = 1, high: int = 3, prefix: str = "") -> list[str]:
    """Character n-grams over runs of CJK/letters, never spanning punctuation or spaces; digits become '0'.
    Each n-gram is returned with ``prefix`` in front of it."""
    out: list[str] = []
    for run in _RUNS.split(_DIGITS.sub("0", text)):
        n_run = len(run)
        for n in range(low, high + 1):
            out.extend([prefix + run[i : i + n] for i in range(n_run - n + 1)])
    return out


def features(text: str) -> list[str]:
    """All features of one raw text: word uni/bigrams (``w:``) and character 1–3-grams (``c:``)."""
    norm = normalise(text)
    ws = words(norm)
    feats = ["w:" + w for w in ws]
    feats.extend(["w:" + a + " " + b for a, b in zip(ws, ws[1:], strict=False)])
    feats.extend(char_ngrams(norm, prefix="c:"))
    return feats


def join_fields(fields: Iterable[str | None]) -> str:
    """Join title and body (or any text columns) into one text; the title is repeated to weight it."""
    parts = [f.strip() for f in fields if f and f.strip()]
    if not parts:
        return ""
    return "\n".join([parts[0], *parts])
