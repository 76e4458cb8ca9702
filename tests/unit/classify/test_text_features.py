"""The fast feature path gives exactly the features of the plain one (the model's vocabulary keys depend on it):
the reference below is the straightforward version, compared on tricky texts and, when present, on every real
message of ../shared/data/tipdm2020c."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
import rjieba

from gridgov.classify import text as textmod

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "tipdm2020c"


def reference_normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = textmod._URL.sub(" ", text)
    text = textmod._EMAIL.sub(" ", text)
    text = textmod._PHONE.sub(" ", text)
    return textmod._SPACE.sub(" ", text.lower()).strip()


def reference_features(text: str) -> list[str]:
    norm = reference_normalise(text)
    ws = []
    for tok in rjieba.cut(norm):
        tok = tok.strip()
        if not tok or tok in textmod.STOPWORDS or textmod._PUNCT.match(tok) or textmod._DIGITS.fullmatch(tok):
            continue
        ws.append(tok)
    out = ["w:" + w for w in ws] + ["w:" + a + " " + b for a, b in zip(ws, ws[1:], strict=False)]
    for run in re.split(r"[\W_]+", textmod._DIGITS.sub("0", norm)):
        for n in range(1, 4):
            out.extend("c:" + run[i : i + n] for i in range(len(run) - n + 1))
    return out


TRICKY = [
    "",
    "   ",
    "ＡＢＣ全角字母１２３和全角＠符号：ｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "联系电话13912345678，座机0371-12345678，邮箱 wang.xm+1@qq.com 网址 https://x.cn/a?b=1 www.zz.gov.cn",
    "小区物业乱收费\n小区物业公司乱收物业费！！！ 2020年3月5日，A市A1区，第12栋",
    "ﬁ ligature ① circled ㈱ and 　ideographic space\u3000end",
    "的了是 我们 请问 123 456 ___ --- 。。。",
]


def test_fast_features_equal_the_reference_on_tricky_texts() -> None:
    for text in TRICKY:
        assert textmod.normalise(text) == reference_normalise(text)
        assert textmod.features(text) == reference_features(text)
        assert textmod.features(text) == reference_features(text)  # the token cache answers the same


def test_fast_features_equal_the_reference_on_every_real_message() -> None:
    files = sorted(SHARED.glob("*.csv")) if SHARED.exists() else []
    if not files:
        pytest.skip(f"../shared/data/tipdm2020c not present ({SHARED})")
    n = 0
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text = textmod.join_fields([row.get("留言主题"), row.get("留言详情")])
                assert textmod.features(text) == reference_features(text), (path.name, n)
                n += 1
    assert n > 1000
