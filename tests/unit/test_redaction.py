"""Personal data out of public free text (gridgov.redact): a table of cases that must and must not be masked,
and the real citizen messages of tipdm 2020 C, counted, with an independent check that no phone or identity
number is left afterwards."""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter

import pytest

from gridgov.redact import id_check_digit, is_id_number, redact, scan

from conftest import shared_data


def _id(first17: str) -> str:
    return first17 + id_check_digit(first17)


GOOD_ID = _id("41010519900307123")  # 郑州金水区, born 1990-03-07
WRONG_CHECK = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")

MASKED = [
    ("我叫王小明 电话 13912345678", "我叫*** 电话 ***"),
    ("手机139-1234-5678请回电", "手机***请回电"),
    ("联系 139 1234 5678", "联系 ***"),
    ("+86 13912345678", "***"),
    ("+86-139-1234-5678。", "***。"),
    ("8613912345678", "***"),
    ("座机0371-67123456", "座机***"),
    ("座机037167123456", "座机***"),
    ("(0371)67123456转8001", "***"),
    ("北京010-81234567", "北京***"),
    ("广州 020 38123456", "广州 ***"),
    (f"身份证{GOOD_ID}", "身份证***"),
    (f"身份证号:{_id('11010519491231002')}", "身份证号:***"),  # the check digit X
    ("老身份证410105900307123", "老身份证***"),
    ("邮箱 wang.xm@example.com.cn 谢谢", "邮箱 *** 谢谢"),
    ("联系人：李四，电话0371-6712345", "联系人：***，电话***"),
    ("联系人张三电话13812345678", "联系人***电话***"),
    ("本人邹伏生反映小区噪音", "本人***反映小区噪音"),
    ("姓名：何艳银，住金水路", "姓名：***，住金水路"),
    ("姓名:Alice", "姓名:Alice"),  # a Latin name is not a Han name
    ("投诉人欧阳倩广投诉", "投诉人欧阳倩广投诉"),  # no cue: not taken
    ("我叫欧阳倩广", "我叫***"),
]

KEPT = [
    "订单号 1391234567890123456",  # a 19-digit number is not an ID and holds no phone
    f"编号{GOOD_ID}9",  # 19 digits again
    f"身份证{WRONG_CHECK}",  # a wrong check digit
    "身份证410105199013071231",  # month 13: no real birth date
    "2025年10月1日 20251001 起",  # a date
    "每吨4.23元，共13912元，折合1391234元",  # prices
    "12345热线、12319城建热线",
    "电话0000-00000000 (已匿名)",  # an anonymised number
    "本人家住金水路",  # 本人 + not a name
    "本人申请复议",
    "联系人均为虚假",
    "我叫停车场的人来",
    "20190312 1234567",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_what_only_looks_like_personal_data_is_kept(text: str) -> None:
    assert redact(text) == text, scan(text)


def test_the_check_digit_is_gb_11643() -> None:
    assert id_check_digit("11010519491231002") == "X"  # the standard's own example
    assert is_id_number("11010519491231002X") and is_id_number("11010519491231002x")
    assert not is_id_number("110105194912310021")
    assert redact(None) is None


# -- real citizen messages ---------------------------------------------------------------------------------
FILES = ("附件3_full_likes.csv", "附件4_full_replies.csv", "测试数据_unlabeled.csv", "labeled_train.csv")
TEXT_COLUMNS = ("留言主题", "留言详情", "答复意见")
_DIGIT_RUN = re.compile(r"\+?\d[\d \-()（）]*\d")


def _left_over(text: str) -> list[str]:
    """An independent, simpler check: every run of digits (with spaces, dashes and brackets inside), stripped
    of those, that is a mobile number, a landline with an area code, or an 18/15-digit number with a
    valid date and check digit."""
    out = []
    for run in _DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        for candidate in {digits, digits.removeprefix("86")}:
            mobile = re.fullmatch(r"1[3-9]\d{9}", candidate)
            landline = re.fullmatch(r"0(10|2\d|[3-9]\d\d)[2-9]\d{6,7}", candidate)
            if mobile or landline or is_id_number(candidate):
                out.append(run)
    return out


def _messages() -> list[str]:
    texts = []
    for name in FILES:
        with shared_data("tipdm2020c", name).open(encoding="utf-8-sig") as fh:
            texts += [r[c] for r in csv.DictReader(fh) for c in TEXT_COLUMNS if r.get(c)]
    return texts


def test_real_messages_keep_no_phone_or_id_number() -> None:
    """tipdm 2020 C (问政西地省; place names and user ids anonymised by the organisers, the texts themselves
    not): every text column of every file. Printed: what was found and masked, by kind."""
    texts = _messages()
    found: Counter[str] = Counter()
    before = after = 0
    for text in texts:
        found.update(f.kind for f in scan(text))
        before += len(_left_over(text))
        clean = redact(text) or ""
        left = _left_over(clean)
        assert not left, (left, clean[:200])
        after += len(left)
    sys.stdout.write(
        f"\ntipdm2020c: {len(texts)} texts; masked mobile {found['mobile']}, landline {found['landline']}, "
        f"id {found['id']}, email {found['email']}, name {found['name']}; "
        f"simple check finds {before} before, {after} after\n"
    )
    assert found["mobile"] + found["landline"] + found["id"] >= before > 0
