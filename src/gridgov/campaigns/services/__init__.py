"""Use cases of suggestion campaigns, by job. Each one owns its transaction: `with uow: ...; uow.commit()`.

- `intake`: opening a campaign; suggestions from forms, letters, imported mail and SMTP delivery
- `review`: decisions, the public reply, the field
- `convert`: a suggestion becomes a case of the case loop
- `clustering`: near-duplicate detection over the text (pure)
- `common`: the roles allowed, and loading and recording inside a unit of work

Every public name is re-exported here, so `from gridgov.campaigns.services import X` keeps working.
"""

from gridgov.campaigns.services.clustering import CLUSTER_CANDIDATES, CLUSTER_TEXT_CHARS, cluster_text, nearest_cluster
from gridgov.campaigns.services.common import READ_ROLES, STAFF_ROLES, require
from gridgov.campaigns.services.convert import CaseServices, CaseTarget, convert_to_case
from gridgov.campaigns.services.intake import (
    DEFAULT_POLICY,
    CampaignDraft,
    ImportFailed,
    ImportReport,
    IntakePolicy,
    NewAttachment,
    Submitted,
    SuggestionDraft,
    create_campaign,
    import_mail,
    mail_digest,
    mail_draft,
    mailbox_campaign,
    receive_mail,
    register_letter,
    submit,
)
from gridgov.campaigns.services.review import decide, set_field, set_reply

__all__ = [
    "CLUSTER_CANDIDATES",
    "CLUSTER_TEXT_CHARS",
    "DEFAULT_POLICY",
    "READ_ROLES",
    "STAFF_ROLES",
    "CampaignDraft",
    "CaseServices",
    "CaseTarget",
    "ImportFailed",
    "ImportReport",
    "IntakePolicy",
    "NewAttachment",
    "Submitted",
    "SuggestionDraft",
    "cluster_text",
    "convert_to_case",
    "create_campaign",
    "decide",
    "import_mail",
    "mail_digest",
    "mail_draft",
    "mailbox_campaign",
    "nearest_cluster",
    "receive_mail",
    "register_letter",
    "require",
    "set_field",
    "set_reply",
    "submit",
]
