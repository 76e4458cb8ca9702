"""Who may change air data, and the file digest every import records."""

from __future__ import annotations

import hashlib

from gridgov.actor import Actor, Role
from gridgov.errors import PermissionDenied

EDITORS = frozenset({Role.ADMIN, Role.DISPATCHER})  # the command centre runs the scorecards and their data


def require_editor(actor: Actor) -> None:
    if actor.role not in EDITORS:
        raise PermissionDenied("只有指挥中心和系统管理员可以导入空气质量数据")


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
