"""Intake: opening a campaign, and every way a suggestion arrives (web, app and WeChat forms, letters
registered by staff, saved mail imported, mail delivered over SMTP). Each use case owns its transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from gridgov.actor import Actor, Role
from gridgov.campaigns.domain import (
    DEFAULT_FIELDS,
    MAIL_BODY_FILE,
    Channel,
    LatePolicy,
    SuggestionStatus,
    admit,
    check_attachment,
    check_channel,
    check_email,
    check_fields,
    check_phone,
    check_postcode,
    check_postmark,
    check_slug,
    clean_text,
    mail_title_and_content,
    marking_matches,
    sniff_scan,
    suggest_field,
    title_and_content,
    window_bounds,
)
from gridgov.campaigns.mail import ParsedMail, parse_mail
from gridgov.campaigns.models import Campaign, Suggestion, SuggestionAttachment
from gridgov.campaigns.ports import CampaignRepository, CampaignsUnitOfWork
from gridgov.campaigns.services.clustering import CLUSTER_CANDIDATES, CLUSTER_TEXT_CHARS, cluster_text, nearest_cluster
from gridgov.campaigns.services.common import STAFF_ROLES, campaign_of, record_event, require
from gridgov.clock import SHANGHAI
from gridgov.errors import DuplicateKey, GridgovError, NotFound, ValidationFailed
from gridgov.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class IntakePolicy:
    max_attachment_bytes: int = 10 * 1024 * 1024
    duplicate_threshold: float = 0.6


DEFAULT_POLICY = IntakePolicy()


@dataclass(frozen=True, slots=True)
class CampaignDraft:
    slug: str
    title: str
    organiser: str
    opens_on: date
    closes_on: date
    description: str = ""
    fields: Sequence[str] = DEFAULT_FIELDS
    channels: Sequence[str] = tuple(c.value for c in Channel)
    late_policy: str = LatePolicy.REFUSE.value
    public: bool = True
    mail_address: str | None = None
    postal_address: str = ""
    postcode: str = ""
    letter_marking: str = ""


@dataclass(frozen=True, slots=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes
    kind: str = "attachment"  # attachment | scan


@dataclass(frozen=True, slots=True)
class SuggestionDraft:
    channel: str
    title: str = ""
    content: str = ""
    field: str | None = None
    submitter_name: str = ""
    submitter_phone: str = ""
    submitter_email: str = ""
    submitter_address: str = ""
    postcode: str = ""
    letter_marking: str = ""
    message_id: str | None = None
    mail_digest: str | None = None  # sha256 of (sender, subject, body): a Message-ID repeats only with these
    attachments: tuple[NewAttachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Submitted:
    id: int
    ref: str
    status: str
    late: bool
    field: str | None
    cluster_id: int
    created: bool


def create_campaign(uow: CampaignsUnitOfWork, draft: CampaignDraft, actor: Actor, now: datetime) -> dict[str, Any]:
    require(actor, frozenset({Role.ADMIN, Role.OPERATOR}) | {Role.SYSTEM})
    slug = check_slug(draft.slug)
    title, organiser = clean_text(draft.title), clean_text(draft.organiser)
    if not title or len(title) > 200:
        raise ValidationFailed("标题须为 1–200 字", field="title")
    if not organiser or len(organiser) > 200:
        raise ValidationFailed("主办单位须为 1–200 字", field="organiser")
    opens_at, closes_at = window_bounds(draft.opens_on, draft.closes_on)
    channels = []
    for name in draft.channels:
        try:
            channels.append(Channel(name).value)
        except ValueError:
            raise ValidationFailed(f"未知渠道: {name}", field="channels") from None
    if not channels:
        raise ValidationFailed("至少开通一个渠道", field="channels")
    try:
        late = LatePolicy(draft.late_policy)
    except ValueError:
        raise ValidationFailed("逾期处理须为 refuse 或 keep", field="late_policy") from None
    mail = (draft.mail_address or "").strip().lower() or None
    if mail is not None and ("@" not in mail or len(mail) > 254 or any(ch.isspace() for ch in mail)):
        raise ValidationFailed("邮箱地址不合法", field="mail_address")
    with uow:
        repo = uow.campaigns
        if repo.by_slug(slug) is not None:
            raise DuplicateKey(f"短名已被使用: {slug}", field="slug")
        if mail is not None and repo.by_mail_address(mail) is not None:
            raise DuplicateKey(f"邮箱已被其他征集使用: {mail}", field="mail_address")
        campaign = Campaign(
            slug=slug,
            title=title,
            organiser=organiser,
            description=clean_text(draft.description),
            opens_at=opens_at,
            closes_at=closes_at,
            late_policy=late.value,
            fields=check_fields(draft.fields),
            channels=sorted(set(channels), key=channels.index),
            public=draft.public,
            mail_address=mail,
            postal_address=clean_text(draft.postal_address)[:300],
            postcode=check_postcode(draft.postcode),
            letter_marking=clean_text(draft.letter_marking)[:100],
            created_by_id=actor.user_id,
            created_at=now,
        )
        repo.add_campaign(campaign)
        uow.commit()
        log.info("campaign_created", campaign_id=campaign.id, slug=slug)
        return {"id": campaign.id, "slug": slug}


def _ref(now: datetime) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"ZJ{now.astimezone(SHANGHAI):%Y%m%d}-{''.join(secrets.choice(alphabet) for _ in range(6))}"


def _add(
    repo: CampaignRepository,
    campaign: Campaign,
    draft: SuggestionDraft,
    actor: Actor,
    now: datetime,
    at: datetime,
    policy: IntakePolicy,
) -> Submitted:
    """Check and store one suggestion inside an open unit of work (not committed).

    A message already stored (same Message-ID and same sender, subject and body) is answered with the stored
    suggestion before anything else is checked: a resend after the window closed still gets its ref."""
    if draft.message_id:
        existing = repo.by_message_id(campaign.id, draft.message_id, draft.mail_digest)
        if existing is not None:  # the same e-mail delivered twice: one suggestion
            return Submitted(
                existing.id,
                existing.ref,
                existing.status,
                existing.late,
                existing.field,
                existing.cluster_id or existing.id,
                False,
            )
    try:
        channel = Channel(draft.channel)
    except ValueError:
        raise ValidationFailed(f"未知渠道: {draft.channel}", field="channel") from None
    check_channel(channel, campaign.channels)
    title, content = title_and_content(draft.title, draft.content)
    late = admit(at, campaign.opens_at, campaign.closes_at, LatePolicy(campaign.late_policy))
    for a in draft.attachments:
        check_attachment(a.filename, a.data, policy.max_attachment_bytes)
    suggested, scores = suggest_field(f"{title}\n{content}", campaign.fields)
    chosen, source = suggested, "keywords" if suggested else "none"
    if draft.field:
        if draft.field not in campaign.fields:
            raise ValidationFailed(f"本次征集没有该领域: {draft.field}", field="field")
        chosen, source = draft.field, "submitter"
    heads = repo.cluster_heads(campaign.id, CLUSTER_CANDIDATES, CLUSTER_TEXT_CHARS)
    head, similarity = nearest_cluster(cluster_text(title, content), heads, policy.duplicate_threshold)
    s = Suggestion(
        ref=_ref(now),
        campaign_id=campaign.id,
        channel=channel.value,
        title=title,
        content=content,
        field=chosen,
        field_source=source,
        field_scores={"suggested": suggested, "scores": scores},
        status=SuggestionStatus.RECEIVED.value,
        late=late,
        cluster_similarity=similarity if head is not None else None,
        submitter_name=clean_text(draft.submitter_name)[:100],
        # what a person typed is checked; what a mail server sent is kept as it came (mail is never refused for it)
        submitter_phone=clean_text(draft.submitter_phone)[:30]
        if channel is Channel.EMAIL
        else check_phone(clean_text(draft.submitter_phone)),
        submitter_email=clean_text(draft.submitter_email)[:254]
        if channel is Channel.EMAIL
        else check_email(clean_text(draft.submitter_email)),
        submitter_address=clean_text(draft.submitter_address)[:300],
        postcode=check_postcode(draft.postcode),
        letter_marking=clean_text(draft.letter_marking)[:100],
        marking_ok=marking_matches(draft.letter_marking, campaign.letter_marking)
        if channel is Channel.LETTER
        else None,
        message_id=draft.message_id,
        mail_digest=draft.mail_digest if draft.message_id else None,
        created_by_id=actor.user_id,
        received_at=at,  # when it counts as received: now, a mail's Date header, a letter's postmark
        updated_at=now,
    )
    rows = [
        SuggestionAttachment(
            kind=a.kind,
            filename=a.filename[:255] or "附件",
            content_type=a.content_type[:100] or "application/octet-stream",
            size=len(a.data),
            sha256=hashlib.sha256(a.data).hexdigest(),
            data=a.data,
            created_at=now,
        )
        for a in draft.attachments
    ]
    repo.add_suggestion(s, rows)
    s.cluster_id = head if head is not None else s.id
    record_event(
        repo,
        s,
        "receive",
        None,
        actor,
        now,
        {"channel": channel.value, "late": late, "field": chosen, "cluster_id": s.cluster_id, "files": len(rows)},
    )
    return Submitted(s.id, s.ref, s.status, late, chosen, s.cluster_id, True)


def submit(
    uow: CampaignsUnitOfWork,
    slug: str,
    draft: SuggestionDraft,
    actor: Actor,
    now: datetime,
    policy: IntakePolicy = DEFAULT_POLICY,
    at: datetime | None = None,
) -> Submitted:
    """Record one suggestion. `at` is when it counts as received for the window (default `now`)."""
    with uow:
        repo = uow.campaigns
        campaign = campaign_of(repo, slug)
        if not campaign.public and actor.role not in STAFF_ROLES | {Role.SYSTEM}:
            raise NotFound(f"征集活动不存在: {slug}")
        result = _add(repo, campaign, draft, actor, now, at or now, policy)
        uow.commit()
    if result.created:
        log.info("suggestion_received", suggestion_id=result.id, channel=draft.channel, late=result.late)
    return result


def register_letter(
    uow: CampaignsUnitOfWork,
    slug: str,
    letter: SuggestionDraft,
    scan: bytes | None,
    scan_name: str,
    postmarked_on: date | None,
    actor: Actor,
    now: datetime,
    policy: IntakePolicy = DEFAULT_POLICY,
) -> Submitted:
    """Staff register a letter (sender, address, postcode, envelope marking) with its scan (PDF, JPEG, PNG or
    TIFF). 以邮戳为准: with a postmark date the window is checked on that date, not on the day it arrived."""
    require(actor, STAFF_ROLES)
    if postmarked_on is not None:
        check_postmark(postmarked_on, now)
    files: tuple[NewAttachment, ...] = ()
    if scan:
        kind = sniff_scan(scan, policy.max_attachment_bytes)
        files = (NewAttachment(scan_name or "scan", kind, scan, "scan"),)
    at = datetime.combine(postmarked_on, time(12), tzinfo=SHANGHAI) if postmarked_on else None
    draft = replace(letter, channel=Channel.LETTER.value, message_id=None, attachments=files)
    return submit(uow, slug, draft, actor, now, policy, at)


def mail_digest(mail: ParsedMail) -> str:
    """What makes two deliveries with one Message-ID the same message: sender, subject and body."""
    text = "\x00".join((mail.sender_email.lower(), mail.subject, mail.body))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def mail_draft(mail: ParsedMail) -> SuggestionDraft:
    """An e-mail as a suggestion. Length never refuses a mail: see `mail_title_and_content`."""
    title, content, full_body = mail_title_and_content(mail.subject, mail.body)
    files = [NewAttachment(a.filename, a.content_type, a.data) for a in mail.attachments]
    if full_body is not None:
        files.append(NewAttachment(MAIL_BODY_FILE, "text/plain; charset=utf-8", full_body.encode("utf-8")))
    return SuggestionDraft(
        channel=Channel.EMAIL.value,
        title=title,
        content=content,
        submitter_name=mail.sender_name,
        submitter_email=mail.sender_email,
        message_id=mail.message_id,
        mail_digest=mail_digest(mail),
        attachments=tuple(files),
    )


def receive_mail(
    uow: CampaignsUnitOfWork, slug: str, raw: bytes, now: datetime, policy: IntakePolicy = DEFAULT_POLICY
) -> Submitted:
    """A message delivered to the campaign's mailbox (SMTP): received now, whatever its Date header says."""
    mail = parse_mail(raw, policy.max_attachment_bytes)
    return submit(uow, slug, mail_draft(mail), Actor.system(), now, policy)


