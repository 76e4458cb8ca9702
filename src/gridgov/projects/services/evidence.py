"""Evidence for a stage: documents (PDF, or an image), and on-site photos with the point and time they were
taken. Every image goes through the house's photo checks (gridgov.media: type by content, decoded in full,
metadata stripped); a photo must then be near the project and recent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from gridgov.actor import Actor
from gridgov.errors import ValidationFailed
from gridgov.logging import get_logger
from gridgov.media.domain import MAX_BYTES, UploadRefused
from gridgov.media.services import clean_image
from gridgov.projects.domain import (
    Action,
    EvidenceKind,
    EvidenceRefused,
    ProjectStatus,
    distance_m,
    photo_refusal,
    refuse,
)
from gridgov.projects.models import ProjectEvidence
from gridgov.projects.ports import ProjectsUnitOfWork
from gridgov.projects.rules import Rules, shipped_rules
from gridgov.projects.services.common import guarded, record

log = get_logger(__name__)

EVIDENCE_STAGES = (Action.SIGN, Action.HONOUR, Action.START, Action.PRODUCE, Action.REACH)


@dataclass(frozen=True, slots=True)
class EvidenceUpload:
    stage: str
    kind: str
    data: bytes
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    taken_at: datetime | None = None


def _document(data: bytes) -> tuple[bytes, str]:
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"文件过大: {len(data)} 字节, 上限 {MAX_BYTES} 字节", size=len(data))
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise UploadRefused("PDF 文件不完整")
        return data, "application/pdf"
    clean, kind, _, _ = clean_image(data)  # a scan or a photo of the document
    return clean, kind


def add_evidence(
    uow: ProjectsUnitOfWork,
    project_id: int,
    upload: EvidenceUpload,
    actor: Actor,
    now: datetime,
    rules: Rules | None = None,
) -> dict[str, object]:
    rules = rules or shipped_rules()
    try:
        stage = Action(upload.stage)
    except ValueError:
        stage = None
    if stage not in EVIDENCE_STAGES:
        raise ValidationFailed("stage 须为 sign / honour / start / produce / reach", field="stage")
    assert stage is not None
    try:
        kind = EvidenceKind(upload.kind)
    except ValueError:
        raise ValidationFailed("kind 须为 document 或 photo", field="kind") from None
    if upload.taken_at is not None and upload.taken_at.tzinfo is None:
        raise ValidationFailed("拍摄时间须带时区, 例如 2025-09-26T09:00:00+08:00", field="taken_at")
    with uow:
        project = guarded(uow, project_id, Action.ADD_EVIDENCE, actor)
        distance = None
        if kind is EvidenceKind.PHOTO:
            data, content_type, _, _ = clean_image(upload.data)
            point = (upload.lat, upload.lon) if upload.lat is not None and upload.lon is not None else None
            home = (project.lat, project.lon) if project.lat is not None and project.lon is not None else None
            refuse(
                photo_refusal(home, point, upload.taken_at, now, rules.photo_max_distance_m, rules.photo_max_age_days),
                EvidenceRefused,
                field="photo",
            )
            assert point is not None and home is not None
            distance = round(distance_m(home[0], home[1], point[0], point[1]), 1)
        else:
            data, content_type = _document(upload.data)
        evidence = ProjectEvidence(
            project_id=project.id,
            stage=stage.value,
            kind=kind.value,
            name=upload.name[:200],
            content_type=content_type,
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            lat=upload.lat if kind is EvidenceKind.PHOTO else None,
            lon=upload.lon if kind is EvidenceKind.PHOTO else None,
            taken_at=upload.taken_at if kind is EvidenceKind.PHOTO else None,
            distance_m=distance,
            uploaded_by=actor.user_id,
            created_at=now,
        )
        uow.projects.add_evidence(evidence)
        status = ProjectStatus(project.status)
        record(
            uow,
            project,
            Action.ADD_EVIDENCE,
            actor,
            status,
            now,
            {
                "evidence_id": evidence.id,
                "stage": stage.value,
                "kind": kind.value,
                "sha256": evidence.sha256,
                "lat": evidence.lat,
                "lon": evidence.lon,
                "taken_at": evidence.taken_at,
                "distance_m": distance,
            },
        )
        uow.commit()
        log.info("project_evidence", project_id=project_id, evidence_id=evidence.id, kind=kind.value)
        return {
            "id": evidence.id,
            "stage": stage.value,
            "kind": kind.value,
            "content_type": content_type,
            "size": len(data),
            "sha256": evidence.sha256,
            "distance_m": distance,
        }
