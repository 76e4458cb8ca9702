"""Open311 GeoReport v2 on top of the case loop: argument rules, the create use case, and the mapping
of categories and cases to Open311 records. No framework and no SQL here (those are views and queries).

Personal data (PIPL, DOMAIN.md): a request's name and phone are stored on the case like any other
intake, its `email` beside the case as a contact (open311_requests); `media_url` is accepted and dropped. No
GET record carries the reporter's name, phone, e-mail or account, and its free text is redacted (gridgov.redact).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from gridgov.accounts.domain import Actor
from gridgov.cases.domain import CaseStatus, StatusKind, statuses_of_kind
from gridgov.cases.services import CaseDraft, CasePolicy, Locator, Reported, report_case
from gridgov.categories.models import Category
from gridgov.classify.ports import Classifier
from gridgov.clock import SHANGHAI
from gridgov.errors import GridgovError, IdempotencyConflict, NotFound
from gridgov.grids.domain import check_code
from gridgov.logging import get_logger
from gridgov.open311.models import Open311Request
from gridgov.open311.ports import Open311UnitOfWork, Photos
from gridgov.open311.queries import RequestQuery, RequestRow
from gridgov.redact import redact, redact_text

log = get_logger(__name__)

MAX_PAGE = 1_000_000
MAX_REQUESTS = 1000  # the most records one GET requests answers (spec); page_size is clamped to it
WINDOW = timedelta(days=90)  # default and widest start_date..end_date span (spec)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+08:00"  # when this endpoint's behaviour last changed (discovery)
TAXONOMY_LABELS = {"dcg": "数字城管", "hotline12345": "12345热线"}
KIND_LABELS = {"component": "部件", "event": "事件", "service": "服务"}
PHONE = re.compile(r"^[0-9+\- ]*$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")  # control characters, lone surrogates
LIMITS = {
    "description": 5000,
    "address_string": 300,
    "first_name": 50,
    "last_name": 49,  # with the space between, the name fits the case's 100 characters
    "phone": 30,
    "service_code": 20,
    "grid_code": 15,
}


class BadArgument(GridgovError):
    code = "open311_bad_argument"
    status = 400
    message = "参数不合法"


class UnsupportedMediaType(GridgovError):
    code = "open311_unsupported_media_type"
    status = 415
    message = "不支持的请求体类型，请用 application/x-www-form-urlencoded、multipart/form-data 或 application/json"


class InvalidApiKey(GridgovError):
    code = "invalid_api_key"
    status = 403
    message = "api_key 缺失或无效，不能提交服务请求"


class UnknownService(NotFound):
    code = "unknown_service"
    message = "服务类型 (service_code) 不存在"


class UnknownRequest(NotFound):
    code = "unknown_request"
    message = "服务请求不存在"


class UnknownJurisdiction(NotFound):
    code = "unknown_jurisdiction"
    message = "jurisdiction_id 不属于本平台"


def http_status(exc: GridgovError) -> int:
    """The Open311 status for a domain error: 403 bad key or not allowed, 404 unknown, 400 anything else."""
    if exc.status in (401, 403):
        return 403
    if exc.status == 404:
        return 404
    if exc.status in (415, 429):
        return exc.status
    return 400


def check_jurisdiction(jurisdiction_id: str | None, city_code: str) -> None:
    """Omitted is fine (one city per deployment); else the city's code, short ("4101") or 6-digit ("410100")."""
    if jurisdiction_id is None or jurisdiction_id == "":
        return
    if jurisdiction_id not in {city_code, city_code.ljust(6, "0")}:
        raise UnknownJurisdiction(f"jurisdiction_id 不属于本平台: {jurisdiction_id}")


