"""Request and response shapes for the case API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gridgov.cases.commands import CaseCommand, build_command
from gridgov.validation import CleanText

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


class _ActionBody(CleanText):
    """Common to every action: `version` (optional) makes the action conditional — a concurrent change gives
    409 conflict. A field that belongs to another action is ignored; an unknown field is refused."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, description="客户端看到的案件版本号")

    @model_validator(mode="before")
    @classmethod
    def _drop_other_actions_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k in cls.model_fields or k not in ACTION_FIELDS}
        return data

    def to_command(self) -> CaseCommand:
        """The typed command (checked and worded in Chinese by cases.commands.build_command)."""
        return build_command(self.action, self.model_dump(exclude={"action", "version"}, exclude_none=True))  # type: ignore[attr-defined]


Text = Field(default=None, max_length=4000)


class RegisterBody(_ActionBody):
    """立案: optionally fix the grid, the category and the urgency."""

    action: Literal["register"]
    grid_code: str | None = GridCode
    category_code: str | None = None
    urgency: Literal["normal", "urgent", "emergency"] | None = None
    note: str | None = Text


class RejectBody(_ActionBody):
    """不予立案 (reason required)."""

    action: Literal["reject"]
    reason: str | None = Text


class DirectCloseBody(_ActionBody):
    """直接办结: a consultation answered on the phone (note required; never urgent or 部件/事件)."""

    action: Literal["direct_close"]
    note: str | None = Text


class DispatchBody(_ActionBody):
    """派遣: to `unit_code`, or to the unit the responsibility matrix picks; optional assisting units."""

    action: Literal["dispatch"]
    unit_code: str | None = None
    assist_unit_codes: list[str] | None = None
    category_code: str | None = None
    note: str | None = Text


class AcceptBody(_ActionBody):
    """签收 by the primary unit."""

    action: Literal["accept"]


class ReturnBody(_ActionBody):
    """退回 by the primary unit (reason required)."""

    action: Literal["return"]
    reason: str | None = Text


class HandleBody(_ActionBody):
    """处置反馈 (note required, evidence = photo ids or links)."""

    action: Literal["handle"]
    note: str | None = Text
    evidence: list[str] | None = None


class VerifyBody(_ActionBody):
    """核查结案."""

    action: Literal["verify"]
    note: str | None = Text
    evidence: list[str] | None = None


class ReworkBody(_ActionBody):
    """返工 (reason required)."""

    action: Literal["rework"]
    reason: str | None = Text
    evidence: list[str] | None = None


class EvaluateBody(_ActionBody):
    """回访评价: resolved yes/no and 满意 / 基本满意 / 不满意."""

    action: Literal["evaluate"]
    resolved: bool | None = None
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied"] | None = None
    comment: str | None = Text


class RequestPostponeBody(_ActionBody):
    """申请延期: how much more time, and why."""

    action: Literal["request_postpone"]
    amount: int | None = Field(default=None, gt=0, le=100000)
    unit: Literal["minutes", "hours", "working_days"] | None = None
    reason: str | None = Text


class ApprovePostponeBody(_ActionBody):
    action: Literal["approve_postpone"]
    note: str | None = Text


class DenyPostponeBody(_ActionBody):
    action: Literal["deny_postpone"]
    reason: str | None = Text


class SuspendBody(_ActionBody):
    """挂起: pauses the clock (reason required)."""

    action: Literal["suspend"]
    reason: str | None = Text


class ResumeBody(_ActionBody):
    action: Literal["resume"]


class MergeBody(_ActionBody):
    """并案 into another open case."""

    action: Literal["merge"]
    into_case_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class WhistleBody(_ActionBody):
    """吹哨: the owning street summons departments."""

    action: Literal["whistle"]
    department_codes: list[str] | None = None
    note: str | None = Text


class CheckInBody(_ActionBody):
    """报到 by a summoned or assisting unit."""

    action: Literal["check_in"]
    note: str | None = Text


class TaskFeedbackBody(_ActionBody):
    """反馈 by a summoned or assisting unit (note required)."""

    action: Literal["task_feedback"]
    note: str | None = Text
    evidence: list[str] | None = None


class CancelTaskBody(_ActionBody):
    """撤销召集 of a department that did not answer (reason required)."""

    action: Literal["cancel_task"]
    unit_code: str | None = None
    reason: str | None = Text


