"""Pinyin initials of Chinese names, for type-ahead pickers (`jbl` finds 经八路街道办事处).

With the `pypinyin` package installed its table is used (polyphones by word). Without it, the initials come
from the GB2312 order: its 3,755 level-1 characters are sorted by pinyin, so the letter is read off the code
point's range; rarer characters (level 2, sorted by radical) are looked up in a short table of those common in
place and unit names, and anything else keeps no initial. Pure and cached."""

from __future__ import annotations

import importlib
from bisect import bisect_right
from functools import lru_cache
from typing import Any

# the first GB2312 code of each initial's range (level 1: 0xB0A1–0xD7F9); I, U and V begin no syllable
_STARTS = [
    (0xB0A1, "a"), (0xB0C5, "b"), (0xB2C1, "c"), (0xB4EE, "d"), (0xB6EA, "e"), (0xB7A2, "f"), (0xB8C1, "g"),
    (0xB9FE, "h"), (0xBBF7, "j"), (0xBFA6, "k"), (0xC0AC, "l"), (0xC2E8, "m"), (0xC4C3, "n"), (0xC5B6, "o"),
    (0xC5BE, "p"), (0xC6DA, "q"), (0xC8BB, "r"), (0xC8F6, "s"), (0xCBFA, "t"), (0xCDDA, "w"), (0xCEF4, "x"),
    (0xD1B9, "y"), (0xD4D1, "z"),
]  # fmt: skip
_CODES = [code for code, _ in _STARTS]
_LEVEL1_END = 0xD7F9
# level-2 and non-GB2312 characters seen in Henan's place and unit names, and polyphones read wrongly by order
_EXTRA = {
    "荥": "x", "郏": "j", "亳": "b", "濮": "p", "漯": "l", "邙": "m", "嵩": "s", "偃": "y", "浉": "s", "淇": "q",
    "沁": "q", "洹": "h", "渑": "m", "鄢": "y", "汝": "r", "颍": "y", "邺": "y", "岗": "g", "圃": "p", "璞": "p",
    "琦": "q", "琪": "q", "珂": "k", "瑞": "r", "晟": "s", "昊": "h", "煜": "y", "垌": "d", "堽": "g", "砦": "z",
    "寨": "z", "畈": "f", "坂": "b", "埠": "b", "圩": "w", "垸": "y", "塬": "y", "峪": "y", "嶂": "z", "岭": "l",
    "冢": "z", "芃": "p", "茆": "m", "蔺": "l", "鹤": "h", "鹿": "l", "邸": "d", "邱": "q", "邵": "s", "亓": "q",
    "长": "c", "行": "x", "重": "z", "乐": "l", "朝": "c", "厦": "x", "曾": "z", "单": "s", "解": "x", "藏": "z",
}  # fmt: skip


def _pypinyin() -> Any:
    try:
        return importlib.import_module("pypinyin")
    except ImportError:
        return None


_LIB = _pypinyin()


def _initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    if ch in _EXTRA:
        return _EXTRA[ch]
    try:
        raw = ch.encode("gb2312")
    except UnicodeEncodeError:
        return ""
    if len(raw) != 2:
        return ""
    code = raw[0] * 256 + raw[1]
    if not _CODES[0] <= code <= _LEVEL1_END:
        return ""
    return _STARTS[bisect_right(_CODES, code) - 1][1]


@lru_cache(maxsize=65536)
def initials(text: str) -> str:
    """'经八路街道办事处' → 'jbljdbsc' (letters and digits in the text are kept, lower case)."""
    if _LIB is not None:
        letters = _LIB.lazy_pinyin(text, style=_LIB.Style.FIRST_LETTER, errors=lambda s: list(s))
        return "".join(x[:1].lower() for x in letters if x[:1].isascii() and x[:1].isalnum())
    return "".join(_initial(ch) for ch in text)


def matches(query: str, name: str, code: str = "") -> int:
    """How well `query` fits a name or code: 0 not at all, then higher is better (for ordering a picker)."""
    q = query.strip().lower()
    if not q:
        return 1
    if name == query or code.lower() == q:
        return 5
    if name.startswith(query) or code.lower().startswith(q):
        return 4
    if query in name:
        return 3
    if q.isascii():
        spelled = initials(name)
        if spelled.startswith(q):
            return 3
        if q in spelled:
            return 2
        if q in code.lower():
            return 1
    return 0
