"""转办 (issue 17): a case goes to another hotline or system; what comes back is recorded on the case's chain.
Between two gridgov instances the case and its outcome travel as JSON documents (transfers.domain), imported
idempotently by the sender's reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridgov.actor import Actor
from gridgov.cases.domain import Action, CaseStatus, next_status
from gridgov.cases.events import record_event
from gridgov.cases.ports import CasesUnitOfWork
from gridgov.cases.services import CaseDraft, CasePolicy, Locator, Reported, report_case
from gridgov.classify.ports import Classifier
from gridgov.errors import DuplicateKey, NotFound, PermissionDenied, ValidationFailed
from gridgov.logging import get_logger
from gridgov.transfers.domain import (
    TRANSFER_ROLES,
    CaseDocument,
    OutcomeDocument,
    Target,
    case_document,
    outcome_document,
    read_case_document,
    read_outcome_document,
    target,
    transfer_ref,
)
from gridgov.transfers.models import CaseTransfer
from gridgov.transfers.ports import TransfersUnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    instance: str  # GRIDGOV_INSTANCE_CODE: this instance's name in the documents
    targets: Mapping[str, Target]


class TransferNotFound(NotFound):
    code = "transfer_not_found"
    message = "转办记录不存在"


def _check(actor: Actor) -> None:
    if actor.role not in TRANSFER_ROLES:
        raise PermissionDenied("只有话务员、调度员可以办理转办")


def _text(value: str, label: str, field: str, *, required: bool, limit: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"{label}不能为空", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"{label}过长 (至多 {limit} 字)", field=field)
    return value


def transfer_case(
    uow: TransfersUnitOfWork,
    case_id: int,
    target_code: str,
    reason: str,
    actor: Actor,
    now: datetime,
    policy: TransferPolicy,
    external_ref: str = "",
) -> int:
    """转办: the case leaves the local loop (status transferred, out of the local rates). Returns the transfer's
    id; its reference (`instance:tracking code`) is what the receiver imports it by."""
    _check(actor)
    goal = target(policy.targets, target_code)
    reason = _text(reason, "转办理由", "reason", required=True)
    external_ref = _text(external_ref, "对方编号", "external_ref", required=False, limit=80)
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound(f"案件不存在: {case_id}")
        before = CaseStatus(case.status)
        after = next_status(before, Action.TRANSFER)
        ref = transfer_ref(policy.instance, case.tracking_code)
        row = CaseTransfer(
            case_id=case.id,
            direction="out",
            counterpart=goal.code,
            counterpart_name=goal.name,
            transfer_ref=ref,
            external_ref=external_ref,
            reason=reason,
            status="sent",
            outcome="",
            outcome_status="",
            created_at=now,
            created_by_id=actor.user_id,
        )
        uow.transfers.add(row)
        case.status = after.value
        case.next_alarm_at = None  # no local deadline runs any more
        payload = {
            "transfer_id": row.id,
            "transfer_ref": ref,
            "target_code": goal.code,
            "target_name": goal.name,
            "reason": reason,
            "external_ref": external_ref,
        }
        record_event(uow.cases, case, Action.TRANSFER, actor, before, after, now, payload)
        uow.commit()
        transfer_id = row.id
    log.info("case_transferred", case_id=case_id, transfer_id=transfer_id, target=goal.code)
    return transfer_id


def _transfer(uow: TransfersUnitOfWork, transfer_id: int, direction: str) -> CaseTransfer:
    """The transfer of this direction (转出 out, 转入 in), inside the caller's transaction, or TransferNotFound."""
    row = uow.transfers.get(transfer_id)
    if row is None or row.direction != direction:
        raise TransferNotFound(f"{'转出' if direction == 'out' else '转入'}记录不存在: {transfer_id}")
    return row


def export_case(uow: TransfersUnitOfWork, transfer_id: int, actor: Actor, policy: TransferPolicy) -> dict[str, Any]:
    """The document of an outbound transfer, for the receiving instance (format gridgov.transfer, version 1)."""
    _check(actor)
    with uow:
        row = _transfer(uow, transfer_id, "out")
        case = uow.cases.get(row.case_id)
        assert case is not None
        doc = CaseDocument(
            sender=policy.instance,
            transfer_ref=row.transfer_ref,
            target_code=row.counterpart,
            reason=row.reason,
            transferred_at=row.created_at,
            tracking_code=case.tracking_code,
            title=case.title,
            description=case.description,
            address=case.address,
            lat=case.lat,
            lon=case.lon,
            urgency=case.urgency,
            category_code=case.category_code,
            reporter_name=case.reporter_name,
            reporter_phone=case.reporter_phone,
            reported_at=case.created_at,
        )
        uow.rollback()
    return case_document(doc)