class RateDepartmentBody(_ActionBody):
    """评价报到部门 from 1 to 5."""

    action: Literal["rate_department"]
    unit_code: str | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    note: str | None = Text


# 12345 operations (issue 17): appeals (申诉/甄别)
class AppealBody(_ActionBody):
    """申诉: the handling unit contests the verdict on its work (verdict) or asks for a class (reason required)."""

    action: Literal["appeal"]
    appeal_kind: Literal["verdict", "unreasonable", "not_ours", "duplicate", "unreachable"] | None = None
    reason: str | None = Text
    evidence: list[str] = Field(default_factory=list, max_length=20)


class UpholdAppealBody(_ActionBody):
    """申诉成立 (the command centre; reason required): the case leaves the unit's affected rates."""

    action: Literal["uphold_appeal"]
    unit_code: str | None = None
    reason: str | None = Text


class RefuseAppealBody(_ActionBody):
    """申诉不成立 (the command centre; reason required)."""

    action: Literal["refuse_appeal"]
    unit_code: str | None = None
    reason: str | None = Text


# 督办/催办 (issue 15)
class SuperviseBody(_ActionBody):
    """督办: by a leader or the command centre, with a deadline (督办时限) and what is asked (note required)."""

    action: Literal["supervise"]
    due_at: datetime | str | None = Field(default=None, description="督办时限: ISO 日期时间 (无时区按北京时间) 或日期")
    note: str | None = Text


class ReplySupervisionBody(_ActionBody):
    """督办回复 by the supervised unit (note required)."""

    action: Literal["reply_supervision"]
    note: str | None = Text


ACTION_BODIES: tuple[type[_ActionBody], ...] = (
    RegisterBody,
    RejectBody,
    DirectCloseBody,
    DispatchBody,
    AcceptBody,
    ReturnBody,
    HandleBody,
    VerifyBody,
    ReworkBody,
    EvaluateBody,
    RequestPostponeBody,
    ApprovePostponeBody,
    DenyPostponeBody,
    SuspendBody,
    ResumeBody,
    MergeBody,
    WhistleBody,
    CheckInBody,
    TaskFeedbackBody,
    CancelTaskBody,
    RateDepartmentBody,
    # 12345 operations (issue 17)
    AppealBody,
    UpholdAppealBody,
    RefuseAppealBody,
    # 督办/催办 (issue 15)
    SuperviseBody,
    ReplySupervisionBody,
)
ACTION_FIELDS = frozenset(name for body in ACTION_BODIES for name in body.model_fields)

CaseAction = Annotated[
    RegisterBody
    | RejectBody
    | DirectCloseBody
    | DispatchBody
    | AcceptBody
    | ReturnBody
    | HandleBody
    | VerifyBody
    | ReworkBody
    | EvaluateBody
    | RequestPostponeBody
    | ApprovePostponeBody
    | DenyPostponeBody
    | SuspendBody
    | ResumeBody
    | MergeBody
    | WhistleBody
    | CheckInBody
    | TaskFeedbackBody
    | CancelTaskBody
    | RateDepartmentBody
    # 12345 operations (issue 17)
    | AppealBody
    | UpholdAppealBody
    | RefuseAppealBody
    # 督办/催办 (issue 15)
    | SuperviseBody
    | ReplySupervisionBody,
    Field(discriminator="action"),
]


class UnitRef(BaseModel):
    code: str
    name: str
    kind: str


class SuggestedUnit(UnitRef):
    basis: str = "matrix"  # matrix | matrix-returned | category+grid | category+community | category+street
    basis_label: str = "权属规则"
    confidence: float = 0.0


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


# 督办/催办 (issue 15)
class SupervisionPublic(BaseModel):
    id: int
    status: str
    status_label: str
    note: str
    issued_at: datetime
    issued_by_role: str
    due_at: datetime
    unit_name: str
    replied_at: datetime | None
    reply: str
    on_time: bool | None
    escalation_level: int
    escalated_to: str | None


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
    location_conflict: dict[str, str] | None = Field(
        None, description="标注点所在区县与地址所写区县不一致 (仅工作人员可见)"
    )
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
    suggested_unit: SuggestedUnit | None
    duplicate_candidates: list[dict[str, Any]] | None
    duplicate_notice: str | None = None  # 附近已有类似问题正在处理: all a resident learns of the hints
    allowed_actions: list[str]
    tasks: list[TaskPublic]
    supervisions: list[SupervisionPublic] = []  # 督办/催办 (issue 15)


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