def iso(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value is not None else None


# -- discovery and services ------------------------------------------------------------------------
def discovery(url: str, city_name: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": f"{city_name}城市运行管理中心 (12345)",
        "key_service": "api_key 即 gridgov 访问令牌，由平台管理员签发: gridgov token issue <用户名>",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _qualifier(c: Category) -> str:
    """What tells apart two categories of one name: 部件 / 事件 for 数字城管, 12345热线 for the hotline's."""
    return TAXONOMY_LABELS.get(c.taxonomy, c.taxonomy) if c.taxonomy != "dcg" else KIND_LABELS.get(c.kind, c.kind)


def unique_names(categories: Sequence[Category], qualify: Callable[[Category], Sequence[str]]) -> dict[str, str]:
    """Each category's name, made unique (clients such as FixMyStreet match categories by name): a name that
    several categories share gets the first of its qualifiers in brackets, 市容环境（部件）; where that still
    collides, the next; then the code."""
    names = {c.code: c.name for c in categories}
    for level in range(3):
        seen: dict[str, list[Category]] = {}
        for c in categories:
            seen.setdefault(names[c.code], []).append(c)
        clashes = [group for group in seen.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            for c in group:
                quals = [*qualify(c), c.code]
                names[c.code] = f"{c.name}（{'·'.join(quals[: level + 1])}）"
    return names


def service_records(categories: Sequence[Category]) -> list[dict[str, Any]]:
    """Every active category below the first level is a service; its group is its first-level category, which is
    not itself a service. Names are unique across both taxonomies (`unique_names`), groups likewise."""
    by_code = {c.code: c for c in categories}

    def top(c: Category) -> Category:
        seen = {c.code}
        while c.parent_code and c.parent_code in by_code and c.parent_code not in seen:
            c = by_code[c.parent_code]
            seen.add(c.code)
        return c

    parents = {c.parent_code for c in categories if c.parent_code}
    tops = [c for c in categories if c.parent_code is None or c.parent_code not in by_code]
    group_names = unique_names(tops, lambda c: (_qualifier(c),))
    offered = [c for c in categories if not (c.code in group_names and c.code in parents)]

    def qualifiers(c: Category) -> tuple[str, ...]:
        return (_qualifier(c), group_names.get(top(c).code, top(c).name))

    names = unique_names(offered, qualifiers)
    records = []
    for c in offered:
        parent = by_code.get(c.parent_code) if c.parent_code else None
        taxonomy = TAXONOMY_LABELS.get(c.taxonomy, c.taxonomy)
        kind = KIND_LABELS.get(c.kind, c.kind)
        path = " › ".join(p for p in (f"{taxonomy}{kind}", parent.name if parent else "", c.name) if p)
        first = top(c)
        records.append(
            {
                "service_code": c.code,
                "service_name": names[c.code],
                "description": path,
                "metadata": True,
                "type": "realtime",
                "keywords": ", ".join(
                    dict.fromkeys(k for k in (c.name, parent.name if parent else "", taxonomy, kind) if k)
                ),
                "group": group_names[first.code] if first is not c else f"{taxonomy}{kind}",
            }
        )
    return records


EXTERNAL_ID = "external_id"
EXTERNAL_ID_ALIASES = (EXTERNAL_ID, "fixmystreet_id")  # FixMyStreet's own name for its report number


def service_definition(category: Category | None, code: str) -> dict[str, Any]:
    """Every service has one hidden attribute: the client's own report number, which makes a resend of the same
    report give back the same case."""
    if category is None:
        raise UnknownService(f"服务类型不存在: {code}")
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": False,
                "code": EXTERNAL_ID,
                "datatype": "string",
                "required": False,
                "datatype_description": "提交方自己的报告编号（隐藏字段，由系统填写）",
                "order": 1,
                "description": "外部编号: 同一编号重复提交时返回同一受理编号",
                "automated": "hidden_field",
            }
        ],
    }


# -- POST requests ---------------------------------------------------------------------------------
def clean_text(name: str, value: str) -> str:
    """Arguments with control characters are refused (PostgreSQL cannot store or compare NUL)."""
    if _CONTROL.search(value):
        raise BadArgument(f"{name} 含有不可见控制字符")
    return value


POST_KINDS = frozenset({"application/x-www-form-urlencoded", "application/json", "multipart/form-data", ""})


def form_fields(form: Mapping[str, str], query: Mapping[str, str]) -> dict[str, str]:
    """The arguments of a multipart POST: the query string, overridden by the form's text fields."""
    fields = {**query, **form}
    for name, value in fields.items():
        clean_text(name, value)
    return fields


