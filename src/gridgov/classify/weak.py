"""Distant supervision from the government's replies: the answering department names the class.

A reply in 附件4 usually names who answered or who the message was passed to (市教育局, 县人社局, 区住建局 …).
``DEPARTMENTS`` maps each department's name stem to a first-level class (TipDM / 12345 codes H01–H07) and,
where the department is that narrow, a second-level code. Departments whose work spans classes outside these
seven (公安, 自然资源, 发改, 信访 …) map to nothing, so their replies give no label rather than a wrong one.

``weak_label(reply)`` counts department mentions per class, mentions near the end (the signature) count
three times, and a label is given only when one class has at least ``margin`` times the weight of the next.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

# stem → (first-level code, second-level code or ""). Longer stems are tried first, so 市场监督管理局 wins
# over a bare 管理局; every stem ends in what makes it a department (局/委/厅/中心/大队/公司 …).
DEPARTMENTS: dict[str, tuple[str, str]] = {
    # H01 城乡建设: housing, construction, city management, planning, utilities, work safety
    "住房和城乡建设": ("H01", ""),
    "住建局": ("H01", ""),
    "住建委": ("H01", ""),
    "城乡建设局": ("H01", ""),
    "城乡建设委员会": ("H01", ""),
    "建设局": ("H01", ""),
    "建委": ("H01", ""),
    "城管局": ("H01", ""),
    "城管执法": ("H01", ""),
    "城市管理和行政执法局": ("H01", ""),
    "城市管理局": ("H01", ""),
    "城乡规划局": ("H01", "H0101"),
    "规划局": ("H01", "H0101"),
    "规划分局": ("H01", "H0101"),
    "住房保障": ("H01", ""),
    "房产局": ("H01", ""),
    "房产管理局": ("H01", ""),
    "房屋征收": ("H01", "H0102"),
    "征收办": ("H01", "H0102"),
    "征地拆迁": ("H01", "H0102"),
    "棚改办": ("H01", "H0107"),
    "物管办": ("H01", ""),
    "物业办": ("H01", ""),
    "水务局": ("H01", ""),
    "自来水公司": ("H01", ""),
    "供水公司": ("H01", ""),
    "燃气公司": ("H01", ""),
    "供电公司": ("H01", ""),
    "供电局": ("H01", ""),
    "园林局": ("H01", ""),
    "市政局": ("H01", ""),
    "安监局": ("H01", ""),
    "安全生产监督管理局": ("H01", ""),
    "应急管理局": ("H01", ""),
    # H02 环境保护
    "环保局": ("H02", ""),
    "环境保护局": ("H02", ""),
    "生态环境局": ("H02", ""),
    "生态环境分局": ("H02", ""),
    "环境保护厅": ("H02", ""),
    "生态环境厅": ("H02", ""),
    "环境监察": ("H02", ""),
    "环保执法": ("H02", ""),
    # H03 交通运输
    "交通运输局": ("H03", ""),
    "交通运输厅": ("H03", ""),
    "交通局": ("H03", ""),
    "运管处": ("H03", ""),
    "运输管理处": ("H03", ""),
    "道路运输管理": ("H03", "H0305"),
    "公路局": ("H03", "H0307"),
    "公路管理局": ("H03", "H0307"),
    "邮政管理局": ("H03", "H0311"),
    "公交公司": ("H03", "H0301"),
    "公交集团": ("H03", "H0301"),
    "出租车管理": ("H03", "H0302"),
    "客运管理": ("H03", "H0305"),
    # H04 教育文体
    "教育局": ("H04", ""),
    "教育厅": ("H04", ""),
    "教育委员会": ("H04", ""),
    "教体局": ("H04", ""),
    "教育和体育局": ("H04", ""),
    "教育体育局": ("H04", ""),
    "招生考试": ("H04", "H0408"),
    "考试院": ("H04", "H0408"),
    "体育局": ("H04", "H0412"),
    "文物局": ("H04", "H0413"),
    "文化局": ("H04", ""),
    "文体局": ("H04", ""),
    "文广新局": ("H04", ""),
    # H05 劳动和社会保障 (TipDM files medical insurance under it)
    "人力资源和社会保障": ("H05", ""),
    "人社局": ("H05", ""),
    "人社厅": ("H05", ""),
    "人才与人力资源局": ("H05", ""),
    "社保局": ("H05", ""),
    "社保中心": ("H05", ""),
    "社会保险": ("H05", ""),
    "社保处": ("H05", ""),
    "劳动保障监察": ("H05", "H0501"),
    "劳动监察": ("H05", "H0501"),
    "劳动人事争议仲裁": ("H05", "H0503"),
    "就业服务": ("H05", "H0509"),
    "医疗保障局": ("H05", "H0507"),
    "医保局": ("H05", "H0507"),
    "医保中心": ("H05", "H0507"),
    "医疗保险": ("H05", "H0507"),
    "养老保险": ("H05", "H0504"),
    # H06 商贸旅游: trade, market supervision, tourism
    "商务局": ("H06", ""),
    "商务厅": ("H06", ""),
    "市场监督管理局": ("H06", ""),
    "市场监督管理分局": ("H06", ""),
    "市场监管局": ("H06", ""),
    "工商局": ("H06", ""),
    "工商分局": ("H06", ""),
    "工商行政管理局": ("H06", ""),
    "质监局": ("H06", ""),
    "质量技术监督局": ("H06", ""),
    "旅游局": ("H06", "H0601"),
    "旅游发展委员会": ("H06", "H0601"),
    "旅发委": ("H06", "H0601"),
    "物价局": ("H06", ""),
    "价格监督": ("H06", ""),
    # H07 卫生计生
    "卫生健康委": ("H07", ""),
    "卫生健康局": ("H07", ""),
    "卫健委": ("H07", ""),
    "卫健局": ("H07", ""),
    "卫计委": ("H07", ""),
    "卫计局": ("H07", ""),
    "卫生和计划生育": ("H07", ""),
    "卫生局": ("H07", ""),
    "卫生厅": ("H07", ""),
    "计生局": ("H07", ""),
    "计生委": ("H07", ""),
    "人口和计划生育": ("H07", ""),
    "食品药品监督": ("H07", ""),
    "食药监": ("H07", ""),
    "疾病预防控制中心": ("H07", ""),
    "疾控中心": ("H07", ""),
    "卫生监督": ("H07", ""),
}

SIGNATURE_CHARS = 60  # the tail of a reply where the answering body signs
SIGNATURE_WEIGHT = 3.0
MARGIN = 2.0

_PATTERN = re.compile("|".join(re.escape(s) for s in sorted(DEPARTMENTS, key=len, reverse=True)))


@dataclass(frozen=True)
class WeakLabel:
    """A class read off a reply: ``label`` (H01–H07), ``sub`` (second level or ""), the stems that voted."""

    label: str
    sub: str
    weight: float
    departments: tuple[str, ...]


def mentions(reply: str) -> list[tuple[str, float]]:
    """Department stems in a reply with their weights (signature mentions weigh ``SIGNATURE_WEIGHT``)."""
    text = unicodedata.normalize("NFKC", reply or "")
    tail_start = max(len(text) - SIGNATURE_CHARS, 0)
    return [(m.group(0), SIGNATURE_WEIGHT if m.start() >= tail_start else 1.0) for m in _PATTERN.finditer(text)]


def weak_label(reply: str, margin: float = MARGIN) -> WeakLabel | None:
    """The class the answering departments point to, or None when none is named or two classes compete."""
    votes: dict[str, float] = defaultdict(float)
    subs: dict[str, float] = defaultdict(float)
    stems: dict[str, list[str]] = defaultdict(list)
    for stem, weight in mentions(reply):
        label, sub = DEPARTMENTS[stem]
        votes[label] += weight
        stems[label].append(stem)
        if sub:
            subs[sub] += weight
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    best, weight = ranked[0]
    if len(ranked) > 1 and weight < margin * ranked[1][1]:
        return None
    sub_ranked = sorted(((s, w) for s, w in subs.items() if s.startswith(best)), key=lambda kv: (-kv[1], kv[0]))
    sub = sub_ranked[0][0] if sub_ranked else ""
    return WeakLabel(best, sub, weight, tuple(dict.fromkeys(stems[best])))
