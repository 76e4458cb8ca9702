"""Enrichment: the category proposal and duplicate hints, inline at intake or by a worker after the commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from gridgov.actor import Actor
from gridgov.cases.domain import Action, CaseStatus
from gridgov.cases.events import event_row
from gridgov.cases.models import Case
from gridgov.cases.ports import AlarmRow, CasesUnitOfWork, PoolCase
from gridgov.cases.services.policy import CasePolicy
from gridgov.classify import second_level
from gridgov.classify.duplicates import DuplicateParams, find_duplicates
from gridgov.classify.duplicates import Message as DupMessage
from gridgov.classify.ports import Classifier, Prediction
from gridgov.classify.text import join_fields
from gridgov.errors import Conflict
from gridgov.geo.crs import bbox_around
from gridgov.grids.domain import level_of
from gridgov.logging import get_logger

log = get_logger(__name__)


def second_level_of(text: str, p: Prediction | None) -> dict[str, Any] | None:
    """The 12345 second-level category the text names within the proposed first-level class
    (classify.second_level), or None."""
    if p is None:
        return None
    sub = second_level.shipped().propose(text, p.label)
    if sub is None:
        return None
    return {"code": sub.code, "name": sub.name, "confidence": sub.confidence, "version": sub.version}


def proposal_values(
    case: Case, p: Prediction | None, policy: CasePolicy, sub: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a proposal changes on a case (pure). A confident proposal fills an empty category of a case nobody
    has registered yet (the matrix then proposes the unit); a doubtful one, or the keyword fallback, sends the
    case to the "needs a person" queue with the top 3. A category or source a person set is never touched."""
    untouched = case.category_code is None and case.status == CaseStatus.REPORTED.value
    if p is None:
        return {"needs_review": untouched}
    values: dict[str, Any] = {
        "suggested_category_code": p.label,
        "suggestion_confidence": round(p.confidence, 4),
        "suggestion_source": p.source,
        "suggestion_model": p.model_version,
        "suggestions": [
            {"code": code, "confidence": round(conf, 4), **({"second_level": sub} if sub and code == p.label else {})}
            for code, conf in p.top[:3]
        ],
    }
    if untouched:
        confident = p.source == "model" and p.confidence >= policy.classify_threshold
        values["needs_review"] = not confident
        if confident:
            values["category_code"] = p.label
            values["category_source"] = "model"
    return values


def suggest(case: Case, classifier: Classifier | None, policy: CasePolicy) -> None:
    """Apply the proposal to a case being reported (inline enrichment, in the intake transaction)."""
    text = join_fields([case.title, case.description])
    p = classifier.predict(text) if classifier else None
    for name, value in proposal_values(case, p, policy, second_level_of(text, p)).items():
        setattr(case, name, value)


DUPLICATE_POOL = 60  # the most recent open cases nearby that a newcomer is compared with


PoolKey = tuple[Any, ...]


def duplicate_hints(
    uow: CasesUnitOfWork,
    case: Case,
    at: datetime,
    params: DuplicateParams,
    pools: dict[PoolKey, list[PoolCase]] | None = None,
) -> list[dict[str, Any]]:
    """Older open cases with similar text near the same place and time (same street when there is no point).

    `at` is when the case was reported; `pools` shares the candidate look-ups of one batch."""
    since = at - timedelta(days=params.window_days)
    box = None
    key: PoolKey
    if case.lat is not None and case.lon is not None:
        key = ("box", round(case.lat, 3), round(case.lon, 3))
        box = bbox_around(key[1], key[2], params.radius_m + 150)  # the rounded centre's box covers the point's
    street = case.grid_code[:9] if case.grid_code and box is None and level_of(case.grid_code) >= 2 else None
    if box is None:
        key = ("street", street)
    if pools is not None and key in pools:
        pool = pools[key]
    else:
        pool = uow.cases.duplicate_pool(since, box, street, limit=DUPLICATE_POOL)
        if pools is not None:
            pools[key] = pool
    pool = [p for p in pool if since <= p.created_at <= at and (case.id is None or p.id < case.id)]
    if not pool:
        return []
    new = DupMessage(
        id="new",
        text=join_fields([case.title, case.description]),
        at=at,
        lat=case.lat,
        lon=case.lon,
        street_code=case.grid_code[:9] if case.grid_code else None,
    )
    others = [
        DupMessage(
            id=str(p.id),
            text=join_fields([p.title, p.description]),
            at=p.created_at,
            lat=p.lat,
            lon=p.lon,
            street_code=p.grid_code[:9] if p.grid_code else None,
        )
        for p in pool
    ]
    codes = {str(p.id): p.tracking_code for p in pool}
    return [
        {
            "case_id": int(c.id),
            "tracking_code": codes[c.id],
            "score": round(c.score, 3),
            "text_similarity": round(c.text_similarity, 3),
            "distance_m": None if c.distance_m is None else round(c.distance_m, 1),
            "days_apart": round(c.days_apart, 2),
        }
        for c in find_duplicates(new, others, params, limit=5)
    ]


