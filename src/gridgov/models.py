"""Imports every ORM model so that Base.metadata is complete (Alembic, tests)."""

import gridgov.air.models  # noqa: F401  (air_* tables)
import gridgov.callbacks.models  # noqa: F401  (callbacks, callback_attempts: 回访, issue 15)
import gridgov.indicators.models  # noqa: F401  (indicator* and ranking_schemes tables)
import gridgov.knowledge.models  # noqa: F401  (knowledge_* tables: the 12345 知识库)
import gridgov.notify.models  # noqa: F401  (notify_* tables: the notification outbox)
import gridgov.open311.models  # noqa: F401  (open311_* tables: requests, updates, deliveries)
import gridgov.projects.models  # noqa: F401  (project* tables: 三个一批)
import gridgov.proposals.models  # noqa: F401  (proposal* tables: 建议提案)
import gridgov.residents.models  # noqa: F401  (sign_in_codes, phone_accounts, follows: issue 15)
import gridgov.safety.models  # noqa: F401  (safety_* tables: 安全生产)
import gridgov.transfers.models  # noqa: F401  (case_transfers: 转办, issue 17)
from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.audit.sql import TABLES as AUDIT_TABLES
from gridgov.campaigns.models import Campaign, Suggestion, SuggestionAttachment, SuggestionEvent, SuggestionPiiAccess
from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.categories.models import Category
from gridgov.classify.models import CategoryLabel
from gridgov.db import Base
from gridgov.grids.models import Grid, GridVersion, Organisation
from gridgov.jobs.shared import TABLES as SHARED_TABLES
from gridgov.media.models import CasePhoto
from gridgov.units.models import GridAssignment, ResponsibilityRule, Unit

# the log's tables are defined in the kernel (gridgov.audit.sql, on its own MetaData), the shared limits' in
# gridgov.jobs.shared; copied here for Alembic
for _table in (*AUDIT_TABLES, *SHARED_TABLES):
    if _table.name not in Base.metadata.tables:
        _table.to_metadata(Base.metadata)

__all__ = [
    "ApiToken",
    "Base",
    "Campaign",
    "Case",
    "CaseEvent",
    "CaseTask",
    "CasePhoto",
    "Category",
    "CategoryLabel",
    "Grid",
    "GridAssignment",
    "GridVersion",
    "Organisation",
    "PiiAccess",
    "ResponsibilityRule",
    "Suggestion",
    "SuggestionAttachment",
    "SuggestionEvent",
    "SuggestionPiiAccess",
    "Unit",
    "User",
]
