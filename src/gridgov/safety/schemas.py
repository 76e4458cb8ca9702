"""Request shapes of /api/v1/safety. Photos travel as base64 in JSON (a data URL is accepted), so that the
phone's offline outbox can keep a whole inspection as one request; funds are integers in 元."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from gridgov.errors import ValidationFailed
from gridgov.safety.commands import HazardCommand, build_command
from gridgov.validation import CleanText

RiskIn = Literal["red", "orange", "yellow", "blue"]
MAX_PHOTO_CHARS = 11 * 1024 * 1024  # 8 MB of image as base64
Photo = Annotated[str, Field(min_length=8, max_length=MAX_PHOTO_CHARS)]


def decode_photo(text: str, field: str = "photos") -> bytes:
    raw = text.split(",", 1)[1] if text.startswith("data:") and "," in text else text
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("照片须为 base64 编码", field=field) from None


class PlaceCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="场所/企业名称")
    type_code: str = Field(min_length=1, max_length=40, description="场所类型 (GET /api/v1/safety/types)")
    address: str = Field(default="", max_length=300)
    lat: float = Field(ge=-90, le=90, description="WGS-84")
    lon: float = Field(ge=-180, le=180)
    risk: RiskIn = Field(description="风险等级: red 红 / orange 橙 / yellow 黄 / blue 蓝")
    responsible_name: str = Field(default="", max_length=50, description="负责人 (个人信息, 列表中脱敏显示)")
    responsible_phone: str = Field(default="", max_length=30, description="负责人电话 (个人信息, 脱敏显示)")
    code: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-_]+$")


class PlaceClose(CleanText):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="关停原因")


class PlaceMerge(CleanText):
    model_config = ConfigDict(extra="forbid")

    into: int = Field(ge=1, le=2**31 - 1, description="合并到的场所")
    reason: str = Field(default="", max_length=500)


class PlanGenerate(CleanText):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")
    plans: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=50)


class ItemIn(CleanText):
    model_config = ConfigDict(extra="forbid")

    result: Literal["pass", "fail", "na"]
    grade: Literal["general", "major"] | None = None
    fixed_on_spot: bool = False
    photos: list[Photo] = Field(default_factory=list, max_length=3)
    fixed_photos: list[Photo] = Field(default_factory=list, max_length=3)
    note: str = Field(default="", max_length=2000)


class InspectionCreate(CleanText):
    """One checklist gone through at a place (all items answered; photos for each failed item)."""

    model_config = ConfigDict(extra="forbid")

    place_id: int = Field(ge=1, le=2**31 - 1)
    task_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    client_key: str | None = Field(default=None, min_length=8, max_length=100, description="手机离线时生成的键")
    inspected_at: datetime | None = Field(default=None, description="手机上记录的检查时间 (离线时), 带时区")
    note: str = Field(default="", max_length=2000)
    results: dict[Annotated[str, Field(max_length=20)], ItemIn] = Field(min_length=1, max_length=100)


class _ActionBody(CleanText):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, description="客户端看到的隐患版本号")
    note: str = Field(default="", max_length=2000)

    def to_command(self) -> HazardCommand:
        params = self.model_dump(exclude={"action", "version"})
        if "photos" in params:
            params["photos"] = [decode_photo(p) for p in params["photos"]]
        return build_command(self.action, params)  # type: ignore[attr-defined]


class SubmitPlanBody(_ActionBody):
    """治理方案 (五落实): 责任、措施、资金、时限、预案."""

    action: Literal["submit_plan"]
    responsible: str = Field(min_length=1, max_length=100, description="责任落实: 整改责任人")
    measures: str = Field(min_length=1, max_length=2000, description="措施落实")
    funds: int = Field(ge=0, le=10**12, description="资金落实 (元)")
    time_limit: date = Field(description="时限落实: 整改完成日期")
    contingency: str = Field(min_length=1, max_length=2000, description="预案落实: 整改期间的应急预案")


class SuperviseBody(_ActionBody):
    action: Literal["supervise"]


class ReportRectifiedBody(_ActionBody):
    action: Literal["report_rectified"]
    photos: list[Photo] = Field(min_length=1, max_length=3)


class PassReviewBody(_ActionBody):
    action: Literal["pass_review"]


class FailReviewBody(_ActionBody):
    action: Literal["fail_review"]
    note: str = Field(min_length=1, max_length=2000, description="不通过的原因")


class CloseOutBody(_ActionBody):
    action: Literal["close_out"]


class ReferBody(_ActionBody):
    action: Literal["refer"]
    kind: str = Field(min_length=1, max_length=20, description="转办类别: fire 消防 / gas 燃气")


HazardAction = Annotated[
    SubmitPlanBody | SuperviseBody | ReportRectifiedBody | PassReviewBody | FailReviewBody | CloseOutBody | ReferBody,
    Field(discriminator="action"),
]
