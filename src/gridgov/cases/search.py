"""Finding a case: staff search by 查询编号, text, address and phone within their scope, and the public lookup by
查询编号 plus the 查询码 printed on the receipt.

Text is matched as a substring of title + description + address, Chinese included:

- PostgreSQL: a pg_trgm GIN index over that text for terms of three characters or more, and a GIN index over
  its character pairs (`gridgov_bigrams`) for two-character terms, which trigrams cannot index; the pairs only
  narrow the rows, the LIKE decides (migration 0009);
- SQLite: the FTS5 table `cases_fts` (trigram tokenizer) kept in sync by triggers; two-character terms, which
  FTS5's trigrams cannot match, fall back to LIKE over the cases.

Phones are matched on their digits (4 or more), so "138-0000 1234" is found by 13800001234 or 1234; they are
shown masked to the roles that see them masked elsewhere (cases.queries). Every query carries the same scope
condition as the case lists (cases.queries.in_scope)."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from gridgov.accounts.domain import Actor, Role, scope_of
from gridgov.cases.domain import ACTION_LABELS, Action, CaseStatus
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.queries import UNMASKED_ROLES, in_scope, mask_phone
from gridgov.categories.models import Category
from gridgov.errors import ValidationFailed
from gridgov.grids.models import Grid, GridVersion
from gridgov.redact import redact_text
from gridgov.signing import lookup_secret
from gridgov.units.models import Unit

MAX_QUERY = 100
MIN_TERM = 2
MIN_DIGITS = 4
TRACKING = re.compile(r"^\d{8}-[A-Z2-9]{6}$")
PHONE_SEPARATORS = re.compile(r"[\s\-+().]")
# the expressions of migration 0009's indexes (they must stay the same to be used)
PG_DOC = "(coalesce(cases.title, '') || ' ' || coalesce(cases.description, '') || ' ' || coalesce(cases.address, ''))"
PG_DIGITS = "regexp_replace(coalesce(cases.reporter_phone, ''), '[^0-9]', '', 'g')"


@dataclass(frozen=True, slots=True)
class Query:
    """What was typed, understood: a tracking code, a phone's digits, or text terms."""

    text: str
    tracking_code: str | None = None
    digits: str | None = None
    terms: tuple[str, ...] = ()