def parse_fields(content_type: str, body: bytes, query: Mapping[str, str]) -> dict[str, str]:
    """The arguments of a POST: the query string, overridden by a form-encoded (spec) or JSON body."""
    fields = _parse_fields(content_type, body, query)
    for name, value in fields.items():
        clean_text(name, value)
    return fields


def _parse_fields(content_type: str, body: bytes, query: Mapping[str, str]) -> dict[str, str]:
    fields = dict(query)
    kind = content_type.split(";")[0].strip().lower()
    if not body.strip():
        return fields
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadArgument("请求体须为 UTF-8 编码") from None
    if kind == "application/json":
        try:
            data = json.loads(text)
        except ValueError:
            raise BadArgument("请求体不是合法的 JSON") from None
        if not isinstance(data, dict):
            raise BadArgument("JSON 请求体须为对象")
        for key, value in data.items():
            if value is None:
                continue
            if isinstance(value, dict | list):
                raise BadArgument(f"{key} 须为字符串或数字")
            fields[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
        return fields
    if kind in ("application/x-www-form-urlencoded", ""):
        for key, values in parse_qs(text, keep_blank_values=True).items():
            fields[key] = values[-1]
        return fields
    raise BadArgument(f"不支持的请求体类型: {kind}，请用 application/x-www-form-urlencoded 或 application/json")


def _number(fields: Mapping[str, str], name: str) -> float | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadArgument(f"{name} 须为数字: {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadArgument(f"{name} 须为有限数字")
    return value


def _reporter_name(first: str, last: str) -> str:
    """Chinese names put the family name first with no space; other names keep first + last."""
    if first and last and all("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(p for p in (first, last) if p)


def _title(description: str, service_name: str) -> str:
    line = next((ln.strip() for ln in description.splitlines() if ln.strip()), "")
    if not line:
        return service_name
    return line if len(line) <= 60 else line[:59] + "…"


def request_draft(fields: Mapping[str, str], category: Category | None) -> CaseDraft:
    """The case a POST files. `email`, `media_url`, `device_id`, `account_id` and attributes are not kept."""
    code = fields.get("service_code", "").strip()
    if not code:
        raise BadArgument("缺少 service_code")
    if category is None:
        raise BadArgument(f"service_code 不存在: {code}")
    for name, value in fields.items():
        clean_text(name, value)
        limit = LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise BadArgument(f"{name} 不能超过 {limit} 字")
    lat, lon = _number(fields, "lat"), _number(fields, "long")
    if (lat is None) != (lon is None):
        raise BadArgument("lat 与 long 须同时提供")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadArgument("lat/long 超出范围")
    address = fields.get("address_string", "").strip()
    grid_code = fields.get("grid_code", "").strip() or None
    if lat is None and not address and grid_code is None:
        raise BadArgument("须提供位置: lat + long、address_string 或 grid_code 之一")
    if grid_code is not None:
        check_code(grid_code)
    phone = fields.get("phone", "").strip()
    if not PHONE.match(phone):
        raise BadArgument("phone 只能包含数字、空格、+ 和 -")
    description = normalise(fields.get("description", ""))
    return CaseDraft(
        title=_title(description, category.name),
        description=description,
        source="open311",
        category_code=category.code,
        grid_code=grid_code,
        address=address,
        lat=lat,
        lon=lon,
        reporter_name=_reporter_name(fields.get("first_name", "").strip(), fields.get("last_name", "").strip()),
        reporter_phone=phone,
    )


@dataclass(frozen=True, slots=True)
class RequestExtra:
    """What a request carries beyond the case: the client's hidden report number, its other attributes and the
    reporter's e-mail (kept as a contact beside the case, never in a public answer or on the record)."""

    external_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    email: str = ""
    photos: tuple[bytes, ...] = ()


MAX_ATTRIBUTES = 50
ATTRIBUTE_LIMIT = 500
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")


def request_extra(fields: Mapping[str, str], photos: Sequence[bytes] = ()) -> RequestExtra:
    attributes: dict[str, str] = {}
    for name, value in fields.items():
        m = _ATTRIBUTE.match(name)
        if m is None:
            continue
        if len(value) > ATTRIBUTE_LIMIT:
            raise BadArgument(f"{name} 不能超过 {ATTRIBUTE_LIMIT} 字")
        attributes[m.group(1)] = value.strip()
    if len(attributes) > MAX_ATTRIBUTES:
        raise BadArgument(f"attribute 最多 {MAX_ATTRIBUTES} 个")
    external = next((attributes.pop(k) for k in EXTERNAL_ID_ALIASES if attributes.get(k)), None)
    for k in EXTERNAL_ID_ALIASES:
        attributes.pop(k, None)
    if external is not None and len(external) > 100:
        raise BadArgument("attribute[external_id] 不能超过 100 字")
    email = fields.get("email", "").strip()
    if len(email) > 200 or (email and "@" not in email):
        raise BadArgument("email 不合法")
    return RequestExtra(external or None, attributes, email, tuple(photos))


def submit_request(
    uow: Open311UnitOfWork,
    draft: CaseDraft,
    actor: Actor,
    now: datetime,
    locator: Locator | None = None,
    classifier: Classifier | None = None,
    policy: CasePolicy | None = None,
    enrich_later: Callable[[int], None] | None = None,
    extra: RequestExtra | None = None,
    photos: Photos | None = None,
) -> Reported:
    """POST requests: file the case as the api_key's user, through the case loop's own intake and rules
    (a point is located to its L3 grid, an address string parsed to a division).

    With an `external_id`, a resend of the same report (same api_key, same id) gives back the case filed first
    and writes nothing (the case's idempotency key, so two resends at once still make one case). Photos pass
    gridgov.media's checks before anything is written; the attributes and e-mail are kept beside the case."""
    extra = extra or RequestExtra()
    if extra.photos and photos is None:
        raise BadArgument("本服务未配置照片存储")
    for data in extra.photos:
        assert photos is not None
        photos.check(data)
    key = f"open311:{extra.external_id}" if extra.external_id else None
    if key is not None:
        with uow:
            first = uow.cases.by_idempotency_key(f"{actor.user_id or 0}:{key}")
            if first is not None:
                log.info("open311_request_resent", case_id=first.id)
                return Reported(first.id, first.tracking_code, first.status, False)
    try:
        reported = report_case(
            uow,
            draft,
            actor,
            now,
            idempotency_key=key,
            locator=locator,
            classifier=classifier,
            policy=policy or CasePolicy(),
            enrich_later=enrich_later,
        )
    except IdempotencyConflict:  # resent at the same moment with other content: still the same report
        with uow:
            first = uow.cases.by_idempotency_key(f"{actor.user_id or 0}:{key}")
            if first is None:
                raise
            return Reported(first.id, first.tracking_code, first.status, False)
    if not reported.created:
        return reported
    with uow:
        uow.open311.add_request(
            Open311Request(
                case_id=reported.id,
                user_id=actor.user_id,
                external_id=extra.external_id,
                email=extra.email,
                attributes=extra.attributes,
                created_at=now,
            )
        )
        uow.commit()
    for data in extra.photos:
        assert photos is not None
        photos.add(reported.id, data, actor, now)
    log.info("open311_request_created", case_id=reported.id, photos=len(extra.photos))
    return reported


def created_record(reported: Reported) -> dict[str, Any]:
    return {
        "service_request_id": reported.tracking_code,
        "service_notice": f"已受理，受理编号 {reported.tracking_code}，可凭编号查询办理进度",
        "account_id": None,
    }


# -- GET requests ----------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Form-encoded text arrives with CR LF line ends (HTML forms): stored with LF, trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def when(name: str, raw: str) -> datetime:
    text = raw.strip()
    if " " in text and "T" in text:  # an unencoded "+08:00" arrives as " 08:00"
        text = text.replace(" ", "+")
    try:
        value = datetime.fromisoformat(clean_text(name, text))
    except ValueError:
        raise BadArgument(f"{name} 须为 ISO 8601 时间, 例如 2025-10-01T00:00:00+08:00: {raw!r}") from None
    if not 1900 <= value.year <= 9000:
        raise BadArgument(f"{name} 超出范围: {raw!r}")
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def _positive(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if len(raw) <= 12 else 0
    except ValueError:
        raise BadArgument(f"{name} 须为正整数: {raw!r}") from None
    if not 1 <= value <= MAX_PAGE:
        raise BadArgument(f"{name} 须为 1 到 {MAX_PAGE} 之间的整数: {raw!r}")
    return value


def _codes(name: str, raw: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.strip() for c in clean_text(name, raw or "").split(",") if c.strip()))


def request_query(
    now: datetime,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
) -> RequestQuery:
    """GET requests' arguments. Without dates the window is the last 90 days; a window may not span more.
    Naive times are read as Asia/Shanghai. page_size defaults to, and is clamped at, MAX_REQUESTS."""
    cap = MAX_REQUESTS
    size = min(_positive("page_size", page_size, cap), cap)
    offset = (_positive("page", page, 1) - 1) * size
    ids = _codes("service_request_id", service_request_id)
    if ids:
        if len(ids) > cap:
            raise BadArgument(f"service_request_id 最多 {cap} 个")
        return RequestQuery(tracking_codes=ids, offset=offset, limit=size)
    start = when("start_date", start_date) if start_date and start_date.strip() else None
    end = when("end_date", end_date) if end_date and end_date.strip() else None
    if start is None and end is None:
        start, end = now - WINDOW, now
    elif start is None:
        assert end is not None
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if start > end:
        raise BadArgument("start_date 不能晚于 end_date")
    if end - start > WINDOW:
        raise BadArgument(f"start_date 与 end_date 相距不能超过 {WINDOW.days} 天")
    statuses: set[str] = set()
    for wanted in _codes("status", status):
        if wanted not in (StatusKind.OPEN.value, StatusKind.CLOSED.value):
            raise BadArgument(f"status 只能是 open 或 closed: {wanted!r}")
        kind = StatusKind(wanted)
        statuses |= {s.value for s in statuses_of_kind(kind)}
        if kind is StatusKind.CLOSED:  # 转办 (issue 17): a transferred case is closed for GeoReport (done here)
            statuses |= {s.value for s in statuses_of_kind(StatusKind.TRANSFERRED)}
    return RequestQuery(
        service_codes=_codes("service_code", service_code),
        start=start,
        end=end,
        statuses=frozenset(statuses),
        offset=offset,
        limit=size,
    )


def request_record(row: RequestRow) -> dict[str, Any]:
    """One case as a GeoReport request. Public fields only: never the reporter's name, phone or account, and
    the free text (description, status notes, address) with phones, ID numbers, e-mail addresses and names
    masked (gridgov.redact); the stored text stays whole for staff."""
    case = row.case
    status = CaseStatus(case.status)
    expected = case.handle_due_at or case.response_due_at
    open_ = status.kind is StatusKind.OPEN
    return {
        "service_request_id": case.tracking_code,
        "status": StatusKind.OPEN.value if open_ else StatusKind.CLOSED.value,  # a transferred case: closed
        "status_notes": f"{status.label}：{redact_text(row.note)}" if row.note else status.label,
        "service_name": row.service_name,
        "service_code": case.category_code,
        "description": redact_text(case.description or case.title),
        "agency_responsible": row.agency,
        "service_notice": f"预计 {iso(expected)} 前办结" if open_ and expected is not None else None,
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(expected),
        "address": redact(case.address) or None,
        "address_id": case.grid_code,
        "zipcode": None,
        "lat": case.lat if case.lat is not None else (row.approx[0] if row.approx else None),
        "long": case.lon if case.lon is not None else (row.approx[1] if row.approx else None),
        "location_approximate": case.lat is None and row.approx is not None,
        "media_url": None,
    }


def request_records(rows: Sequence[RequestRow]) -> list[dict[str, Any]]:
    return [request_record(r) for r in rows]


def one_request(rows: Sequence[RequestRow], code: str) -> list[dict[str, Any]]:
    if not rows:
        raise UnknownRequest(f"服务请求不存在: {code}")
    return request_records(rows[:1])


def token_record(exists: bool, token: str) -> list[dict[str, Any]]:
    """Requests are created synchronously, so a token is the request's id (its tracking code)."""
    if not exists:
        raise UnknownRequest(f"令牌不存在: {token}")
    return [{"service_request_id": token, "token": token}]
