"""Notification rules, message statuses and the delivery arithmetic (pure Python: the time is passed in).

- A rule (shipped as data, `notify/data/rules.csv`) says which case event tells whom (an audience) through which
  channel with which template.
- A message goes queued → sent → delivered, or failed (with the gateway's answer); one that a rule, a consent
  or the daily cap holds back is skipped (with the reason), never sent.
- Every message has a stable idempotency key (the same event, rule and recipient always give the same key), which
  the gateways receive: a retried message is recognised as the same message.
"""

from __future__ import annotations

import hashlib
import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum

from gridgov.errors import InvalidTransition, ValidationFailed
from gridgov.grids.domain import prefix_of

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # a fixed clock: China keeps no daylight saving


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    WECHAT = "wechat"
    INAPP = "inapp"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.SMS: "短信",
    Channel.EMAIL: "电子邮件",
    Channel.WECHAT: "微信订阅消息",
    Channel.INAPP: "站内信",
}


class Audience(StrEnum):
    REPORTER = "reporter"  # the resident who reported the case (nothing when anonymous)
    OWNER_UNIT = "owner_unit"  # the people of the unit that holds the case
    TARGET_UNIT = "target_unit"  # the people of the unit the event names (dispatched to, escalated to)
    SUMMONED = "summoned"  # the people of each department a whistle summons
    FOLLOWER = "follower"  # whoever follows the case, or an area holding it, with updates as they happen
    ISSUER = "issuer"  # the person who put the case under 督办 (told of the unit's reply)


class StatusKind(StrEnum):
    WAITING = "waiting"
    DONE = "done"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"  # the gateway accepted it
    DELIVERED = "delivered"  # the gateway (or the inbox) says it reached the person
    FAILED = "failed"  # given up: the gateway's answer is kept
    SKIPPED = "skipped"  # never sent: no consent, unsubscribed, over the daily cap

    @property
    def kind(self) -> StatusKind:
        return StatusKind.WAITING if self is MessageStatus.QUEUED else StatusKind.DONE

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    MessageStatus.QUEUED: "待发送",
    MessageStatus.SENT: "已发送",
    MessageStatus.DELIVERED: "已送达",
    MessageStatus.FAILED: "发送失败",
    MessageStatus.SKIPPED: "未发送",
}

SKIP_LABELS = {
    "no_consent": "本人已退订该渠道",
    "daily_cap": "超过每日条数上限",
    "no_address": "无联系方式",
}


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    RETRY = "retry"  # a temporary failure (timeout, 5xx, throttled): try again later
    REJECTED = "rejected"  # a permanent failure (bad number, refused): give up now


_NEXT: dict[tuple[MessageStatus, Outcome], MessageStatus] = {
    (MessageStatus.QUEUED, Outcome.ACCEPTED): MessageStatus.SENT,
    (MessageStatus.QUEUED, Outcome.DELIVERED): MessageStatus.DELIVERED,
    (MessageStatus.QUEUED, Outcome.REJECTED): MessageStatus.FAILED,
    (MessageStatus.QUEUED, Outcome.RETRY): MessageStatus.QUEUED,
    (MessageStatus.SENT, Outcome.DELIVERED): MessageStatus.DELIVERED,
    (MessageStatus.SENT, Outcome.REJECTED): MessageStatus.FAILED,
}


