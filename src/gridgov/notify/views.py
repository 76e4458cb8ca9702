"""The notify JSON routes: gateways' delivery receipts (回执), authenticated by a shared token, not by a user."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, Field

from gridgov.errors import Unauthenticated
from gridgov.notify.repository import SqlNotifyUnitOfWork
from gridgov.notify.services import record_receipt
from gridgov.web.deps import ContainerDep

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
