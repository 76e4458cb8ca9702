"""The notify JSON routes: gateways' delivery receipts (回执), authenticated by a shared token, not by a user."""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, Field

from gridgov.actor import Actor, Role
from gridgov.errors import Unauthenticated
from gridgov.notify import follows
from gridgov.notify.domain import FollowMode, make_target
from gridgov.notify.repository import SqlNotifyUnitOfWork
from gridgov.notify.services import my_contacts, record_receipt, set_my_contact
from gridgov.notify.services.people import STAFF_CONTACT_ROLES
from gridgov.web.deps import ContainerDep, require_role

router = APIRouter(prefix="/api/v1/notify", tags=["通知 notify"])


class Receipt(BaseModel):
    requestId: str = Field(min_length=1, max_length=64)  # noqa: N815  (the gateway's own field name)
    status: Literal["delivered", "failed"]
    text: str = Field(default="", max_length=2000)


class ReceiptAnswer(BaseModel):
    requestId: str  # noqa: N815
    status: str


def gateway_token(container: ContainerDep, authorization: Annotated[str, Header()] = "") -> None:
    """The gateway's shared token (`Authorization: Bearer <GRIDGOV_NOTIFY_RECEIPT_TOKEN>`; unset: all refused),
    checked before the body is read."""
    expected = container.settings.notify_receipt_token
    if not expected or not hmac.compare_digest(authorization, f"Bearer {expected}"):
        raise Unauthenticated("回执令牌无效")


# no user role opens this door: only the gateway's shared token does (x-roles [] for the role matrix test)
@router.post("/receipts", response_model=ReceiptAnswer, openapi_extra={"x-roles": []})
def receipt(body: Receipt, container: ContainerDep, _: Annotated[None, Depends(gateway_token)]) -> ReceiptAnswer:
    """A gateway's delivery report for the message with this idempotency key: sent → delivered or failed."""
    uow = SqlNotifyUnitOfWork(container.uow())
    view = record_receipt(uow, body.requestId, body.status == "delivered", body.text, container.clock.now())
    return ReceiptAnswer(requestId=body.requestId, status=view.status.value)


# -- a staff member's own contacts: where the unit's SMS and e-mail reach them (issue 15) ----------------------
Staff = Annotated[Actor, Depends(require_role(*STAFF_CONTACT_ROLES))]


class ContactIn(BaseModel):
    channel: Literal["sms", "email"]
    address: str = Field(max_length=200)  # empty: cleared


@router.get("/contacts/me", summary="我的通知方式 (短信号码、电子邮箱)")
def get_my_contacts(container: ContainerDep, actor: Staff) -> dict[str, Any]:
    return my_contacts(SqlNotifyUnitOfWork(container.uow(write=False)), actor)


@router.put("/contacts/me", summary="设置或清除我的短信号码或电子邮箱 (本单位的短信、邮件通知发到这里)")
def put_my_contact(body: ContactIn, container: ContainerDep, actor: Staff) -> dict[str, Any]:
    uow = SqlNotifyUnitOfWork(container.uow())
    return set_my_contact(uow, actor, body.channel, body.address, container.clock.now())


# -- following a case or an area (issue 15) ----------------------------------------------------------------
follows_router = APIRouter(prefix="/api/v1/follows", tags=["关注 follows"])
FOLLOW_ROLES = tuple(r for r in Role if r is not Role.SYSTEM)


class FollowRequest(BaseModel):
    case_id: int | None = Field(default=None, ge=1)
    grid_code: str | None = Field(default=None, min_length=15, max_length=15, pattern=r"^\d{15}$")
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    mode: Literal["now", "digest"] = "now"


Follower = Annotated[Actor, Depends(require_role(*FOLLOW_ROLES))]


@follows_router.get("", summary="我关注的问题与区域")
def my_follows(container: ContainerDep, actor: Follower) -> dict[str, Any]:
    assert actor.user_id is not None
    return {"items": follows.of_user(container.sessions, actor.user_id)}


@follows_router.post("", status_code=201, summary="关注一个问题、一个网格 (含下级) 或一个点周边; 实时提醒或每日汇总")
def add_follow(body: FollowRequest, container: ContainerDep, actor: Follower) -> dict[str, Any]:
    assert actor.user_id is not None
    target = make_target(body.case_id, body.grid_code, body.lat, body.lon, body.radius_m)
    return follows.follow(container.sessions, actor.user_id, target, FollowMode(body.mode), container.clock.now())


@follows_router.delete("/{follow_id}", summary="取消关注")
def remove_follow(follow_id: int, container: ContainerDep, actor: Follower) -> dict[str, str]:
    assert actor.user_id is not None
    follows.unfollow(container.sessions, actor.user_id, follow_id)
    return {"status": "ok"}