@dataclass
class ImportReport:
    imported: list[Submitted] = field(default_factory=list)
    repeated: list[Submitted] = field(default_factory=list)  # same Message-ID already stored
    failed: list[dict[str, str]] = field(default_factory=list)  # {"message", "code", "error"}


class ImportFailed(ValidationFailed):
    code = "import_failed"
    message = "部分邮件无法导入，未导入任何邮件"


def import_mail(
    uow: CampaignsUnitOfWork,
    slug: str,
    messages: Sequence[tuple[str, bytes]],
    actor: Actor,
    now: datetime,
    policy: IntakePolicy = DEFAULT_POLICY,
    skip_bad: bool = False,
) -> ImportReport:
    """Import saved messages (.eml / mbox) in one transaction. A message counts as received at its Date header
    (not later than now). Any bad message fails the whole import (nothing stored) unless `skip_bad`."""
    require(actor, STAFF_ROLES)
    report = ImportReport()
    with uow:
        repo = uow.campaigns
        campaign = campaign_of(repo, slug)
        for label, raw in messages:
            try:
                mail = parse_mail(raw, policy.max_attachment_bytes)
                at = mail.sent_at if mail.sent_at is not None and mail.sent_at <= now else now
                with uow.savepoint():
                    result = _add(repo, campaign, mail_draft(mail), actor, now, at, policy)
            except GridgovError as exc:
                report.failed.append({"message": label, "code": exc.code, "error": exc.message})
                continue
            (report.imported if result.created else report.repeated).append(result)
        if report.failed and not skip_bad:
            raise ImportFailed(
                f"{len(report.failed)} 封邮件无法导入，未导入任何邮件: "
                + "; ".join(f"{f['message']}: {f['error']}" for f in report.failed),
                failed=report.failed,
            )
        uow.commit()
    log.info("mail_imported", campaign=slug, imported=len(report.imported), failed=len(report.failed))
    return report


def mailbox_campaign(uow: CampaignsUnitOfWork, address: str) -> str | None:
    """The slug of the campaign whose mailbox is `address` (letter case ignored), or None."""
    with uow:
        campaign = uow.campaigns.by_mail_address(address)
        return campaign.slug if campaign is not None else None