def import_case(
    uow: TransfersUnitOfWork,
    intake: CasesUnitOfWork,
    document: Any,
    actor: Actor,
    now: datetime,
    case_policy: CasePolicy,
    locator: Locator | None = None,
    classifier: Classifier | None = None,
) -> Reported:
    """A case transferred here by another gridgov instance becomes a local case (source `transfer`). The sender's
    reference is the idempotency key: the same document sent again gives back the same case, never a second."""
    _check(actor)
    doc = read_case_document(document)
    with uow:  # a category this instance does not know is left for the register step
        known = doc.category_code is not None and uow.categories.by_code(doc.category_code) is not None
        uow.rollback()
    draft = CaseDraft(
        title=doc.title,
        description=doc.description,
        source="transfer",
        category_code=doc.category_code if known else None,
        address=doc.address,
        lat=doc.lat,
        lon=doc.lon,
        reporter_name=doc.reporter_name,
        reporter_phone=doc.reporter_phone,
        urgency=doc.urgency,
    )
    reported = report_case(
        intake,
        draft,
        actor,
        now,
        idempotency_key=doc.transfer_ref,
        key_owner=f"transfer:{doc.sender}",
        locator=locator,
        classifier=classifier,
        policy=case_policy,
    )
    with uow:  # the inbound row (again after a crash between the two transactions: the import is resent)
        if uow.transfers.by_ref("in", doc.transfer_ref, doc.sender) is None:
            case = uow.cases.get(reported.id)
            assert case is not None
            row = CaseTransfer(
                case_id=case.id,
                direction="in",
                counterpart=doc.sender,
                counterpart_name=doc.sender,
                transfer_ref=doc.transfer_ref,
                external_ref=doc.tracking_code,
                reason=doc.reason,
                status="received",
                outcome="",
                outcome_status="",
                created_at=now,
                created_by_id=actor.user_id,
            )
            try:
                uow.transfers.add(row)
            except DuplicateKey:  # the same document imported concurrently: the other one wrote it
                uow.rollback()
                return reported
            status = CaseStatus(case.status)
            payload = {
                "note": f"转办来件: {doc.sender} 案件 {doc.tracking_code}",
                "transfer_id": row.id,
                "transfer_ref": doc.transfer_ref,
                "sender": doc.sender,
                "sender_tracking_code": doc.tracking_code,
                "reason": doc.reason,
            }
            record_event(uow.cases, case, Action.COMMENT, actor, status, status, now, payload)
            uow.commit()
    log.info("transfer_imported", case_id=reported.id, created=reported.created)
    return reported


def _last_note(payloads: Sequence[Mapping[str, Any]]) -> str:
    for p in reversed(payloads):
        for key in ("note", "reason", "comment"):
            value = p.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def outcome_of(uow: TransfersUnitOfWork, transfer_id: int, actor: Actor, policy: TransferPolicy) -> dict[str, Any]:
    """What this instance reports back on a case transferred to it: its status and the last step's note."""
    _check(actor)
    with uow:
        row = _transfer(uow, transfer_id, "in")
        case = uow.cases.get(row.case_id)
        assert case is not None
        status = CaseStatus(case.status)
        note = _last_note(uow.transfers.status_payloads(case.id))
        doc = OutcomeDocument(
            transfer_ref=row.transfer_ref,
            receiver=policy.instance,
            receiver_ref=case.tracking_code,
            status=status.value,
            outcome=f"{status.label}: {note}" if note else status.label,
            reported_at=case.updated_at or row.created_at,
        )
        uow.rollback()
    return outcome_document(doc)


def _record(uow: TransfersUnitOfWork, row: CaseTransfer, doc: OutcomeDocument, actor: Actor, now: datetime) -> bool:
    if row.status == "reported" and (row.outcome, row.outcome_status, row.external_ref) == (
        doc.outcome,
        doc.status,
        doc.receiver_ref or row.external_ref,
    ):
        return False  # the same report again: nothing new to record
    case = uow.cases.get(row.case_id)
    assert case is not None
    status = CaseStatus(case.status)
    next_status(status, Action.TRANSFER_OUTCOME)
    row.status, row.outcome, row.outcome_status, row.outcome_at = "reported", doc.outcome, doc.status, now
    row.external_ref = doc.receiver_ref or row.external_ref
    payload = {
        "transfer_id": row.id,
        "transfer_ref": row.transfer_ref,
        "receiver": doc.receiver,
        "external_ref": row.external_ref,
        "outcome_status": doc.status,
        "outcome": doc.outcome,
        "reported_at": doc.reported_at.isoformat(),
    }
    record_event(uow.cases, case, Action.TRANSFER_OUTCOME, actor, status, status, now, payload)
    return True


def record_outcome(uow: TransfersUnitOfWork, document: Any, actor: Actor, now: datetime) -> tuple[int, bool]:
    """The receiver's outcome document, on the transfer it names. Returns (case id, whether anything new was
    recorded): a resent document records nothing the second time."""
    _check(actor)
    doc = read_outcome_document(document)
    with uow:
        row = uow.transfers.by_ref("out", doc.transfer_ref)
        if row is None:
            raise TransferNotFound(f"没有该编号的转出记录: {doc.transfer_ref}", field="transfer_ref")
        changed = _record(uow, row, doc, actor, now)
        uow.commit()
        case_id = row.case_id
    log.info("transfer_outcome", case_id=case_id, recorded=changed)
    return case_id, changed


def record_outcome_by_hand(
    uow: TransfersUnitOfWork,
    transfer_id: int,
    outcome: str,
    actor: Actor,
    now: datetime,
    status: str = "",
    external_ref: str = "",
) -> bool:
    """The outcome of a transfer to a line that answers by phone or letter (110, the provincial platform)."""
    _check(actor)
    text = _text(outcome, "办理结果", "outcome", required=True)
    ref = _text(external_ref, "对方编号", "external_ref", required=False, limit=80)
    with uow:
        row = _transfer(uow, transfer_id, "out")
        state = _text(status, "状态", "status", required=False, limit=20)
        doc = OutcomeDocument(row.transfer_ref, row.counterpart, ref, state, text, now)
        changed = _record(uow, row, doc, actor, now)
        uow.commit()
    return changed
