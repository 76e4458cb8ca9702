"""Read-only queries for the classifier: the labels people confirmed or corrected, for retraining."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.classify.models import CategoryLabel


def labels(session: Session) -> list[tuple[str, str]]:
    """(text, category code) pairs that people confirmed or corrected, oldest first."""
    return [
        (t, lb) for t, lb in session.execute(select(CategoryLabel.text, CategoryLabel.label).order_by(CategoryLabel.id))
    ]
