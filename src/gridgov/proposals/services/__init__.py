"""Use cases of 建议提案 办理, split by job. Each one owns its transaction: `with uow: ...; uow.commit()`.

- intake: batches, one item (register_proposal), a whole batch list (import_proposals), members and stations
- handling: 交办, 退回, 会办, 面商, 延期, 答复, 评价, 承诺兑现 (apply_action)
- opinions: a 社情民意 becomes a case (refer_opinion)
"""

from gridgov.proposals.commands import Command, build_command
from gridgov.proposals.services.handling import apply_action
from gridgov.proposals.services.intake import (
    Problem,
    ProposalDraft,
    add_batch,
    add_member,
    add_station,
    import_proposals,
    register_proposal,
)
from gridgov.proposals.services.opinions import refer_opinion

__all__ = [
    "Command",
    "Problem",
    "ProposalDraft",
    "add_batch",
    "add_member",
    "add_station",
    "apply_action",
    "build_command",
    "import_proposals",
    "refer_opinion",
    "register_proposal",
]
