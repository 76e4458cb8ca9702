"""Rule classifier from category keywords: the fallback when no trained model is present.

Keywords per first-level category come from the shipped 12345 taxonomy (the first-level name and
its second-level names, cut into words) plus a small hand-written table for H01–H07, the classes of
the TipDM training data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from gridgov.classify import text as textmod
from gridgov.classify.ports import Prediction

VERSION = "keywords-v1"
FALLBACK_LABEL = "H99"

# Hand-written, deliberately short: typical words of citizen messages for each class.
HAND_KEYWORDS: dict[str, tuple[str, ...]] = {
    "H01": (
        "小区",
        "物业",
        "开发商",
        "施工",
        "拆迁",
        "征收",
        "违建",
        "违章建筑",
        "房屋",
        "业主",
        "道路",
        "路灯",
        "自来水",
        "停水",
        "燃气",
        "供暖",
        "规划",
        "安置房",
        "棚改",
        "工地",
        "房产",
        "楼盘",
        "电梯",
    ),
    "H02": (
        "污染",
        "噪音",
        "噪声",
        "扰民",
        "排放",
        "粉尘",
        "扬尘",
        "异味",
        "臭味",
        "垃圾焚烧",
        "污水",
        "废气",
        "环保",
        "环评",
        "排污",
        "油烟",
        "辐射",
        "砂石",
        "化工厂",
    ),
    "H03": (
        "公交",
        "出租车",
        "的士",
        "网约车",
        "地铁",
        "高铁",
        "车站",
        "客运",
        "驾校",
        "快递",
        "交通",
        "路线",
        "线路",
        "班次",
        "司机",
        "滴滴",
        "停车场",
        "货车",
        "运输",
    ),
    "H04": (
        "学校",
        "学生",
        "教师",
        "老师",
        "幼儿园",
        "中学",
        "小学",
        "大学",
        "教育",
        "招生",
        "入学",
        "学费",
        "补课",
        "培训",
        "学位",
        "考试",
        "体育",
        "图书馆",
        "文化",
    ),
    "H05": (
        "社保",
        "养老",
        "养老金",
        "退休",
        "工资",
        "拖欠",
        "劳动",
        "就业",
        "失业",
        "公积金",
        "职工",
        "工龄",
        "社会保险",
        "人社",
        "编制",
        "工伤",
        "农民工",
        "医保",
        "待遇",
    ),
    "H06": (
        "商家",
        "商户",
        "超市",
        "餐馆",
        "消费者",
        "退款",
        "旅游",
        "景区",
        "酒店",
        "传销",
        "市场",
        "经营",
        "商铺",
        "加盟",
        "价格",
        "收费",
        "预付卡",
        "电商",
    ),
    "H07": (
        "医院",
        "医生",
        "护士",
        "患者",
        "病人",
        "医疗",
        "卫生",
        "诊所",
        "药品",
        "疫苗",
        "计生",
        "生育",
        "二胎",
        "独生子女",
        "手术",
        "治疗",
        "医保报销",
        "计划生育",
        "卫健委",
    ),
}


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    parent_code: str


def read_taxonomy(name: str = "hotline12345.csv") -> list[Category]:
    """Rows of a shipped taxonomy CSV from ``gridgov/categories/data``."""
    ref = resources.files("gridgov.categories") / "data" / name
    text = ref.read_text(encoding="utf-8-sig")
    return [Category(r["code"], r["name"], r["parent_code"]) for r in csv.DictReader(io.StringIO(text, newline=""))]


def taxonomy_keywords(categories: Sequence[Category], labels: Iterable[str] | None = None) -> dict[str, set[str]]:
    """First-level code → keywords cut from its own and its children's names (words of ≥ 2 characters)."""
    wanted = set(labels) if labels is not None else {c.code for c in categories if not c.parent_code}
    out: dict[str, set[str]] = {code: set() for code in wanted}
    for cat in categories:
        root = cat.parent_code or cat.code
        while root not in wanted and len(root) > 3:
            root = root[:-2]
        if root not in wanted:
            continue
        name = textmod.normalise(cat.name)
        out[root].add(name)
        out[root].update(w for w in textmod.words(name) if len(w) >= 2)
    out.pop(FALLBACK_LABEL, None)
    return out


class KeywordClassifier:
    """Counts keyword occurrences per category; title hits count twice. Confidence is the winner's share."""

    def __init__(
        self,
        keywords: Mapping[str, Iterable[str]],
        label_names: Mapping[str, str] | None = None,
        fallback_label: str = FALLBACK_LABEL,
        version: str = VERSION,
    ) -> None:
        self.keywords = {label: tuple(sorted({k for k in kws if k})) for label, kws in keywords.items()}
        self.label_names = dict(label_names or {})
        self.fallback_label = fallback_label
        self.version = version

    @classmethod
    def from_taxonomy(cls, labels: Iterable[str] | None = None, extra: bool = True) -> KeywordClassifier:
        cats = read_taxonomy()
        kws: dict[str, set[str]] = taxonomy_keywords(cats, labels)
        if extra:
            for label, words in HAND_KEYWORDS.items():
                if label in kws:
                    kws[label].update(words)
        names = {c.code: c.name for c in cats if not c.parent_code}
        return cls(kws, names)

    def scores(self, text: str) -> dict[str, float]:
        norm = textmod.normalise(text)
        title = norm.split("\n", 1)[0] if "\n" in (text or "") else ""
        return {label: float(sum(norm.count(k) + title.count(k) for k in kws)) for label, kws in self.keywords.items()}

    def predict(self, text: str) -> Prediction:
        scores = self.scores(text)
        total = sum(scores.values())
        if total <= 0:
            return Prediction(self.fallback_label, 0.0, self.version, "keywords", ((self.fallback_label, 0.0),))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        top = tuple((label, round(s / total, 4)) for label, s in ranked if s > 0)
        return Prediction(top[0][0], top[0][1], self.version, "keywords", top)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        return [self.predict(t) for t in texts]
