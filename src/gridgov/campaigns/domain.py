"""Suggestion campaigns (便民利民微改革征集), pure rules: window, channels, fields, statuses, keyword rules.

A campaign's window is given in Beijing dates, both ends inclusive: 2024-02-01 … 2024-02-29 means from
2024-02-01 00:00:00 to 2024-02-29 23:59:59 Asia/Shanghai, stored as the half-open instant range
[opens_at, closes_at) with closes_at = 2024-03-01 00:00:00+08:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from gridgov.clock import SHANGHAI
from gridgov.errors import GridgovError, InvalidTransition, ValidationFailed

DEFAULT_FIELDS: tuple[str, ...] = (
    "交通出行",
    "就业创业",
    "城乡住房",
    "社会保障",
    "社会救济",
    "教育",
    "医疗卫生",
    "文化惠民",
    "健康养老",
    "环境保护",
    "社会治理",
    "法律援助",
    "食品安全",
    "公共安全",
)
UNCLASSIFIED = "其他"

TITLE_MAX = 200
CONTENT_MAX = 10_000
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
RESERVED_SLUGS = frozenset({"suggestions", "attachments", "cases", "new"})
POSTCODE_PATTERN = re.compile(r"^\d{6}$")


class Channel(StrEnum):
    WEB = "web"  # 政府网站 (public web form)
    APP = "app"  # 豫事办 App (API)
    WECHAT = "wechat"  # 微信扫码 / 小程序 (QR code → web form, or API)
    EMAIL = "email"  # 电子邮件 (SMTP intake, .eml/mbox import)
    LETTER = "letter"  # 信件 (registered by staff with its scan)

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.WEB: "政府网站",
    Channel.APP: "豫事办App",
    Channel.WECHAT: "微信扫码",
    Channel.EMAIL: "电子邮件",
    Channel.LETTER: "信件",
}
PUBLIC_FORM_CHANNELS = frozenset({Channel.WEB, Channel.WECHAT})  # what the web form may claim
API_CHANNELS = frozenset({Channel.WEB, Channel.APP, Channel.WECHAT})  # what apps and mini-programs may claim


class LatePolicy(StrEnum):
    REFUSE = "refuse"  # after the window: refused with a clear message
    KEEP = "keep"  # after the window: kept, marked late


class Window(StrEnum):
    EARLY = "early"
    OPEN = "open"
    LATE = "late"


class SuggestionStatus(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly_adopted"
    NOT_ADOPTED = "not_adopted"
    CONVERTED = "converted"  # turned into a tracked case of the case loop

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def decided(self) -> bool:
        return self not in OPEN_STATUSES

    @property
    def adopted(self) -> bool:
        return self in ADOPTED_STATUSES


STATUS_LABELS = {
    SuggestionStatus.RECEIVED: "已收到",
    SuggestionStatus.UNDER_REVIEW: "审核中",
    SuggestionStatus.ADOPTED: "采纳",
    SuggestionStatus.PARTLY_ADOPTED: "部分采纳",
    SuggestionStatus.NOT_ADOPTED: "未采纳",
    SuggestionStatus.CONVERTED: "已转为案件办理",
}
OPEN_STATUSES = frozenset({SuggestionStatus.RECEIVED, SuggestionStatus.UNDER_REVIEW})
# adoption rate = (adopted + partly adopted + turned into a case) / decided
ADOPTED_STATUSES = frozenset({SuggestionStatus.ADOPTED, SuggestionStatus.PARTLY_ADOPTED, SuggestionStatus.CONVERTED})


class SuggestionAction(StrEnum):
    REVIEW = "review"
    ADOPT = "adopt"
    PARTLY_ADOPT = "partly_adopt"
    NOT_ADOPT = "not_adopt"
    CONVERT = "convert_to_case"
    RECONSIDER = "reconsider"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    SuggestionAction.REVIEW: "受理审核",
    SuggestionAction.ADOPT: "采纳",
    SuggestionAction.PARTLY_ADOPT: "部分采纳",
    SuggestionAction.NOT_ADOPT: "不予采纳",
    SuggestionAction.CONVERT: "转为案件",
    SuggestionAction.RECONSIDER: "重新审核",
}

S, A = SuggestionStatus, SuggestionAction
_DECISIONS = {A.ADOPT: S.ADOPTED, A.PARTLY_ADOPT: S.PARTLY_ADOPTED, A.NOT_ADOPT: S.NOT_ADOPTED}
TRANSITIONS: dict[tuple[SuggestionStatus, SuggestionAction], SuggestionStatus] = {
    (S.RECEIVED, A.REVIEW): S.UNDER_REVIEW,
    **{(s, a): to for s in OPEN_STATUSES for a, to in _DECISIONS.items()},
    **{(s, A.CONVERT): S.CONVERTED for s in (S.RECEIVED, S.UNDER_REVIEW, S.ADOPTED, S.PARTLY_ADOPTED)},
    **{(s, A.RECONSIDER): S.UNDER_REVIEW for s in (S.ADOPTED, S.PARTLY_ADOPTED, S.NOT_ADOPTED)},
}


def next_status(status: SuggestionStatus, action: SuggestionAction) -> SuggestionStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            f"建议当前状态为「{status.label}」，不能执行「{action.label}」", status=status.value, action=action.value
        ) from None


def linked_status(status: SuggestionStatus) -> tuple[SuggestionStatus, bool]:
    """The status once the case a conversion made is linked, and whether a decision taken between the case's
    creation and the link step is overridden (the case exists, so the suggestion is linked whatever happened)."""
    try:
        return next_status(status, SuggestionAction.CONVERT), False
    except InvalidTransition:
        if status is SuggestionStatus.CONVERTED:
            raise
        return SuggestionStatus.CONVERTED, True


# -- errors ------------------------------------------------------------------------------------------
class OutsideWindow(GridgovError):
    code = "outside_window"
    status = 409
    message = "不在征集时间内"


class ChannelClosed(GridgovError):
    code = "channel_closed"
    status = 409
    message = "本次征集未开通该渠道"


class EmptySuggestion(ValidationFailed):
    code = "empty_suggestion"
    message = "建议内容不能为空"


class AttachmentTooLarge(ValidationFailed):
    code = "attachment_too_large"
    status = 413
    message = "附件过大"


class MalformedMail(ValidationFailed):
    code = "malformed_mail"
    message = "邮件格式错误，无法读取"


# -- window ------------------------------------------------------------------------------------------
def window_bounds(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """[first day 00:00:00, day after the last day 00:00:00) in Beijing time."""
    if closes_on < opens_on:
        raise ValidationFailed("截止日期不能早于开始日期", field="closes_on")
    start = datetime.combine(opens_on, time(0), tzinfo=SHANGHAI)
    end = datetime.combine(closes_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return start, end


def window_position(at: datetime, opens_at: datetime, closes_at: datetime) -> Window:
    if at.tzinfo is None:
        raise ValueError("aware datetime required")
    if at < opens_at:
        return Window.EARLY
    if at >= closes_at:
        return Window.LATE
    return Window.OPEN


def describe_window(opens_at: datetime, closes_at: datetime) -> str:
    first = opens_at.astimezone(SHANGHAI)
    last = (closes_at - timedelta(seconds=1)).astimezone(SHANGHAI)
    return f"{first:%Y年%m月%d日 %H:%M} 至 {last:%Y年%m月%d日 %H:%M:%S} (北京时间)"


def admit(at: datetime, opens_at: datetime, closes_at: datetime, late_policy: LatePolicy) -> bool:
    """Whether a suggestion received at `at` is late (kept); raises OutsideWindow when it is refused."""
    position = window_position(at, opens_at, closes_at)
    window = describe_window(opens_at, closes_at)
    if position is Window.EARLY:
        raise OutsideWindow(f"征集尚未开始。征集时间: {window}", window=window, position=position.value)
    if position is Window.LATE:
        if late_policy is LatePolicy.KEEP:
            return True
        raise OutsideWindow(f"征集已截止，不再受理。征集时间: {window}", window=window, position=position.value)
    return False


def check_channel(channel: Channel, enabled: Iterable[str]) -> None:
    if channel.value not in set(enabled):
        raise ChannelClosed(f"本次征集未开通「{channel.label}」渠道", channel=channel.value)


# -- content -----------------------------------------------------------------------------------------
_SPACES = re.compile(r"[ \t\u3000]+")


def clean_text(text: str) -> str:
    """Trim, fold runs of spaces (including the ideographic space), drop control characters but newlines."""
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).replace("\r", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def title_and_content(title: str, content: str) -> tuple[str, str]:
    """Checked title and content; the title defaults to the start of the content."""
    title, content = clean_text(title).replace("\n", " "), clean_text(content)
    if not content and not title:
        raise EmptySuggestion("建议内容不能为空，请填写您的建议", field="content")
    if not content:
        content = title
    if len(content) > CONTENT_MAX:
        raise ValidationFailed(f"建议内容不能超过 {CONTENT_MAX} 字", field="content")
    if not title:
        first = content.split("\n", 1)[0]
        title = first[:40] + ("…" if len(first) > 40 else "")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"标题不能超过 {TITLE_MAX} 字", field="title")
    return title, content


MAIL_BODY_FILE = "邮件正文全文.txt"


def mail_title_and_content(subject: str, body: str) -> tuple[str, str, str | None]:
    """Title, content and (when the body is too long to store as content) the full body for a .txt file, for an
    e-mail. Nothing is refused for length: a subject over TITLE_MAX is shortened for the title and kept whole at
    the top of the content; a body over CONTENT_MAX is cut in the content and kept whole in the file."""
    subject, body = clean_text(subject).replace("\n", " "), clean_text(body)
    if not subject and not body:
        raise EmptySuggestion("建议内容不能为空，请填写您的建议", field="content")
    title, head = subject, ""
    if len(subject) > TITLE_MAX:
        title = subject[: TITLE_MAX - 1] + "…"
        head = f"邮件主题: {subject}\n\n"
    content = head + (body or subject)
    full_body: str | None = None
    if len(content) > CONTENT_MAX:
        full_body = body
        note = f"\n\n…… (正文过长，全文见附件「{MAIL_BODY_FILE}」)"
        content = content[: CONTENT_MAX - len(note)] + note
    return title_and_content(title, content) + (full_body,)


def check_postmark(postmarked_on: date, now: datetime) -> None:
    """A postmark cannot be later than today (Beijing time)."""
    if postmarked_on > now.astimezone(SHANGHAI).date():
        raise ValidationFailed("邮戳日期不能晚于今天", field="postmarked_on")


def check_postcode(postcode: str) -> str:
    postcode = postcode.strip()
    if postcode and not POSTCODE_PATTERN.match(postcode):
        raise ValidationFailed("邮政编码须为 6 位数字", field="postcode")
    return postcode


PHONE_PATTERN = re.compile(r"^[0-9+\- ()]{5,30}$")
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']{2,}$")


def check_phone(phone: str) -> str:
    """A contact number a person can dial back (digits, +, -, spaces, brackets), or nothing."""
    phone = phone.strip()
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationFailed("联系电话只能包含数字、+、- 和空格", field="submitter_phone")
    return phone


def check_email(email: str) -> str:
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        raise ValidationFailed("电子邮箱格式不正确", field="submitter_email")
    return email


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationFailed("短名须为 2–60 位小写字母、数字或连字符 (不能是保留字)", field="slug")
    return slug


def marking_matches(marking: str, expected: str) -> bool:
    """Whether the envelope carries the campaign's marking (spaces and punctuation ignored)."""

    def norm(s: str) -> str:
        return "".join(ch for ch in s if ch.isalnum())

    return bool(norm(expected)) and norm(expected) in norm(marking)


