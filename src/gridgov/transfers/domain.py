"""转办 (issue 17): the targets a case may go to, who may transfer, and the JSON documents two gridgov instances
exchange (docs/hotline.md#转办-transfers). Pure: the documents are read and checked here, field by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridgov.accounts.domain import Role
from gridgov.errors import ValidationFailed

# who transfers a case and records the outcome reported back (the 12345 centre's operators and dispatchers)
TRANSFER_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})
# the linkage lines and platforms a centre usually passes cases to; GRIDGOV_TRANSFER_TARGETS replaces the list
DEFAULT_TARGETS: dict[str, str] = {
    "110": "110 公安联动",
    "119": "119 消防联动",
    "120": "120 急救联动",
    "122": "122 交警联动",
    "12345-province": "省 12345 政务服务便民热线平台",
    "12345-other-city": "外市 12345 热线 (跨市转办)",
}

CASE_FORMAT = "gridgov.transfer"
OUTCOME_FORMAT = "gridgov.transfer-outcome"
VERSION = 1
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class Target:
    code: str
    name: str


def targets_of(configured: Mapping[str, str]) -> dict[str, Target]:
    """The targets from the settings, or the default list."""
    items = configured or DEFAULT_TARGETS
    return {code: Target(code, name) for code, name in items.items()}


def target(targets: Mapping[str, Target], code: str) -> Target:
    if code not in targets:
        raise ValidationFailed(f"未知的转办对象: {code}", field="target_code", known=sorted(targets))
    return targets[code]


def transfer_ref(instance: str, tracking_code: str) -> str:
    """The sender's reference of one transfer: unique per sending instance (a case is transferred once), the key
    of an idempotent import."""
    return f"{instance}:{tracking_code}"


@dataclass(frozen=True, slots=True)
class CaseDocument:
    """A case passed to another gridgov instance (format gridgov.transfer, version 1)."""

    sender: str
    transfer_ref: str
    target_code: str
    reason: str
    transferred_at: datetime
    tracking_code: str
    title: str
    description: str
    address: str
    lat: float | None
    lon: float | None
    urgency: str
    category_code: str | None
    reporter_name: str
    reporter_phone: str
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class OutcomeDocument:
    """What the receiver reports back (format gridgov.transfer-outcome, version 1)."""

    transfer_ref: str
    receiver: str
    receiver_ref: str
    status: str
    outcome: str
    reported_at: datetime


def _obj(doc: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(doc, Mapping):
        raise ValidationFailed(f"{path or '文档'}须为 JSON 对象", field=path or "document")
    return doc


def _str(doc: Mapping[str, Any], name: str, path: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    field = f"{path}{name}"
    value = doc.get(name)
    if value is None or value == "":
        if required:
            raise ValidationFailed(f"缺少字段 {field}", field=field)
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(f"字段 {field} 须为字符串", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"字段 {field} 过长 (至多 {limit} 字)", field=field)
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValidationFailed(f"字段 {field} 含有不可见控制字符", field=field)
    return value


def _time(doc: Mapping[str, Any], name: str, path: str) -> datetime:
    raw = _str(doc, name, path, limit=40)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"字段 {path}{name} 须为带时区的 ISO 8601 时间", field=f"{path}{name}") from None
    if value.tzinfo is None:
        raise ValidationFailed(f"字段 {path}{name} 须为带时区的 ISO 8601 时间", field=f"{path}{name}")
    return value


def _coord(doc: Mapping[str, Any], name: str, bound: float) -> float | None:
    value = doc.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
        raise ValidationFailed(f"字段 case.{name} 须为 ±{bound:g} 以内的数", field=f"case.{name}")
    return float(value)


def _header(doc: Any, fmt: str) -> Mapping[str, Any]:
    body = _obj(doc, "")
    if body.get("format") != fmt:
        raise ValidationFailed(f"字段 format 须为 {fmt}", field="format")
    if body.get("version") != VERSION:
        raise ValidationFailed(f"字段 version 不支持: {body.get('version')!r} (支持 {VERSION})", field="version")
    return body


def read_case_document(doc: Any) -> CaseDocument:
    """Check a received case document; ValidationFailed names the first wrong field."""
    body = _header(doc, CASE_FORMAT)
    case = _obj(body.get("case"), "case")
    lat, lon = _coord(case, "lat", 90), _coord(case, "lon", 180)
    if (lat is None) != (lon is None):
        raise ValidationFailed("字段 case.lat 与 case.lon 须同时提供", field="case.lat")
    urgency = _str(case, "urgency", "case.", required=False, limit=20) or "normal"
    if urgency not in ("normal", "urgent", "emergency"):
        raise ValidationFailed(f"字段 case.urgency 须为 normal / urgent / emergency: {urgency}", field="case.urgency")
    out = CaseDocument(
        sender=_str(body, "sender", "", limit=40),
        transfer_ref=_str(body, "transfer_ref", "", limit=80),
        target_code=_str(body, "target_code", "", limit=40),
        reason=_str(body, "reason", ""),
        transferred_at=_time(body, "transferred_at", ""),
        tracking_code=_str(case, "tracking_code", "case.", limit=40),
        title=_str(case, "title", "case.", limit=200),
        description=_str(case, "description", "case.", required=False),
        address=_str(case, "address", "case.", required=False, limit=300),
        lat=lat,
        lon=lon,
        urgency=urgency,
        category_code=_str(case, "category_code", "case.", required=False, limit=20) or None,
        reporter_name=_str(case, "reporter_name", "case.", required=False, limit=100),
        reporter_phone=_str(case, "reporter_phone", "case.", required=False, limit=30),
        reported_at=_time(case, "reported_at", "case."),
    )
    if not out.address.strip() and out.lat is None:
        raise ValidationFailed("字段 case.address 或坐标须提供其一", field="case.address")
    return out


def case_document(d: CaseDocument) -> dict[str, Any]:
    return {
        "format": CASE_FORMAT,
        "version": VERSION,
        "sender": d.sender,
        "transfer_ref": d.transfer_ref,
        "target_code": d.target_code,
        "reason": d.reason,
        "transferred_at": d.transferred_at.isoformat(),
        "case": {
            "tracking_code": d.tracking_code,
            "title": d.title,
            "description": d.description,
            "address": d.address,
            "lat": d.lat,
            "lon": d.lon,
            "urgency": d.urgency,
            "category_code": d.category_code,
            "reporter_name": d.reporter_name,
            "reporter_phone": d.reporter_phone,
            "reported_at": d.reported_at.isoformat(),
        },
    }


def read_outcome_document(doc: Any) -> OutcomeDocument:
    body = _header(doc, OUTCOME_FORMAT)
    return OutcomeDocument(
        transfer_ref=_str(body, "transfer_ref", "", limit=80),
        receiver=_str(body, "receiver", "", limit=40),
        receiver_ref=_str(body, "receiver_ref", "", limit=80),
        status=_str(body, "status", "", limit=20),
        outcome=_str(body, "outcome", ""),
        reported_at=_time(body, "reported_at", ""),
    )


def outcome_document(d: OutcomeDocument) -> dict[str, Any]:
    return {
        "format": OUTCOME_FORMAT,
        "version": VERSION,
        "transfer_ref": d.transfer_ref,
        "receiver": d.receiver,
        "receiver_ref": d.receiver_ref,
        "status": d.status,
        "outcome": d.outcome,
        "reported_at": d.reported_at.isoformat(),
    }
