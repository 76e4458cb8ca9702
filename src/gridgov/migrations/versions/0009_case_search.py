"""cases: full-text search over the title, description and address, and phones by their digits

PostgreSQL: the pg_trgm extension (created when missing) and three expression indexes, so nothing needs to be
kept in sync by hand: a trigram GIN index over title + description + address (queries of 3 characters or
more, Chinese included), a GIN index over the text's character pairs (`gridgov_bigrams`, for the two-character
words Chinese is full of, which trigrams cannot index) and a trigram GIN index over the phone's digits.

SQLite: an FTS5 table `cases_fts` (trigram tokenizer; rowid = cases.id) with the same document and the
phone's digits, filled from the existing cases and kept in sync by triggers on insert, update and delete.

The queries are in gridgov/cases/search.py; the expressions here and there must stay the same.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PG_DOC = "(coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || coalesce(address, ''))"
PG_DIGITS = "regexp_replace(coalesce(reporter_phone, ''), '[^0-9]', '', 'g')"
LITE_DOC = "coalesce(new.title, '') || ' ' || coalesce(new.description, '') || ' ' || coalesce(new.address, '')"
# SQLite has no regexp_replace: the separators people type in phones are dropped one by one
LITE_DIGITS = (
    "replace(replace(replace(replace(replace(replace(coalesce(new.reporter_phone, ''), "
    "'-', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '.', '')"
)

BIGRAMS = """
CREATE OR REPLACE FUNCTION gridgov_bigrams(doc text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT lower(substr(doc, i, 2)))), ''::tsvector)
  FROM generate_series(1, greatest(char_length(doc) - 1, 0)) AS i
  WHERE substr(doc, i, 2) !~ '\\s'
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(BIGRAMS)
        op.execute(f"CREATE INDEX ix_cases_search_trgm ON cases USING gin ({PG_DOC} gin_trgm_ops)")
        op.execute(f"CREATE INDEX ix_cases_search_bigrams ON cases USING gin (gridgov_bigrams({PG_DOC}))")
        op.execute(f"CREATE INDEX ix_cases_phone_digits ON cases USING gin (({PG_DIGITS}) gin_trgm_ops)")
        return
    op.execute("CREATE VIRTUAL TABLE cases_fts USING fts5(doc, phone, tokenize='trigram')")
    old = LITE_DOC.replace("new.", "")
    digits = LITE_DIGITS.replace("new.", "")
    op.execute(f"INSERT INTO cases_fts (rowid, doc, phone) SELECT id, {old}, {digits} FROM cases")
    op.execute(
        f"""CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
            INSERT INTO cases_fts (rowid, doc, phone) VALUES (new.id, {LITE_DOC}, {LITE_DIGITS}); END"""
    )
    op.execute(
        f"""CREATE TRIGGER cases_fts_update AFTER UPDATE OF title, description, address, reporter_phone ON cases
            BEGIN DELETE FROM cases_fts WHERE rowid = old.id;
            INSERT INTO cases_fts (rowid, doc, phone) VALUES (new.id, {LITE_DOC}, {LITE_DIGITS}); END"""
    )
    op.execute(
        "CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN DELETE FROM cases_fts WHERE rowid = old.id; END"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_phone_digits")
        op.execute("DROP INDEX IF EXISTS ix_cases_search_bigrams")
        op.execute("DROP INDEX IF EXISTS ix_cases_search_trgm")
        op.execute("DROP FUNCTION IF EXISTS gridgov_bigrams(text)")
        return  # pg_trgm stays: other databases objects may use it
    for name in ("cases_fts_delete", "cases_fts_update", "cases_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS cases_fts")