def next_status(status: MessageStatus, outcome: Outcome) -> MessageStatus:
    try:
        return _NEXT[(status, outcome)]
    except KeyError:
        raise InvalidTransition(f"消息状态“{status.label}”不能接受结果 {outcome.value}") from None


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of the rules: `event_type` tells `audience` through `channel` with `template`; `at_once` messages
    ignore the quiet hours (a whistle: the 30-minute 报到 clock is running)."""

    event_type: str
    audience: Audience
    channel: Channel
    template: str
    at_once: bool = False

    @property
    def id(self) -> str:
        return f"{self.event_type}/{self.audience.value}/{self.channel.value}"


@dataclass(frozen=True, slots=True)
class Template:
    subject: str
    body: str


# what a template may say: the case's public facts and links, never anyone's name, phone or address
FIELDS = frozenset(
    {
        "city",
        "tracking_code",
        "title",
        "category",
        "status",
        "unit_name",
        "due_at",
        "link",
        "rating_link",
        "unsubscribe_link",
        "level",
        "note",
    }
)


class TemplateError(ValueError):
    pass


def check_template(key: str, template: Template) -> None:
    for text in (template.subject, template.body):
        for _, name, _, _ in string.Formatter().parse(text):
            if name is not None and name not in FIELDS:
                raise TemplateError(f"模板 {key} 使用了不允许的字段 {{{name}}}（可用：{'、'.join(sorted(FIELDS))}）")


def render(template: Template, values: Mapping[str, str]) -> tuple[str, str]:
    known = {k: values.get(k, "") for k in FIELDS}
    return template.subject.format_map(known), template.body.format_map(known)


@dataclass(frozen=True, slots=True)
class Policy:
    quiet_start: time = time(22, 0)  # Beijing time
    quiet_end: time = time(8, 0)
    daily_cap: int = 20  # messages per recipient per Beijing day, all channels
    max_attempts: int = 6
    backoff_seconds: float = 30.0  # the first retry; doubled each time
    backoff_cap_seconds: float = 3600.0


def idempotency_key(event_id: int, rule_id: str, recipient: str) -> str:
    """Stable per message: the same event, rule and recipient always give the same key."""
    return hashlib.sha256(f"{event_id}|{rule_id}|{recipient}".encode()).hexdigest()[:32]


def in_quiet_hours(at: datetime, policy: Policy) -> bool:
    local = at.astimezone(BEIJING).time()
    if policy.quiet_start <= policy.quiet_end:
        return policy.quiet_start <= local < policy.quiet_end
    return local >= policy.quiet_start or local < policy.quiet_end


def not_before(now: datetime, channel: Channel, urgent: bool, policy: Policy) -> datetime:
    """When a message may first go: SMS waits out the quiet hours (22:00–08:00 Beijing) unless it is urgent."""
    if channel is not Channel.SMS or urgent or not in_quiet_hours(now, policy):
        return now
    local = now.astimezone(BEIJING)
    end = local.replace(hour=policy.quiet_end.hour, minute=policy.quiet_end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)


def beijing_day(at: datetime) -> tuple[datetime, datetime]:
    """The Beijing calendar day holding `at`, as [start, end) in `at`'s time zone."""
    local = at.astimezone(BEIJING)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(at.tzinfo), (start + timedelta(days=1)).astimezone(at.tzinfo)


def retry_at(now: datetime, attempts: int, key: str, policy: Policy) -> datetime | None:
    """Exponential backoff after the `attempts`-th failed try: base·2^(n-1), capped, with up to 10 % jitter drawn
    from the key (stable, so a test can know it); None once the attempts are spent."""
    if attempts >= policy.max_attempts:
        return None
    delay = min(policy.backoff_seconds * 2 ** (attempts - 1), policy.backoff_cap_seconds)
    try:
        jitter = int(key[:4], 16) / 0xFFFF * 0.1
    except ValueError:
        jitter = 0.0
    return now + timedelta(seconds=delay * (1 + jitter))


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone to tell: `key` names the person for consent and the daily cap (user:<id>, or phone:<digest> for a
    resident without an account); `address` is where the channel sends (a phone, an e-mail, an openid), or ""
    for the in-app inbox."""

    key: str
    address: str
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    key: str
    rule: Rule
    recipient: Recipient
    subject: str
    body: str
    status: MessageStatus
    reason: str
    not_before: datetime
    urgent: bool


@dataclass
class Budget:
    """The day's count per recipient (from the database, plus what this plan adds) against the cap."""

    cap: int
    counts: dict[str, int] = field(default_factory=dict)

    def take(self, key: str) -> bool:
        n = self.counts.get(key, 0)
        if n >= self.cap:
            return False
        self.counts[key] = n + 1
        return True


def plan_message(
    *,
    event_id: int,
    rule: Rule,
    recipient: Recipient,
    template: Template,
    values: Mapping[str, str],
    consented: bool,
    budget: Budget,
    emergency: bool,
    now: datetime,
    policy: Policy,
) -> Planned:
    key = idempotency_key(event_id, rule.id, recipient.key)
    subject, body = render(template, values)
    urgent = rule.at_once or emergency
    status, reason = MessageStatus.QUEUED, ""
    if rule.channel is not Channel.INAPP and not recipient.address:
        status, reason = MessageStatus.SKIPPED, "no_address"
    elif not consented:
        status, reason = MessageStatus.SKIPPED, "no_consent"
    elif rule.channel is not Channel.INAPP and not urgent and not budget.take(recipient.key):
        status, reason = MessageStatus.SKIPPED, "daily_cap"
    return Planned(
        key, rule, recipient, subject, body, status, reason, not_before(now, rule.channel, urgent, policy), urgent
    )


