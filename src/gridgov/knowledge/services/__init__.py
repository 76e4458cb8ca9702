"""Use cases of the knowledge base. Each one owns its transaction: `with uow: ...; uow.commit()`.

- articles: written, edited (a new version each time), submitted, reviewed by the owning department, taken down;
  纠错 flags raised and answered; whole files imported all or nothing; synonym groups
- answer: a case closed directly citing the article the operator answered from
"""

from gridgov.knowledge.services.answer import Closed, close_with_article, usable_citation
from gridgov.knowledge.services.articles import (
    Problem,
    add_synonyms,
    create_article,
    edit_article,
    expire_due,
    facts_of,
    flag_article,
    import_articles,
    resolve_flag,
    review_step,
)

__all__ = [
    "Closed",
    "Problem",
    "add_synonyms",
    "close_with_article",
    "create_article",
    "edit_article",
    "expire_due",
    "facts_of",
    "flag_article",
    "import_articles",
    "resolve_flag",
    "review_step",
    "usable_citation",
]
