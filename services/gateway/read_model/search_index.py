"""What the database derives from the enterprise rows to answer searches fast.

Kept by the database itself (triggers, indexes), not by the projection, so every writer of the
rows keeps it right: the projection, concurrent gateways on one PostgreSQL database, and the
benchmark's bulk fill alike.

- `enterprises.counting_labels`: the labels of an enterprise's counting holdings, set by a
  trigger on `holdings`; facets and the label filter read it instead of joining holdings.
- A term matches where it starts a word of `search_text` (words of `words`, each after one
  space). On PostgreSQL that is `search_text LIKE '% term%'`, served by a pg_trgm GIN index.
  On SQLite an FTS5 table of `search_text` answers the prefix query `"term"*`: its `ascii`
  tokeniser splits only at ASCII punctuation and spaces and folds only A-Z, so on that text
  (lower-cased letters and digits, spaced) its tokens are exactly those words.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import Boolean, Connection, Engine, literal_column, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from services.gateway.read_model.tables import EnterpriseRow

log = structlog.get_logger()

_SQLITE_LABELS = """
    UPDATE enterprises SET counting_labels = (
        SELECT group_concat(label, ' ') FROM (
            SELECT DISTINCT label FROM holdings
            WHERE enterprise_id = {row}.enterprise_id AND counts ORDER BY label
        )
    ) WHERE enterprise_id = {row}.enterprise_id;"""
_WORDS_ADD = "INSERT INTO enterprise_words(rowid, search_text) VALUES (new.rowid, new.search_text);"
_WORDS_REMOVE = (
    "INSERT INTO enterprise_words(enterprise_words, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text);"
)
# External content: the words are read from `enterprises` by rowid. SQLite keeps a row's rowid
# across updates and upserts; a VACUUM may renumber it, after which
# `INSERT INTO enterprise_words(enterprise_words) VALUES ('rebuild')` re-reads every row.
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS enterprise_words USING fts5(search_text, "
    "content='enterprises', tokenize='ascii', prefix='2 3')",
    f"CREATE TRIGGER IF NOT EXISTS enterprises_words_added AFTER INSERT ON enterprises "
    f"BEGIN {_WORDS_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS enterprises_words_removed AFTER DELETE ON enterprises "
    f"BEGIN {_WORDS_REMOVE} END",
    "CREATE TRIGGER IF NOT EXISTS enterprises_words_changed AFTER UPDATE OF search_text "
    f"ON enterprises BEGIN {_WORDS_REMOVE} {_WORDS_ADD} END",
    "CREATE TRIGGER IF NOT EXISTS holdings_labels_added AFTER INSERT ON holdings "
    f"BEGIN {_SQLITE_LABELS.format(row='new')} END",
    "CREATE TRIGGER IF NOT EXISTS holdings_labels_removed AFTER DELETE ON holdings "
    f"BEGIN {_SQLITE_LABELS.format(row='old')} END",
    "CREATE TRIGGER IF NOT EXISTS holdings_labels_changed AFTER UPDATE ON holdings "
    f"BEGIN {_SQLITE_LABELS.format(row='old')} {_SQLITE_LABELS.format(row='new')} END",
)
POSTGRESQL_DDL = (
    """CREATE OR REPLACE FUNCTION holdings_set_counting_labels() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE target varchar;
    BEGIN
        IF TG_OP = 'DELETE' THEN target := OLD.enterprise_id; ELSE target := NEW.enterprise_id;
        END IF;
        UPDATE enterprises SET counting_labels = (
            SELECT string_agg(DISTINCT label, ' ' ORDER BY label) FROM holdings
            WHERE enterprise_id = target AND counts
        ) WHERE enterprise_id = target;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS holdings_counting_labels ON holdings",
    "CREATE TRIGGER holdings_counting_labels AFTER INSERT OR UPDATE OR DELETE ON holdings "
    "FOR EACH ROW EXECUTE FUNCTION holdings_set_counting_labels()",
)
POSTGRESQL_TRIGRAMS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_enterprises_search_text_trgm "
    "ON enterprises USING gin (search_text gin_trgm_ops)",
)


def create_search_index(engine: Engine) -> None:
    """Create the triggers and text index (idempotent); run after the tables exist."""
    dialect = engine.dialect.name
    with engine.begin() as connection:
        _run(connection, SQLITE_DDL if dialect == "sqlite" else POSTGRESQL_DDL)
    if dialect != "postgresql":
        return
    try:
        with engine.begin() as connection:
            _run(connection, POSTGRESQL_TRIGRAMS)
    except DBAPIError as exc:
        # Searches stay correct without it, only slower; pg_trgm ships with PostgreSQL and is
        # a trusted extension, so this means a missing contrib package or no CREATE right.
        log.warning("search_text_index_skipped", reason="pg_trgm unavailable", error=str(exc))


def drop_search_index(engine: Engine) -> None:
    """Drop what the tables' own drop leaves behind (SQLite's FTS table)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS enterprise_words")


def matching(terms: list[str], dialect: str, *, words_first: bool = True) -> list[Any]:
    """Conditions selecting listed enterprises where every term starts a word.

    `words_first`: on SQLite, look the words up first and then their rows, rather than walk
    an index of all listed rows checking each (better when the words pick few rows).
    """
    if dialect != "sqlite" or not terms:
        # Terms are letters and digits only (see `words`), so they hold no LIKE wildcards.
        likes = [col(EnterpriseRow.search_text).like(f"% {term}%") for term in terms]
        return [col(EnterpriseRow.listed).is_(True), *likes]
    # Each term quoted as an FTS5 string, so no input is ever read as query syntax.
    query = " AND ".join('"{}"*'.format(term.replace('"', '""')) for term in terms)
    return [_LISTED_UNINDEXED if words_first else _LISTED, _FTS_ROWS.bindparams(match=query)]


_LISTED = col(EnterpriseRow.listed).is_(True)
# Unary `+` keeps SQLite's planner (which has no statistics) off the `listed` indexes.
_LISTED_UNINDEXED = literal_column("+enterprises.listed", Boolean).is_(True)
_FTS_ROWS = text(
    "enterprises.rowid IN (SELECT rowid FROM enterprise_words WHERE enterprise_words MATCH :match)"
)


def _run(connection: Connection, statements: tuple[str, ...]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)
