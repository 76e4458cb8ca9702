"""The unit of work personal-data requests run in: every feature that holds personal data writes its own tables
through it (the feature modules accounts.privacy, cases.privacy and campaigns.privacy take its session)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from gridgov.accounts.ports import AccountsUnitOfWork
from gridgov.campaigns.ports import CampaignsUnitOfWork


class PrivacyUnitOfWork(CampaignsUnitOfWork, AccountsUnitOfWork, Protocol):
    @property
    def session(self) -> Session: ...
