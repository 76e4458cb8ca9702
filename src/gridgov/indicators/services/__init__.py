"""The indicator use cases; each change owns its transaction and leaves an event on the record."""

from gridgov.indicators.services.common import EDITORS, READERS, require_reader
from gridgov.indicators.services.registry import IndicatorDraft, define_indicator, update_indicator
from gridgov.indicators.services.schemes import save_scheme
from gridgov.indicators.services.scorecard import (
    IndicatorCard,
    MilestoneCard,
    Ranking,
    RankingRow,
    Scorecard,
    as_of_month,
    panel,
    ranking,
    scorecard,
)
from gridgov.indicators.services.targets import add_milestone, remove_milestone, set_targets
from gridgov.indicators.services.values import enter_value, import_values

__all__ = [
    "EDITORS",
    "READERS",
    "IndicatorCard",
    "IndicatorDraft",
    "MilestoneCard",
    "Ranking",
    "RankingRow",
    "Scorecard",
    "add_milestone",
    "as_of_month",
    "define_indicator",
    "enter_value",
    "import_values",
    "panel",
    "ranking",
    "remove_milestone",
    "require_reader",
    "save_scheme",
    "scorecard",
    "set_targets",
    "update_indicator",
]