def parse(q: str) -> Query:
    cleaned = " ".join(q.split())
    if not cleaned:
        raise ValidationFailed("请输入查询编号、电话或关键词", field="q")
    if len(cleaned) > MAX_QUERY:
        raise ValidationFailed(f"查询内容最多 {MAX_QUERY} 个字", field="q")
    if TRACKING.match(cleaned.upper()):
        return Query(cleaned, tracking_code=cleaned.upper())
    digits = PHONE_SEPARATORS.sub("", cleaned)
    if digits.isdigit() and len(digits) >= MIN_DIGITS:
        return Query(cleaned, digits=digits)
    terms = tuple(t for t in cleaned.split(" ") if t)
    short = [t for t in terms if len(t) < MIN_TERM]
    if short:
        raise ValidationFailed(f"每个关键词至少 {MIN_TERM} 个字: {short[0]}", field="q")
    return Query(cleaned, terms=terms)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _ts_lexeme(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _pairs(term: str) -> list[str]:
    return sorted({term[i : i + 2].lower() for i in range(len(term) - 1)})


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match(session: Session, query: Query) -> ColumnElement[bool]:
    """The condition for the cases that match (without the scope)."""
    if query.tracking_code:
        return Case.tracking_code == query.tracking_code
    pg = session.get_bind().dialect.name == "postgresql"
    if query.digits:
        if pg:
            return literal_column(PG_DIGITS).like(_like(query.digits), escape="\\")
        fts = text("SELECT rowid FROM cases_fts WHERE cases_fts MATCH :m").bindparams(
            m=f"phone : {_fts_phrase(query.digits)}"
        )
        return Case.id.in_(fts.columns(literal_column("rowid")))
    conds: list[ColumnElement[bool]] = []
    doc_pg: ColumnElement[str] = literal_column(PG_DOC)
    doc_lite = func.coalesce(Case.title, "") + " " + func.coalesce(Case.description, "") + " "
    doc_lite = doc_lite + func.coalesce(Case.address, "")
    long_terms = [t for t in query.terms if len(t) >= 3]
    by_pairs = len(long_terms) < len(query.terms)  # a two-character word: the pairs index is needed
    for term in query.terms:
        if pg and by_pairs:
            # every word through the pairs index, and the exact check by strpos, which no index answers: with a
            # trigram condition beside the pairs one, PostgreSQL rechecks each candidate row against both
            # indexed expressions and computes gridgov_bigrams again for each (~60 µs a row, 350 ms for a
            # street's "红旗路 88" at 1M cases); the pairs index alone needs no recheck
            tsq = " & ".join(_ts_lexeme(p) for p in _pairs(term))
            conds.append(literal_column(f"gridgov_bigrams({PG_DOC})").op("@@")(func.to_tsquery("simple", tsq)))
            conds.append(func.strpos(func.lower(doc_pg), term.lower()) > 0)
        elif pg:
            # ILIKE on the indexed expression: the trigram index answers 3+ characters, and the planner reads the
            # expression's statistics (a custom plan: see search_cases)
            conds.append(doc_pg.ilike(_like(term), escape="\\"))
        elif len(term) < 3:
            conds.append(doc_lite.like(_like(term), escape="\\"))
    if not pg and long_terms:
        phrase = "doc : (" + " AND ".join(_fts_phrase(t) for t in long_terms) + ")"
        fts = text("SELECT rowid FROM cases_fts WHERE cases_fts MATCH :m").bindparams(m=phrase)
        conds.append(Case.id.in_(fts.columns(literal_column("rowid"))))
    return and_(*conds)


MAX_HITS = 10_000  # more digits matches than this: the usual plan (newest first, scope and match as filters)


def search_cases(session: Session, actor: Actor, q: str, limit: int = 20) -> dict[str, Any]:
    """The newest `limit` cases in the actor's scope that match `q`, with names for their codes."""
    query = parse(q)
    if session.get_bind().dialect.name == "postgresql":
        # the newest matches, LIMIT 21: the primary key walked backwards is the plan; a generic plan (the driver
        # prepares a statement run often) cannot see the pattern and picked a full bitmap scan (5 s at 1M), and
        # parallel workers each hashed the unit's tasks for the scope. Both only for this transaction.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    match = _match(session, query)
    scope = scope_of(actor)
    hits: list[int] | None = None
    if query.digits and session.get_bind().dialect.name == "postgresql":
        # a phone's digits: few cases in the whole city (~500 for 4 digits at 1M), which the digits index gives
        # all at once; the scope is then checked on those alone. Walking the newest cases backwards for a
        # street's few would read thousands. No ORDER BY here: with one, the planner may walk the primary key.
        found = list(session.scalars(select(Case.id).where(match).limit(MAX_HITS + 1)))
        hits = found if len(found) <= MAX_HITS else None
    if hits is not None:
        stmt = select(Case).where(Case.id.in_(hits), in_scope(scope))  # in_scope's EXISTS probes these alone
    else:
        stmt = select(Case).where(in_scope(scope), match)
    rows = list(session.scalars(stmt.order_by(Case.id.desc()).limit(limit + 1)))
    unmasked = actor.role in UNMASKED_ROLES
    items = [
        {
            "id": c.id,
            "tracking_code": c.tracking_code,
            "title": c.title,
            "address": c.address,
            "status": c.status,
            "status_label": CaseStatus(c.status).label,
            "category_code": c.category_code,
            "grid_code": c.grid_code,
            "owner_unit_id": c.owner_unit_id,
            "alarm_level": c.alarm_level,
            "overdue": False,
            "created_at": c.created_at,
            "handle_due_at": c.handle_due_at,
            "reporter_phone": c.reporter_phone if unmasked else mask_phone(c.reporter_phone),
        }
        for c in rows[:limit]
    ]
    kind = "tracking_code" if query.tracking_code else ("phone" if query.digits else "text")
    return {"query": query.text, "kind": kind, "items": with_names(session, items), "more": len(rows) > limit}


def with_names(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Names beside the codes of a list's cases: the category's, the grid's (active version) and the handling
    unit's (`owner_unit_id`, or `owner_unit_code` as the case list gives it)."""
    categories = {c for i in items if (c := i.get("category_code"))}
    grids = {g for i in items if (g := i.get("grid_code"))}
    unit_ids = {u for i in items if (u := i.get("owner_unit_id"))}
    unit_codes = {u for i in items if (u := i.get("owner_unit_code"))}
    cat_names = dict(session.execute(select(Category.code, Category.name).where(Category.code.in_(categories))).all())
    grid_names = dict(
        session.execute(
            select(Grid.code, Grid.name)
            .join(GridVersion, GridVersion.id == Grid.version_id)
            .where(GridVersion.active.is_(True), Grid.code.in_(grids))
        ).all()
    )
    units = session.execute(
        select(Unit.id, Unit.code, Unit.name).where(or_(Unit.id.in_(unit_ids), Unit.code.in_(unit_codes)))
    ).all()
    by_id = {u.id: (u.code, u.name) for u in units}
    by_code = {u.code: (u.code, u.name) for u in units}
    out = []
    for item in items:
        unit = by_id.get(item.get("owner_unit_id") or 0) or by_code.get(item.get("owner_unit_code") or "")
        out.append(
            {
                **item,
                "category_name": cat_names.get(item.get("category_code") or ""),
                "grid_name": grid_names.get(item.get("grid_code") or ""),
                "owner_unit_code": unit[0] if unit else item.get("owner_unit_code"),
                "owner_unit_name": unit[1] if unit else None,
            }
        )
    return out


# -- the public lookup ------------------------------------------------------------------------------------
PUBLIC_ROLE_NAMES = {
    Role.RESIDENT.value: "反映人",
    Role.SYSTEM.value: "系统",
}
QUIET_ACTIONS = frozenset({Action.CLASSIFY, Action.WARN, Action.ERASE_REPORTER})  # nothing a reporter follows
QUIET_ACTIONS |= {Action.CLAIM_REPORT}  # the case joining the reporter's account
QUIET_ACTIONS |= {Action.URGE}  # 督办/催办 (issue 15): the scan's 催办, like its warning


def _status_label(value: str | None) -> str:
    try:
        return CaseStatus(value or "").label
    except ValueError:
        return ""


def public_timeline(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The steps of a case as the public may read them: when, what (the action's label), the status it led to
    and the unit that did it. No staff names, no notes or reasons, no payload."""
    rows = session.execute(
        select(CaseEvent.occurred_at, CaseEvent.action, CaseEvent.to_status, Unit.name)
        .outerjoin(Unit, Unit.id == CaseEvent.unit_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq)
    ).all()
    steps = []
    for occurred_at, action, to_status, unit_name in rows:
        try:
            act = Action(action)
        except ValueError:
            continue
        if act in QUIET_ACTIONS:
            continue
        steps.append(
            {
                "at": occurred_at,
                "action": ACTION_LABELS.get(act, action),
                "status": _status_label(to_status),
                "unit": unit_name or "",
            }
        )
    return steps


def receipt_secret(secret_key: str, case_id: int, tracking_code: str) -> str:
    """The 查询码 printed on the receipt (an HMAC of the case and its code: nothing is stored)."""
    return lookup_secret(secret_key, case_id, tracking_code)


def public_case(session: Session, secret_key: str, tracking_code: str, secret: str) -> dict[str, Any] | None:
    """The case of a 查询编号 + 查询码, as the public may see it, or None (the same answer for a wrong code and
    a wrong secret: nobody learns which codes exist)."""
    code = tracking_code.strip().upper()
    given = secret.strip().upper()
    case = session.scalars(select(Case).where(Case.tracking_code == code)).first() if TRACKING.match(code) else None
    expected = receipt_secret(secret_key, case.id, case.tracking_code) if case else "-"
    if case is None or not hmac.compare_digest(expected.encode(), given.encode()):
        return None
    status = CaseStatus(case.status)
    category = session.scalars(select(Category.name).where(Category.code == case.category_code)).first()
    owner = session.get(Unit, case.owner_unit_id) if case.owner_unit_id else None
    return {
        "tracking_code": case.tracking_code,
        "title": redact_text(case.title),
        "status_label": status.label,
        "closed": status.kind.value == "closed",
        "category_name": category,
        "unit_name": owner.name if owner else None,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "timeline": public_timeline(session, case.id),
    }