def rules_for(rules: Sequence[Rule], event_type: str) -> list[Rule]:
    return [r for r in rules if r.event_type == event_type]


def mask_address(channel: Channel, address: str) -> str:
    """What staff see of an address: 138****5678, z***@example.cn, an openid's first four characters."""
    if not address:
        return ""
    if channel is Channel.SMS:
        digits = address.strip()
        return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
    if channel is Channel.EMAIL:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:4] + "****"


# -- following (issue 15) ------------------------------------------------------------------------------------
class FollowMode(StrEnum):
    NOW = "now"  # a 站内信 at each event
    DIGEST = "digest"  # one 站内信 a Beijing day

    @property
    def label(self) -> str:
        return {FollowMode.NOW: "实时提醒", FollowMode.DIGEST: "每日汇总"}[self]


@dataclass(frozen=True, slots=True)
class FollowTarget:
    """What is followed: a case, a grid subtree (a code prefix) or a radius in metres around a WGS-84 point."""

    case_id: int | None = None
    grid_prefix: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None

    @property
    def key(self) -> str:
        if self.case_id is not None:
            return f"case:{self.case_id}"
        if self.grid_prefix is not None:
            return f"grid:{self.grid_prefix}"
        return f"near:{self.lat:.5f},{self.lon:.5f},{self.radius_m:.0f}"

    @property
    def label(self) -> str:
        if self.case_id is not None:
            return f"问题 #{self.case_id}"
        if self.grid_prefix is not None:
            return f"网格 {self.grid_prefix} 及下级"
        return f"({self.lat:.4f}, {self.lon:.4f}) 周边 {self.radius_m:.0f} 米"

    def holds(self, case_id: int, grid_code: str | None, lat: float | None, lon: float | None) -> bool:
        if self.case_id is not None:
            return self.case_id == case_id
        if self.grid_prefix is not None:
            return bool(grid_code) and str(grid_code).startswith(self.grid_prefix)
        if lat is None or lon is None or self.lat is None or self.lon is None or self.radius_m is None:
            return False
        return distance_m(self.lat, self.lon, lat, lon) <= self.radius_m


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def make_target(
    case_id: int | None, grid_code: str | None, lat: float | None, lon: float | None, radius_m: float | None
) -> FollowTarget:
    """Exactly one of a case, a grid, or a point with a radius (50 m to 5 km)."""
    given = [case_id is not None, bool(grid_code), lat is not None or lon is not None]
    if sum(given) != 1:
        raise BadFollowTarget()
    if case_id is not None:
        return FollowTarget(case_id=case_id)
    if grid_code:
        try:
            return FollowTarget(grid_prefix=prefix_of(grid_code.strip()))
        except (KeyError, ValueError):
            raise BadFollowTarget("网格编码不正确") from None
    if lat is None or lon is None or radius_m is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadFollowTarget()
    if not 50 <= radius_m <= 5000:
        raise BadFollowTarget("关注范围的半径须在 50 米到 5 公里之间")
    return FollowTarget(lat=lat, lon=lon, radius_m=radius_m)


class BadFollowTarget(ValidationFailed):
    code = "follow_bad_target"
    status = 422
    message = "请指定一个问题、一个网格，或一个点和半径"


def digest_key(user_id: int, day: datetime) -> str:
    """One digest per follower per Beijing day: the same key however often the sweep runs."""
    return hashlib.sha256(f"digest|{user_id}|{day.astimezone(BEIJING).date().isoformat()}".encode()).hexdigest()[:32]


# -- a staff member's own contacts (the SMS number and e-mail address their unit's messages go to) -----------------
SELF_SERVICE_CHANNELS = (Channel.SMS, Channel.EMAIL)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def normalise_contact(channel: Channel, address: str) -> str:
    """The address as stored: a mainland mobile number (spaces, dashes and +86 dropped) or an e-mail address; an
    empty one clears the contact. Anything else is refused, naming what is wrong."""
    if channel not in SELF_SERVICE_CHANNELS:
        raise ValidationFailed("只能设置短信号码或电子邮箱", field="channel")
    text = address.strip()
    if not text:
        return ""
    if channel is Channel.SMS:
        digits = re.sub(r"[\s-]", "", text)
        digits = digits[3:] if digits.startswith("+86") else digits
        if not _MOBILE.match(digits):
            raise ValidationFailed("手机号码须为 11 位大陆手机号, 如 13812345678", field="address")
        return digits
    if len(text) > 200 or not _EMAIL.match(text):
        raise ValidationFailed("电子邮箱格式不正确, 如 name@example.cn", field="address")
    return text
