"""Request shapes of /api/v1/admin."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from gridgov.validation import CleanText

GridCode = Annotated[str, Field(pattern=r"^\d{15}$")]
Username = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]


class UserCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: str = Field(default="", max_length=100)
    role: str = Field(min_length=1, max_length=20)
    unit_code: str | None = Field(default=None, max_length=40)
    password: str | None = Field(default=None, max_length=200, description="不填则生成一个, 只显示一次")
    grids: list[GridCode] = Field(default_factory=list, max_length=200)


class UserUpdate(CleanText):
    model_config = ConfigDict(extra="forbid")

    role: str | None = Field(default=None, max_length=20)
    unit_code: str | None = Field(default=None, max_length=40, description="空字符串: 不属于任何单位")
    display_name: str | None = Field(default=None, max_length=100)
    grids: list[GridCode] | None = Field(default=None, max_length=200)


class PasswordReset(CleanText):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, max_length=200, description="不填则生成一个, 只显示一次")


class RuleSet(CleanText):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(default="", max_length=20, description="类别编码; 空: 任意类别")
    grid: GridCode = Field(description="网格编码 (规则适用于其整个子树)")
    target: str = Field(pattern=r"^(unit|street|community|district_bureau)$")
    unit_code: str | None = Field(default=None, max_length=40)
    note: str = Field(default="", max_length=200)


UnitCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")]


class UnitCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    code: UnitCode
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern=r"^(city|city_department|district|district_bureau|street_office|community)$")
    parent_code: str | None = Field(default=None, max_length=40)
    grid_code: GridCode | None = None


class UnitChange(CleanText):
    """One change: rename (name), move (parent_code), merge (into_code) or deactivate (deactivate: true)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_code: str | None = Field(default=None, min_length=1, max_length=40)
    into_code: str | None = Field(default=None, min_length=1, max_length=40)
    deactivate: bool = False


class Deadline(CleanText):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(ge=1, le=100_000)
    unit: str = Field(pattern=r"^(minutes|hours|working_days)$")


class CategoryUpdate(CleanText):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    urgency: str | None = Field(default=None, pattern=r"^(normal|urgent|emergency)$")
    response: Deadline | None = None
    handle: Deadline | None = None
    active: bool | None = None
