"""The 转办 API's request bodies (the exchanged documents themselves are checked by transfers.domain)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_code: str = Field(min_length=1, max_length=40, description="转办对象编码 (GET /api/v1/transfers/targets)")
    reason: str = Field(min_length=1, max_length=4000, description="转办理由")
    external_ref: str = Field(default="", max_length=80, description="对方受理编号 (已知时)")


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(min_length=1, max_length=4000, description="对方反馈的办理结果")
    status: str = Field(default="", max_length=20)
    external_ref: str = Field(default="", max_length=80)
