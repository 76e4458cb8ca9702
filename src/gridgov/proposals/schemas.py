"""Request shapes of /api/v1/proposals."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from gridgov.proposals.commands import Command, build_command
from gridgov.validation import CleanText

KindIn = Literal["suggestion", "proposal", "opinion"]
Code = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-_]+$")


class BatchCreate(CleanText):
    """一个批次: 某次会议期间 (市十六届人大三次会议) 或闭会期间."""

    model_config = ConfigDict(extra="forbid")

    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    held_on: date


class ProposalCreate(CleanText):
    """一件建议、提案或社情民意 (代表委员本人只能报送社情民意, 提出人即本人)."""

    model_config = ConfigDict(extra="forbid")

    batch: str = Code
    number: str = Field(default="", max_length=20, description="编号; 代表委员报送的社情民意可不填 (自动编号)")
    kind: KindIn
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=20_000)
    category: str = Field(default="", max_length=50)
    authors: list[str] = Field(default_factory=list, max_length=50, description="提出人, 领衔人在前")
    focus: bool = False
    focus_leader: str = Field(default="", max_length=50)
    grid_code: str | None = Field(default=None, pattern=r"^[0-9]{15}$", description="社情民意: 所在网格")
    author_body: Literal["npc", "cppcc"] | None = None
    lat: float | None = Field(default=None, ge=-90, le=90, description="社情民意: 位置 (WGS-84)")
    lon: float | None = Field(default=None, ge=-180, le=180)


class MemberCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    body: Literal["npc", "cppcc"]
    name: str = Field(min_length=1, max_length=50)
    username: str | None = Field(default=None, min_length=1, max_length=100, description="登录账号 (角色 deputy)")
    delegation: str = Field(default="", max_length=100)


class StationCreate(CleanText):
    """人大代表联络站: 所在网格与进站代表."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    grid_code: str = Field(pattern=r"^[0-9]{15}$")
    address: str = Field(default="", max_length=200)
    members: list[int] = Field(default_factory=list, max_length=200)


class PromiseIn(CleanText):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    due_on: date


class ActionIn(CleanText):
    """One step: assign (lead_unit, co_units), return (reason), send_views (text), record_contact (method, on),
    explain (text), answer (answer_class, text, public, not_public_reason, promises), rate (work, result),
    keep_promise (promise_id, on), refer (category_code)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal[
        "assign", "return", "send_views", "record_contact", "explain", "answer", "rate", "keep_promise", "refer"
    ]
    version: int | None = Field(default=None, description="客户端看到的版本号")
    lead_unit: str | None = Field(default=None, max_length=40)
    co_units: list[str] | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=5000)
    text: str | None = Field(default=None, max_length=5000)
    method: Literal["meeting", "visit", "phone"] | None = None
    on: date | None = None
    note: str | None = Field(default=None, max_length=5000)
    answer_class: Literal["A", "B", "C", "D"] | None = None
    public: bool | None = None
    not_public_reason: str | None = Field(default=None, max_length=5000)
    promises: list[PromiseIn] | None = Field(default=None, max_length=20)
    work: Literal["satisfied", "basically", "dissatisfied"] | None = None
    result: Literal["satisfied", "basically", "dissatisfied"] | None = None
    promise_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    category_code: str | None = Field(default=None, max_length=40)

    def params(self) -> dict[str, Any]:
        return self.model_dump(exclude={"action", "version"}, exclude_none=True)

    def to_command(self) -> Command:
        return build_command(self.action, self.params())