def enrich_cases(
    uow_factory: Callable[[], CasesUnitOfWork],
    case_ids: Sequence[int],
    classifier: Classifier | None,
    policy: CasePolicy,
    now: datetime,
) -> int:
    """Proposal and duplicate hints for cases reported with `enrich_later`, in one transaction per batch
    (one classifier call for the batch). Idempotent: a case is enriched once. Returns how many cases were
    enriched.

    The enricher never collides with a person (docs/adr/0007-enrichment-beside-the-case.md): it reads its
    cases locked, as a person's action does, and writes the proposal, the filled category and the classify
    event's chain head in one UPDATE that leaves the case's version alone and is guarded by the head it read.
    A batch refused by that guard is redone case by case; the enricher is the one that retries, never the
    person."""
    try:
        return _enrich(uow_factory, case_ids, classifier, policy, now)
    except Conflict:
        done = 0
        for case_id in case_ids:
            try:
                done += _enrich(uow_factory, [case_id], classifier, policy, now)
            except Conflict:
                log.warning("enrich_conflict", case_id=case_id)
        return done


def _head(case: Case) -> AlarmRow:
    """A detached copy of the case's chain head for event_row to move (the loaded row itself is never changed,
    so the ORM never writes it, and never bumps its version)."""
    return AlarmRow(*(getattr(case, f.name) for f in fields(AlarmRow)))


def _enrich(
    uow_factory: Callable[[], CasesUnitOfWork],
    case_ids: Sequence[int],
    classifier: Classifier | None,
    policy: CasePolicy,
    now: datetime,
) -> int:
    with uow_factory() as uow:
        cases = [c for c in uow.cases.many(list(dict.fromkeys(case_ids))) if c.enriched_at is None]
        if not cases:
            return 0
        texts = [join_fields([c.title, c.description]) for c in cases]
        predictions: list[Prediction | None] = (
            list(classifier.predict_many(texts)) if classifier else [None] * len(cases)
        )
        pools: dict[PoolKey, list[PoolCase]] = {}
        events = []
        for case, text, p in zip(cases, texts, predictions, strict=True):
            sub = second_level_of(text, p)
            values = proposal_values(case, p, policy, sub)
            hints = duplicate_hints(uow, case, case.created_at, policy.duplicates, pools) or None
            values["duplicate_candidates"] = hints
            values["enriched_at"] = now
            status = CaseStatus(case.status)
            head = _head(case)
            events.append(
                event_row(
                    head,
                    Action.CLASSIFY,
                    Actor.system(),
                    status,
                    status,
                    now,
                    {
                        "suggested": values.get("suggested_category_code"),
                        "second_level": sub["code"] if sub else None,
                        "confidence": values.get("suggestion_confidence"),
                        "source": values.get("suggestion_source"),
                        "model": values.get("suggestion_model"),
                        "category_code": values.get("category_code"),
                        "needs_review": values.get("needs_review", case.needs_review),
                        "duplicates": [d["case_id"] for d in hints or []],
                    },
                )
            )
            values.update(event_count=head.event_count, last_event_hash=head.last_event_hash, updated_at=now)
            uow.cases.save_enrichment(case.id, case.event_count, values)
        uow.cases.insert_event_rows(events)
        uow.commit()
        return len(cases)
