"""Request and response shapes for the case API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gridgov.web.validation import CleanText

GridCode = Field(default=None, pattern=r"^[0-9]{15}$", description="15位网格编码")


class CaseCreate(CleanText):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, description="问题标题")
    description: str = Field(default="", max_length=5000)
    source: Literal["web", "hotline", "app", "miniprogram", "patrol", "open311", "other"] = "web"
    category_code: str | None = Field(default=None, max_length=20)
    grid_code: str | None = GridCode
    address: str = Field(default="", max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09", "cgcs2000"] = Field(
        default="wgs84", description="坐标系: GPS 为 wgs84, 高德/腾讯/微信 为 gcj02, 百度 为 bd09"
    )
    reporter_name: str = Field(default="", max_length=100)
    reporter_phone: str = Field(default="", max_length=30, pattern=r"^[0-9+\- ]*$")
    urgency: Literal["normal", "urgent", "emergency"] | None = None
    anonymous: bool = Field(default=False, description="匿名反映: 不保存姓名、电话和账号")


class CaseAction(CleanText):
    """One action on a case. `version` (optional) makes the action conditional: a concurrent change → 409 conflict."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(
        description="register, reject, direct_close, dispatch, accept, return, handle, verify, "
        "rework, evaluate, request_postpone, approve_postpone, deny_postpone, suspend, "
        "resume, merge, whistle, check_in, task_feedback, rate_department"
    )
    version: int | None = Field(default=None, description="客户端看到的案件版本号")
    reason: str | None = None
    note: str | None = None
    comment: str | None = None
    evidence: list[str] | None = None
    unit_code: str | None = None
    assist_unit_codes: list[str] | None = None
    department_codes: list[str] | None = None
    grid_code: str | None = GridCode
    category_code: str | None = None
    urgency: Literal["normal", "urgent", "emergency"] | None = None
    resolved: bool | None = None
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied"] | None = None
    amount: int | None = Field(default=None, gt=0, le=100000)
    unit: Literal["minutes", "hours", "working_days"] | None = None
    into_case_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    rating: int | None = Field(default=None, ge=1, le=5)

    def params(self) -> dict[str, Any]:
        return self.model_dump(exclude={"action", "version"}, exclude_none=True)


class UnitRef(BaseModel):
    code: str
    name: str
    kind: str


class TaskPublic(BaseModel):
    id: int
    unit: UnitRef
    role: str
    status: str
    assigned_at: datetime
    response_due_at: datetime
    handle_due_at: datetime
    responded_at: datetime | None
    response_late: bool | None
    handled_at: datetime | None
    feedback: str
    evidence: list[str]
    return_reason: str
    rework_count: int
    postponed: bool
    rating: int | None


class CasePublic(BaseModel):
    id: int
    tracking_code: str
    version: int
    title: str
    description: str
    source: str
    category_code: str | None
    category_name: str | None
    urgency: str
    grid_code: str | None
    grid_name: str | None
    address: str
    lat: float | None
    lon: float | None
    input_crs: str | None
    location_source: str
    location_confidence: float | None
    reporter_name: str
    reporter_phone: str
    status: str
    status_label: str
    status_kind: str
    owner_unit: UnitRef | None
    parent_case_id: int | None
    created_at: datetime
    updated_at: datetime
    registered_at: datetime | None
    dispatched_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    response_due_at: datetime | None
    handle_due_at: datetime | None
    alarm_level: str
    overdue: bool
    escalation_level: int
    escalated_to: UnitRef | None
    rework_count: int
    return_count: int
    postponed: bool
    postpone_request: dict[str, Any] | None
    suspended: bool
    resolved: bool | None
    satisfaction: str | None
    evaluated_at: datetime | None
    event_count: int
    suggested_category_code: str | None
    suggestion_confidence: float | None
    suggestion_source: str | None
    suggestion_model: str | None
    suggestions: list[dict[str, Any]] | None
    category_source: str
    needs_review: bool
    suggested_unit: UnitRef | None
    duplicate_candidates: list[dict[str, Any]] | None
    allowed_actions: list[str]
    tasks: list[TaskPublic]


class CaseSummary(BaseModel):
    id: int
    tracking_code: str
    title: str
    status: str
    status_label: str
    category_code: str | None
    grid_code: str | None
    urgency: str
    owner_unit_code: str | None
    alarm_level: str
    overdue: bool
    created_at: datetime
    handle_due_at: datetime | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class EventPublic(BaseModel):
    id: int
    seq: int
    event_type: str
    tag: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_name: str | None
    actor_role: str
    unit: UnitRef | None
    occurred_at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class CaseCreated(BaseModel):
    id: int
    tracking_code: str
    status: str
    created: bool
    upload_token: str | None = Field(
        default=None, description="上报人 30 分钟内上传照片用的凭证 (请求头 X-Upload-Token), 匿名反映亦可"
    )
