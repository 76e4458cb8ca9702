"""Domain errors. Each has a stable machine code and a Chinese message; the web layer maps them to HTTP."""

from __future__ import annotations

from typing import Any


class GridgovError(Exception):
    code = "error"
    status = 400
    message = "请求无法处理"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or type(self).message
        self.details = details
        super().__init__(self.message)


class ValidationFailed(GridgovError):
    code = "validation_error"
    status = 422
    message = "输入不合法"


class NotFound(GridgovError):
    code = "not_found"
    status = 404
    message = "对象不存在"


class PermissionDenied(GridgovError):
    code = "permission_denied"
    status = 403
    message = "无权执行此操作"


class Unauthenticated(GridgovError):
    code = "unauthenticated"
    status = 401
    message = "缺少或无效的访问令牌"


class InvalidTransition(GridgovError):
    code = "invalid_transition"
    status = 409
    message = "当前状态下不允许该操作"


class Conflict(GridgovError):
    code = "conflict"
    status = 409
    message = "案件已被他人修改，请刷新后重试"


class IdempotencyConflict(GridgovError):
    code = "idempotency_key_reused"
    status = 409
    message = "同一幂等键已用于内容不同的请求"


class DuplicateKey(GridgovError):
    code = "duplicate"
    status = 409
    message = "记录已存在"
