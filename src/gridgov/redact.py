"""Personal data out of free text that the public reads (PIPL): pure, stdlib only.

`redact(text)` masks into ``***``:

- mainland mobile numbers: 11 digits ``1[3-9]x…``, optionally after ``+86``/``86``, with spaces or dashes
  between the 3-4-4 groups;
- landlines: an area code (``010``, ``02x`` or ``0xxx``, optionally in brackets) and a 7–8 digit local number
  that starts with 2–9, with or without the dash, and an optional extension;
- resident identity numbers: 18 digits whose birth date is a real date and whose check digit is right
  (GB 11643, ISO 7064 MOD 11-2), and the old 15-digit numbers with a real birth date;
- e-mail addresses;
- a name after a cue (我叫, 本人, 联系人, 姓名：): 2–4 Han characters starting with a common surname (after
  ``姓名：`` any 2–4 Han characters), cut before words that follow names (电话, 反映, 的 …).

A number is only taken whole: a digit right before or after it means it is something else (a 19-digit
number, an order number), so nothing inside a longer run of digits is masked. Dates such as 20251001 and
prices are not phone numbers. `scan(text)` gives what was found, by kind, for counting.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

MASK = "***"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_id_number(value: str) -> bool:
    """An 18-digit number with a real birth date (1900 on) and the right check digit, or a 15-digit old one."""
    if len(value) == 18 and value[:17].isdigit():
        year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
        return (
            value[0] != "0"
            and 1900 <= year <= 2099
            and _real_date(year, month, day)
            and id_check_digit(value[:17]) == value[17].upper()
        )
    if len(value) == 15 and value.isdigit():
        return value[0] != "0" and _real_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    return False


_ID = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_SEP = r"[ \t\-－–—]{0,3}"  # what people type between groups: spaces, dashes, "-- "
_MOBILE = re.compile(rf"(?<![\d+])(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")
_AREA = r"0(?:10|2\d|[3-9]\d{2})"
_LANDLINE = re.compile(rf"(?<!\d)(?:\({_AREA}\)|（{_AREA}）|{_AREA}){_SEP}[2-9]\d{{6,7}}(?:(?:-|转)\d{{1,5}})?(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# common surnames (百家姓, the ones that cover nearly all of the population), compound ones first
_COMPOUND = "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 尉迟 公孙 夏侯 长孙 宇文 司徒 端木 独孤 南宫 西门 澹台 呼延"
_SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康"
    "施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
    "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝谈"
)
# surnames that are also everyday words right after 本人 (本人于今年…, 本人申请…, 本人家住…): not taken there
_AMBIGUOUS_AFTER_BENREN = set(
    "于申上家山常时和能向从都全明成文安连应师商车简路古吉农尚宁包曾房费关付查严辛陆万党符施钱左"
)
_STOP_WORDS = (
    "电话|手机|号码|联系|反映|投诉|举报|家住|住在|居住|身份|先生|女士|同志|老师|师傅|小姐|现年|今年|年龄|性别|实名|来自|主任|"
    "的|是|在|于|因|系|说|称|向|对|被|把|给|让|将|也|都|就|已|从|请|要|想|与|及|等|今|现"
)
_HAN = "[\u4e00-\u9fff]"
_NAME_CHAR = rf"(?:(?!{_STOP_WORDS}){_HAN})"


def _surname_alternation(exclude: set[str]) -> str:
    compound = "|".join(_COMPOUND.split())
    single = "".join(ch for ch in _SINGLE if ch not in exclude)
    return rf"(?:{compound}|[{single}])"


def _name_after(cue: str, surnames: str) -> str:
    return rf"(?<={cue})([:：\s]*)({surnames}{_NAME_CHAR}{{1,3}})"


_SURNAME = _surname_alternation(set())
_NAMES = [
    re.compile(_name_after("我叫", _SURNAME)),
    re.compile(_name_after("联系人", _SURNAME)),
    re.compile(_name_after("本人", _surname_alternation(_AMBIGUOUS_AFTER_BENREN))),
    re.compile(rf"(?<=姓名)([:：]\s*)({_NAME_CHAR}{{2,4}})"),
]


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # id | mobile | landline | email | name
    text: str


def _ids(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "id") for m in _ID.finditer(text) if is_id_number(m.group())]


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Every personal-data span (start, end, kind), earliest first, overlapping ones dropped."""
    found = _ids(text)
    found += [(m.start(), m.end(), "mobile") for m in _MOBILE.finditer(text)]
    found += [(m.start(), m.end(), "landline") for m in _LANDLINE.finditer(text)]
    found += [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    for pattern in _NAMES:
        found += [(m.start(2), m.end(2), "name") for m in pattern.finditer(text)]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def scan(text: str) -> list[Found]:
    """What `redact` would mask, in order."""
    return [Found(kind, text[a:b]) for a, b, kind in _spans(text)]


def counts(text: str) -> Counter[str]:
    return Counter(f.kind for f in scan(text))


def redact(text: str | None) -> str | None:
    """The text with every personal-data span replaced by ``***`` (None stays None)."""
    if not text:
        return text
    spans = _spans(text)
    if not spans:
        return text
    out: list[str] = []
    at = 0
    for a, b, _ in spans:
        out.append(text[at:a])
        out.append(MASK)
        at = b
    out.append(text[at:])
    return "".join(out)


def redact_text(text: str) -> str:
    """`redact` for a value that is always a string."""
    return redact(text) or ""