def check_fields(fields: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in fields:
        name = clean_text(name)
        if not name or len(name) > 20:
            raise ValidationFailed("领域名称须为 1–20 字", field="fields")
        if name not in out:
            out.append(name)
    if not out:
        raise ValidationFailed("至少需要一个领域", field="fields")
    return out


# -- field suggestion by keyword rules ----------------------------------------------------------------
KEYWORDS: dict[str, tuple[str, ...]] = {
    "交通出行": (
        "交通", "公交", "地铁", "出租", "网约车", "停车", "道路", "红绿灯", "信号灯", "拥堵", "堵车", "路口",
        "斑马线", "驾照", "车辆", "共享单车", "电动车", "高速", "站台", "公交站", "车站", "出行", "限行", "违停",
    ),
    "就业创业": (
        "就业", "创业", "招聘", "求职", "工作岗位", "失业", "培训", "技能", "灵活就业", "营业执照", "小微企业",
        "个体户", "贷款", "孵化", "人才", "工资", "欠薪", "劳动合同",
    ),
    "城乡住房": (
        "住房", "房屋", "公租房", "廉租房", "保障房", "房产证", "不动产", "物业", "小区", "电梯", "加装电梯",
        "老旧小区", "改造", "拆迁", "安置", "房租", "租房", "公积金", "购房", "农房", "棚户区",
    ),
    "社会保障": (
        "社保", "医保", "养老保险", "失业保险", "工伤", "生育保险", "社保卡", "缴费", "报销", "参保", "退休金",
        "养老金", "社会保障", "异地就医",
    ),
    "社会救济": (
        "低保", "救助", "救济", "困难群众", "特困", "残疾人", "残疾", "临时救助", "孤儿", "流浪", "慈善",
        "贫困", "扶贫", "特殊困难",
    ),
    "教育": (
        "学校", "教育", "入学", "幼儿园", "小学", "中学", "学区", "学位", "课后", "托管", "老师", "教师",
        "学生", "招生", "培训班", "校车", "午餐", "食堂", "高考", "中考",
    ),
    "医疗卫生": (
        "医院", "看病", "挂号", "医生", "门诊", "急诊", "社区卫生", "卫生院", "药店", "药品", "疫苗", "体检",
        "医疗", "诊所", "护士", "预约",
    ),
    "文化惠民": (
        "文化", "图书馆", "博物馆", "文化馆", "演出", "广场舞", "体育", "健身", "运动场", "公园", "书屋",
        "电影", "非遗", "旅游", "景区",
    ),
    "健康养老": (
        "养老", "老人", "老年人", "敬老院", "养老院", "日间照料", "助餐", "老年食堂", "居家养老", "护理",
        "失能", "适老化", "长者", "高龄",
    ),
    "环境保护": (
        "环境", "污染", "噪音", "噪声", "扬尘", "垃圾", "分类", "绿化", "空气", "雾霾", "污水", "排污",
        "河道", "异味", "油烟", "环保", "秸秆", "焚烧",
    ),
    "社会治理": (
        "社区", "网格", "居委会", "村委", "办事", "审批", "政务", "一网通办", "窗口", "证明", "跑腿", "效率",
        "便民", "服务中心", "热线", "12345", "豫事办", "材料",
    ),
    "法律援助": (
        "法律", "律师", "法律援助", "维权", "诉讼", "起诉", "仲裁", "纠纷", "调解", "合同", "法院", "公证",
    ),
    "食品安全": (
        "食品", "食品安全", "餐饮", "饭店", "外卖", "过期", "变质", "地沟油", "菜市场", "农药残留", "卫生许可",
        "后厨", "奶粉",
    ),
    "公共安全": (
        "安全", "消防", "火灾", "治安", "盗窃", "诈骗", "监控", "燃气", "井盖", "隐患", "防汛", "积水",
        "应急", "电动车充电", "飞线充电", "报警",
    ),
}  # fmt: skip


def suggest_field(text: str, fields: Iterable[str] = DEFAULT_FIELDS) -> tuple[str | None, dict[str, int]]:
    """The campaign field whose keywords occur most in the text (None when none does), and the hits per field.

    Longer keywords weigh more (a 4-character match counts 4, a 2-character match 2), ties go to the field
    listed first."""
    allowed = list(fields)
    scores: dict[str, int] = {}
    for name in allowed:
        score = sum(len(word) * text.count(word) for word in KEYWORDS.get(name, ()) if word in text)
        if name in text:
            score += 2 * len(name)
        if score:
            scores[name] = score
    if not scores:
        return None, {}
    best = max(allowed, key=lambda name: (scores.get(name, 0), -allowed.index(name)))
    return best, scores


# -- files ---------------------------------------------------------------------------------------------
SCAN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def check_attachment(filename: str, data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise AttachmentTooLarge(
            f"附件「{filename or '附件'}」过大: {len(data)} 字节，上限 {max_bytes} 字节",
            filename=filename,
            size=len(data),
            limit=max_bytes,
        )


def sniff_scan(data: bytes, max_bytes: int) -> str:
    """The content type a letter's scan really is (PDF, JPEG, PNG, TIFF), judged by its first bytes."""
    if not data:
        raise ValidationFailed("扫描件为空", field="scan")
    check_attachment("扫描件", data, max_bytes)
    for magic, kind in SCAN_SIGNATURES:
        if data.startswith(magic):
            return kind
    raise ValidationFailed("扫描件须为 PDF、JPEG、PNG 或 TIFF 文件", field="scan")
