"""Request shapes for the campaign API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from gridgov.campaigns.domain import DEFAULT_FIELDS, Channel
from gridgov.validation import CleanText

ChannelCode = Literal["web", "app", "wechat", "email", "letter"]


class CampaignCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$", description="网址短名, 如 bmlm-2024")
    title: str = Field(min_length=1, max_length=200)
    organiser: str = Field(min_length=1, max_length=200, description="主办单位")
    opens_on: date = Field(description="开始日期 (北京时间, 含当日 00:00:00)")
    closes_on: date = Field(description="截止日期 (北京时间, 含当日 23:59:59)")
    description: str = Field(default="", max_length=5000)
    fields: list[str] = Field(default_factory=lambda: list(DEFAULT_FIELDS), min_length=1, max_length=50)
    channels: list[ChannelCode] = Field(default_factory=lambda: [c.value for c in Channel], min_length=1)
    late_policy: Literal["refuse", "keep"] = Field(
        default="refuse", description="截止后: refuse 拒收, keep 收下并标记逾期"
    )
    public: bool = True
    mail_address: str | None = Field(default=None, max_length=254, description="征集邮箱 (SMTP 收件地址)")
    postal_address: str = Field(default="", max_length=300)
    postcode: str = Field(default="", pattern=r"^(\d{6})?$")
    letter_marking: str = Field(default="", max_length=100, description="信封注明字样")


class SuggestionCreate(CleanText):
    """A suggestion from an app or mini-program (豫事办, 微信小程序) or any web client."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["web", "app", "wechat"] = "app"
    title: str = Field(default="", max_length=200)
    content: str = Field(default="", max_length=10000)
    field: str | None = Field(default=None, max_length=20, description="建议领域 (不填则按关键词自动归类)")
    name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=30, pattern=r"^[0-9+\- ]*$")
    email: str = Field(default="", max_length=254)


class SuggestionDecision(CleanText):
    model_config = ConfigDict(extra="forbid")

    action: Literal["review", "adopt", "partly_adopt", "not_adopt", "reconsider"]
    reply: str | None = Field(default=None, max_length=5000, description="公开答复 (可随决定一并发布)")
    note: str = Field(default="", max_length=1000)


class SuggestionReply(CleanText):
    model_config = ConfigDict(extra="forbid")

    reply: str = Field(min_length=1, max_length=5000)


class SuggestionField(CleanText):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=20)


class CaseTargetIn(CleanText):
    model_config = ConfigDict(extra="forbid")

    grid_code: str | None = Field(default=None, pattern=r"^[0-9]{15}$")
    address: str = Field(default="", max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09", "cgcs2000"] = "wgs84"
    category_code: str | None = Field(default=None, max_length=20)
    note: str = Field(default="", max_length=1000)
