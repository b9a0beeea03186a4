"""What the database derives from the enterprise rows so that searches stay right whoever
writes them.

Kept by the database itself (triggers), not by the projection, so every writer of the rows
keeps it right: the projection, concurrent gateways on one PostgreSQL database, and the
benchmark's bulk fill alike.

- `enterprises.counting_labels`: the labels of an enterprise's counting holdings, set by a
  trigger on `holdings`; facets and the label filter read it instead of joining holdings.
- `enterprise_changes`: one row per insert, delete, or update of a searched column of
  `enterprises`, numbered in order. Each gateway's in-memory search index (see
  enterprise_index.py) is built from the rows and then follows this log.
- `matching`: the same search as a SQL condition (a term matches where it starts a word of
  `search_text`); searches are answered from the in-memory index, this states what they
  must answer, for checks (no text index serves it: nothing asks it of a large table).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import col

from services.gateway.read_model.tables import EnterpriseRow

_SQLITE_LABELS = """
    UPDATE enterprises SET counting_labels = (
        SELECT group_concat(label, ' ') FROM (
            SELECT DISTINCT label FROM holdings
            WHERE enterprise_id = {row}.enterprise_id AND counts ORDER BY label
        )
    ) WHERE enterprise_id = {row}.enterprise_id;"""
# The columns the search index reads; a change to any other column leaves it as it is.
SEARCHED = (
    "listed, sort_name, search_text, municipality, province, region, counting_labels, "
    "category_slugs, delivery_regions, reserved, listed_since, listing_ends"
)
_LOG_NEW = "INSERT INTO enterprise_changes(enterprise_id) VALUES (new.enterprise_id);"
_LOG_OLD = "INSERT INTO enterprise_changes(enterprise_id) VALUES (old.enterprise_id);"
SQLITE_DDL = (
    f"CREATE TRIGGER IF NOT EXISTS enterprises_logged_added AFTER INSERT ON enterprises "
    f"BEGIN {_LOG_NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS enterprises_logged_removed AFTER DELETE ON enterprises "
    f"BEGIN {_LOG_OLD} END",
    f"CREATE TRIGGER IF NOT EXISTS enterprises_logged_changed AFTER UPDATE OF {SEARCHED} "
    f"ON enterprises BEGIN {_LOG_NEW} END",
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
    """CREATE OR REPLACE FUNCTION enterprises_log_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO enterprise_changes(enterprise_id) VALUES (OLD.enterprise_id);
        ELSE
            INSERT INTO enterprise_changes(enterprise_id) VALUES (NEW.enterprise_id);
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS enterprises_logged ON enterprises",
    "DROP TRIGGER IF EXISTS enterprises_logged_changed ON enterprises",
    "CREATE TRIGGER enterprises_logged AFTER INSERT OR DELETE ON enterprises "
    "FOR EACH ROW EXECUTE FUNCTION enterprises_log_change()",
    f"CREATE TRIGGER enterprises_logged_changed AFTER UPDATE OF {SEARCHED} ON enterprises "
    "FOR EACH ROW EXECUTE FUNCTION enterprises_log_change()",
)


def create_search_index(engine: Engine) -> None:
    """Create the triggers (idempotent); run after the tables exist."""
    with engine.begin() as connection:
        _run(connection, SQLITE_DDL if engine.dialect.name == "sqlite" else POSTGRESQL_DDL)


def drop_search_index(engine: Engine) -> None:
    """Drop what the tables' own drop leaves behind: SQLite's FTS table, which read models
    before schema version 8 searched."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS enterprise_words")


def matching(terms: list[str]) -> list[Any]:
    """Conditions selecting listed enterprises where every term starts a word (the same on
    every database)."""
    # Terms are letters and digits only (see `words`), so they hold no LIKE wildcards.
    likes = [col(EnterpriseRow.search_text).like(f"% {term}%") for term in terms]
    return [col(EnterpriseRow.listed).is_(True), *likes]


def _run(connection: Connection, statements: tuple[str, ...]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)
