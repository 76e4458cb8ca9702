"""Request shapes of /api/v1/projects. Investments are integers in 万元 (the lists and pages show 亿元)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from gridgov.projects.commands import StageCommand, build_command
from gridgov.validation import CleanText

SectorIn = Literal["manufacturing", "emerging", "infrastructure", "services", "livelihood"]
FundingIn = Literal["foreign", "out_of_province", "local"]
Wan = Annotated[int, Field(ge=0, le=10**12, description="万元")]


class ProjectCreate(CleanText):
    """签约: a project goes on phase `signed_phase`'s 签约一批 (refused below its sector's entry threshold)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="项目名称")
    investor: str = Field(min_length=1, max_length=200, description="投资方")
    district: str = Field(min_length=1, max_length=50, description="县(市、区): 6位区划代码或名称")
    sector: SectorIn
    total_investment: Wan
    annual_investment: Wan
    funding: FundingIn
    attracted: bool = Field(default=False, description="是否招商引资")
    leader: str = Field(default="", max_length=50, description="责任领导")
    responsible_unit: str = Field(default="", max_length=100, description="责任单位")
    signed_phase: int = Field(ge=1, le=999, description="签约期次")
    signed_on: date = Field(description="签约日期")
    lat: float | None = Field(default=None, ge=-90, le=90, description="项目位置 (WGS-84)")
    lon: float | None = Field(default=None, ge=-180, le=180)
    code: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-_]+$")


class ProjectUpdate(CleanText):
    """A correction of the project's fields (recorded, before → after)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, description="客户端看到的项目版本号")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    investor: str | None = Field(default=None, min_length=1, max_length=200)
    total_investment: Wan | None = None
    annual_investment: Wan | None = None
    sector: SectorIn | None = None
    funding: FundingIn | None = None
    attracted: bool | None = None
    leader: str | None = Field(default=None, max_length=50)
    responsible_unit: str | None = Field(default=None, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude={"version"}, exclude_unset=True)


class _StageBody(CleanText):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, description="客户端看到的项目版本号")
    on: date = Field(description="日期")
    evidence: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default_factory=list, max_length=50)
    note: str = Field(default="", max_length=2000)

    def to_command(self) -> StageCommand:
        return build_command(self.action, self.model_dump(exclude={"action", "version"}))  # type: ignore[attr-defined]


class HonourBody(_StageBody):
    """履约: the contract carried out (须附文件: 注册登记、资金到位)."""

    action: Literal["honour"]


class StartBody(_StageBody):
    """开工: onto phase `phase`'s 开工一批 (from an earlier 签约一批; 须附现场照片)."""

    action: Literal["start"]
    phase: int = Field(ge=1, le=999)


class ProduceBody(_StageBody):
    """投产: onto phase `phase`'s 投产一批 (from an earlier 开工一批; 须附现场照片)."""

    action: Literal["produce"]
    phase: int = Field(ge=1, le=999)


class ReachBody(_StageBody):
    """达效: at designed output (须附文件)."""

    action: Literal["reach"]


StageAction = Annotated[HonourBody | StartBody | ProduceBody | ReachBody, Field(discriminator="action")]


class BlockerCreate(CleanText):
    """要素保障问题: sent through the case loop to the department that answers for it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["land", "power", "permits", "financing", "demolition"]
    description: str = Field(min_length=1, max_length=2000)


class InvestmentIn(CleanText):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)
    amount: Wan


class ListChangeIn(CleanText):
    model_config = ConfigDict(extra="forbid")

    project_id: int = Field(ge=1, le=2**31 - 1)
    change: Literal["withdraw", "amend"]
    annual_investment: Wan | None = None


class AdjustmentCreate(CleanText):
    """The year's one adjustment of the lists."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    reason: str = Field(min_length=1, max_length=2000)
    changes: list[ListChangeIn] = Field(min_length=1, max_length=5000)


class PhaseCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=999)
    held_on: date
