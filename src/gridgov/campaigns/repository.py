"""Loading and storing campaign rows inside a unit of work's session."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gridgov.campaigns.models import Campaign, Suggestion, SuggestionAttachment, SuggestionEvent, SuggestionPiiAccess


class SqlCampaignRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_slug(self, slug: str) -> Campaign | None:
        return self.session.scalars(select(Campaign).where(Campaign.slug == slug)).first()

    def by_mail_address(self, address: str) -> Campaign | None:
        return self.session.scalars(
            select(Campaign).where(func.lower(Campaign.mail_address) == address.strip().lower())
        ).first()

    def add_campaign(self, campaign: Campaign) -> None:
        self.session.add(campaign)
        self.session.flush()

    def suggestion(self, suggestion_id: int, *, lock: bool = False) -> Suggestion | None:
        stmt = select(Suggestion).where(Suggestion.id == suggestion_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def campaign(self, campaign_id: int) -> Campaign | None:
        return self.session.get(Campaign, campaign_id)

    def by_message_id(self, campaign_id: int, message_id: str, digest: str | None) -> Suggestion | None:
        """The suggestion stored from this message: same Message-ID and same digest of sender, subject and body
        (a row stored before digests were kept matches on the Message-ID alone)."""
        same = Suggestion.mail_digest.is_(None) if digest is None else Suggestion.mail_digest == digest
        return self.session.scalars(
            select(Suggestion)
            .where(
                Suggestion.campaign_id == campaign_id,
                Suggestion.message_id == message_id,
                or_(same, Suggestion.mail_digest.is_(None)),
            )
            .order_by(Suggestion.mail_digest.is_(None), Suggestion.id)
        ).first()

    def cluster_heads(self, campaign_id: int, limit: int, chars: int) -> list[tuple[int, str]]:
        """(id, title and the first `chars` characters of the content) of the suggestions that started a
        cluster, newest first."""
        rows = self.session.execute(
            select(Suggestion.id, Suggestion.title, func.substr(Suggestion.content, 1, chars))
            .where(Suggestion.campaign_id == campaign_id, Suggestion.cluster_id == Suggestion.id)
            .order_by(Suggestion.id.desc())
            .limit(limit)
        ).all()
        return [(r[0], f"{r[1]}\n{r[2]}") for r in rows]

    def add_suggestion(self, suggestion: Suggestion, attachments: list[SuggestionAttachment]) -> None:
        self.session.add(suggestion)
        self.session.flush()
        for a in attachments:
            a.suggestion_id = suggestion.id
            self.session.add(a)

    def add_event(self, event: SuggestionEvent) -> None:
        self.session.add(event)
        self.session.flush()

    def log_view(self, access: SuggestionPiiAccess) -> None:
        self.session.add(access)


CampaignRepository = SqlCampaignRepository  # the adapter's old name
