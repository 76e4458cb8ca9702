"""Second-level 12345 categories: proposed where the taxonomy's phrases allow it, with their own confidence.

No labelled message carries a second-level label, so this is not learned from labels. Each 12345 second-level
category is described by the words of its name and by phrases of the TipDM taxonomy (附件1's 二级/三级分类,
worded as citizens write) and of the department table in ``weak``. A message's first-level class (the model's
proposal) limits the candidates to the second-level categories that class can stand for in 12345:
TipDM's 城乡建设 covers 12345's 城乡建设, 住房保障与物业管理, 水电气热, 城市管理 and 安全生产; 商贸旅游 covers
商贸旅游 and 市场监管. Scores count keyword occurrences (the title counts twice), the proposal is the best
candidate, and its confidence is its share of the candidates' scores. Without a keyword hit nothing is
proposed: the first level stands alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from gridgov.classify import text as textmod
from gridgov.classify.keywords import Category, read_taxonomy

VERSION = "second-level-keywords-v1"

# TipDM first-level class → 12345 first-level codes whose children it can stand for
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "H01": ("H01", "H09", "H10", "H15", "H16"),
    "H02": ("H02",),
    "H03": ("H03",),
    "H04": ("H04",),
    "H05": ("H05",),
    "H06": ("H06", "H08"),
    "H07": ("H07",),
}

# second-level code → phrases as messages word them (附件1 third-level names where they fit, plus common words)
PHRASES: dict[str, tuple[str, ...]] = {
    "H0101": ("规划", "容积率", "挡光", "规划设计", "规划方案", "控规", "规划局"),
    "H0102": ("拆迁", "征收", "征地", "安置补偿", "回迁", "补偿款", "安置房"),
    "H0103": ("工程质量", "质量问题", "墙体开裂", "裂缝", "渗水", "漏水"),
    "H0104": ("施工", "工地", "施工安全", "围挡", "夜间施工"),
    "H0105": ("工程款", "拖欠工程款", "招投标", "资质", "包工头"),
    "H0106": ("危房", "房屋安全", "鉴定"),
    "H0107": ("棚改", "棚户区", "城中村"),
    "H0108": ("老旧小区", "提质改造", "加装电梯"),
    "H0109": ("新农村", "村镇建设", "农村建房", "宅基地"),
    "H0110": ("历史名城", "历史建筑", "古建筑"),
    "H0111": ("管线", "管网", "地下管道"),
    "H0901": ("物业", "物业费", "物业公司", "物业服务", "物管"),
    "H0902": ("维修基金", "维修资金"),
    "H0903": ("业委会", "业主大会", "业主委员会"),
    "H0904": ("保障房", "公租房", "廉租房", "经适房", "保障性住房", "人才公寓"),
    "H0905": ("交房", "延期交房", "开发商", "楼盘", "精装", "预售", "烂尾"),
    "H0906": ("房产证", "不动产", "产权证", "办证", "网签"),
    "H0907": ("租房", "租赁", "房东", "群租"),
    "H0908": ("中介",),
    "H0909": ("公积金",),
    "H0910": ("电梯维保", "电梯故障", "电梯"),
    "H1001": ("停水",),
    "H1002": ("水质", "水压", "自来水"),
    "H1003": ("水管爆裂", "爆管"),
    "H1004": ("水费", "用水", "供水"),
    "H1005": ("停电",),
    "H1006": ("电线", "变压器", "电力设施", "高压线"),
    "H1007": ("电费", "用电", "供电"),
    "H1008": ("燃气泄漏", "漏气"),
    "H1009": ("停气",),
    "H1010": ("燃气", "天然气", "煤气"),
    "H1011": ("供暖", "暖气", "采暖"),
    "H1013": ("供热", "取暖费"),
    "H1501": ("违建", "违章建筑", "违法建设", "私搭乱建", "搭建"),
    "H1502": ("占道", "摆摊", "流动摊贩", "夜市", "占道经营"),
    "H1503": ("广告牌", "招牌", "户外广告"),
    "H1504": ("垃圾", "垃圾站", "清运"),
    "H1505": ("垃圾分类",),
    "H1506": ("厕所", "公厕"),
    "H1507": ("油烟",),
    "H1508": ("绿化", "树木", "绿地", "园林"),
    "H1509": ("公园",),
    "H1510": ("市政", "人行道", "井盖", "道路破损", "修路", "基础设施", "路面"),
    "H1511": ("路灯",),
    "H1512": ("渣土车", "渣土"),
    "H1513": ("内涝", "积水", "排水"),
    "H1601": ("安全隐患", "安全生产", "事故"),
    "H1602": ("危险化学品", "危化品"),
    "H1607": ("消防通道", "消防"),
    "H1608": ("电动车充电", "充电"),
    "H0201": ("废气", "大气污染", "空气污染", "烟尘"),
    "H0202": ("污水", "水污染", "排污", "河道", "黑臭"),
    "H0203": ("工厂噪音", "机器噪音", "工业噪声"),
    "H0204": ("噪音扰民", "广场舞", "噪音", "扰民"),
    "H0205": ("施工噪音", "夜间施工"),
    "H0206": ("固体废物", "危险废物", "废渣", "垃圾填埋"),
    "H0207": ("辐射", "基站", "电磁"),
    "H0208": ("土壤",),
    "H0209": ("环评", "未批先建", "未验先用"),
    "H0210": ("秸秆", "焚烧"),
    "H0211": ("扬尘", "粉尘", "灰尘", "搅拌站"),
    "H0212": ("异味", "臭味", "恶臭", "气味"),
    "H0301": ("公交", "公交车", "公交线路", "站台", "班次"),
    "H0302": ("出租车", "的士", "拒载"),
    "H0303": ("网约车", "滴滴", "快车"),
    "H0304": ("地铁", "轻轨", "城铁", "轨道交通"),
    "H0305": ("客运", "大巴", "汽车站", "班车", "黑车"),
    "H0306": ("货运", "物流", "货车", "超载"),
    "H0307": ("公路", "高速", "收费站", "路政"),
    "H0308": ("驾校", "驾考", "驾驶培训", "维修厂"),
    "H0309": ("共享单车",),
    "H0310": ("停车", "停车场", "停车位", "车位"),
    "H0311": ("快递", "邮政", "邮件", "包裹"),
    "H0312": ("农村公路", "村道", "通村"),
    "H0401": ("幼儿园", "学前", "托儿所"),
    "H0402": ("入学", "学位", "划片", "小升初", "就近入学", "择校", "读书"),
    "H0403": ("乱收费", "学费", "收费", "资料费"),
    "H0404": ("培训机构", "补课", "辅导班", "培训班"),
    "H0405": ("体罚", "师德", "老师打"),
    "H0406": ("教师待遇", "教师工资", "代课教师", "民办教师", "职称", "绩效工资", "特岗"),
    "H0407": ("校园安全", "校园周边", "校车"),
    "H0408": ("招生", "考试", "中考", "高考", "录取", "学籍", "异地高考"),
    "H0409": ("职业教育", "职校", "中职", "技校"),
    "H0410": ("助学金", "资助", "贫困生", "助学贷款"),
    "H0411": ("网吧", "文化市场", "娱乐场所", "ktv"),
    "H0412": ("体育", "健身", "运动场", "球场", "体育馆"),
    "H0413": ("文物",),
    "H0414": ("广播", "电视", "有线电视"),
    "H0415": ("图书馆", "文化馆", "公共文化", "非遗"),
    "H0501": ("拖欠工资", "欠薪", "讨薪", "工资未发", "拖欠"),
    "H0502": ("劳动合同", "辞退", "解除劳动", "加班", "劳务派遣", "非法用工"),
    "H0503": ("劳动仲裁", "仲裁"),
    "H0504": ("养老保险", "养老金", "社保", "缴费年限"),
    "H0505": ("失业金", "失业保险"),
    "H0506": ("工伤",),
    "H0507": ("医保", "医疗保险", "新农合", "合作医疗"),
    "H0508": ("生育保险", "生育津贴"),
    "H0509": ("就业", "创业", "招聘", "再就业"),
    "H0510": ("职业技能", "技能培训", "技能鉴定"),
    "H0511": ("退休", "退休金", "退休待遇", "提前退休", "内退"),
    "H0512": ("社保卡",),
    "H0513": ("编制", "人事", "人才引进", "事业单位", "职称评定", "档案"),
    "H0601": ("旅游投诉", "旅游"),
    "H0602": ("旅行社", "导游"),
    "H0603": ("景区", "门票", "景点"),
    "H0604": ("酒店", "宾馆", "民宿"),
    "H0605": ("超市", "商场", "商店"),
    "H0606": ("预付卡", "会员卡", "充值", "办卡", "健身卡"),
    "H0607": ("餐馆", "餐饮", "饭店", "外卖"),
    "H0608": ("加油站", "成品油"),
    "H0609": ("批发市场", "商品市场", "市场管理"),
    "H0610": ("农贸市场", "菜市场"),
    "H0611": ("家政", "保姆", "月嫂"),
    "H0801": ("食品安全", "食品", "过期"),
    "H0802": ("产品质量", "假冒", "质量问题"),
    "H0803": ("价格", "物价", "涨价", "乱收费"),
    "H0804": ("消费者", "退款", "消费纠纷", "退货"),
    "H0805": ("网购", "网店", "电商"),
    "H0806": ("虚假广告", "广告"),
    "H0807": ("无照经营", "营业执照", "传销", "非法经营"),
    "H0808": ("计量", "缺斤短两"),
    "H0810": ("特种设备",),
    "H0811": ("商标", "知识产权", "专利"),
    "H0812": ("药品", "医疗器械", "保健品"),
    "H0813": ("化妆品",),
    "H0701": ("医院", "医生", "护士", "服务态度", "看病", "挂号"),
    "H0702": ("医疗事故", "医患", "医疗纠纷", "误诊"),
    "H0703": ("医疗收费", "医药费", "过度医疗", "乱收费"),
    "H0704": ("报销", "医保报销"),
    "H0705": ("传染病", "疫情", "疾控", "防疫", "艾滋", "结核"),
    "H0706": ("疫苗", "接种", "预防针"),
    "H0707": ("计生", "计划生育", "生育", "二胎", "独生子女", "准生证", "失独", "社会抚养费"),
    "H0708": ("非法行医", "黑诊所", "无证行医"),
    "H0709": ("120", "急救"),
    "H0710": ("卫生院", "诊所", "卫生室", "医疗机构"),
    "H0711": ("职业病", "尘肺"),
    "H0712": ("老鼠", "蚊子", "蟑螂", "病媒"),
}


@dataclass(frozen=True)
class SubProposal:
    code: str
    name: str
    confidence: float
    version: str = VERSION


class SecondLevel:
    """Keyword scorer over the 12345 second-level categories compatible with a first-level class."""

    def __init__(self, keywords: Mapping[str, Iterable[str]], names: Mapping[str, str]) -> None:
        self.keywords = {
            code: tuple(sorted({textmod.normalise(k) for k in kws if k})) for code, kws in keywords.items()
        }
        self.names = dict(names)
        self._candidates: dict[str, list[str]] = {}

    @classmethod
    def from_taxonomy(cls, categories: Iterable[Category] | None = None) -> SecondLevel:
        cats = list(categories) if categories is not None else read_taxonomy()
        kws: dict[str, set[str]] = {}
        wanted = {p for ps in COMPATIBLE.values() for p in ps}
        children = [c for c in cats if c.parent_code in wanted]
        words = {c.code: {w for w in textmod.words(textmod.normalise(c.name)) if len(w) >= 2} for c in children}
        shared = Counter(w for ws in words.values() for w in ws)
        for c in children:
            # a word of several names (建筑, 市场, 管理, 服务 …) tells the candidates apart from none of them
            own = {w for w in words[c.code] if shared[w] == 1}
            kws[c.code] = {textmod.normalise(c.name), *own, *PHRASES.get(c.code, ())}
        return cls(kws, {c.code: c.name for c in cats})

    def candidates(self, first: str) -> list[str]:
        found = self._candidates.get(first)
        if found is None:
            parents = COMPATIBLE.get(first, (first,))
            found = self._candidates[first] = [code for code in self.keywords if code[:3] in parents]
        return found

    def scores(self, text: str, first: str) -> dict[str, float]:
        """Occurrences of each candidate's keywords in the text, the title's counted twice.

        A keyword of two or more characters can occur only where its first two characters do, so the text's
        set of character pairs is built once and ``str.count`` runs only for keywords whose first pair is in it:
        the same counts as counting every keyword, at a fraction of the cost (most keywords are absent)."""
        norm = textmod.normalise(text)
        title = norm.split("\n", 1)[0] if "\n" in (text or "") else ""
        pairs = {norm[i : i + 2] for i in range(len(norm) - 1)}
        out: dict[str, float] = {}
        for code in self.candidates(first):
            n = 0
            for k in self.keywords[code]:
                if len(k) < 2 or k[:2] in pairs:
                    n += norm.count(k) + title.count(k)
            out[code] = float(n)
        return out

    def propose(self, text: str, first: str) -> SubProposal | None:
        scores = {c: s for c, s in self.scores(text, first).items() if s > 0}
        if not scores:
            return None
        best = max(sorted(scores), key=lambda c: scores[c])
        return SubProposal(best, self.names.get(best, best), round(scores[best] / sum(scores.values()), 4))


@lru_cache(maxsize=1)
def shipped() -> SecondLevel:
    """The proposer over the shipped taxonomy, built once per process."""
    return SecondLevel.from_taxonomy()
