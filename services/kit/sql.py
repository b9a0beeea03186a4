"""Upserts on SQLite and PostgreSQL, one statement each, built once per table and dialect:
the services' hot paths write through these rather than the ORM's select-then-flush, and
building a statement anew for every row costs more than running it. They run on the session's
connection, so they neither flush nor see ORM objects not yet flushed."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement

_INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
Excluded = ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]
Guard = Callable[[Table, Excluded], ColumnElement[bool]]
"""`guard(table, excluded)`: whether the stored row may be replaced by the one offered."""


def insert_statement(dialect: str, table: Table) -> Any:
    """The dialect's INSERT (with ON CONFLICT) for `table`."""
    return _INSERTS[_supported(dialect)](table)


def upsert(session: Session, table: Table, values: dict[str, Any]) -> None:
    """Insert the row, or update its other columns from `values`."""
    session.connection().execute(_upsert(_dialect(session), table, tuple(values)), values)


def upsert_if(session: Session, table: Table, values: dict[str, Any], guard: Guard) -> bool:
    """Insert the row, or update its other columns from `values` where `guard` holds, in one
    atomic statement; True if a row was written. `guard` is part of the built statement's key:
    give a module-level function, not a new lambda per call."""
    statement = _upsert(_dialect(session), table, tuple(values), guard)
    # RETURNING names only rows actually inserted or updated (rowcount is not portable).
    return session.connection().execute(statement, values).first() is not None


def upsert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """`upsert` of many rows (all with the same columns) in one executemany."""
    if rows:
        session.connection().execute(_upsert(_dialect(session), table, tuple(rows[0])), rows)


def insert_many(
    session: Session, table: Table, rows: list[dict[str, Any]], *, skip_existing: bool = False
) -> None:
    """Insert the rows in one executemany, in order. A key already there fails the statement
    (IntegrityError), unless `skip_existing`: such rows are left out then."""
    if not rows:
        return
    statement = _insert_skipping(_dialect(session), table) if skip_existing else insert(table)
    session.connection().execute(statement, rows)


def insert_new(session: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose key is not there yet; returns how many were inserted."""
    if not rows:
        return 0
    statement = _insert_new(_dialect(session), table)
    connection = session.connection()
    return sum(len(connection.execute(statement, row).all()) for row in rows)


def _dialect(session: Session) -> str:
    return _supported(session.get_bind().dialect.name)


def _supported(dialect: str) -> str:
    if dialect not in _INSERTS:
        raise NotImplementedError(f"runs on SQLite or PostgreSQL, not {dialect}")
    return dialect


@cache
def _upsert(
    dialect: str, table: Table, columns: tuple[str, ...], guard: Guard | None = None
) -> Any:
    statement = _INSERTS[dialect](table)
    keys = [column.name for column in table.primary_key.columns]
    upsert = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in columns if name not in keys},
        where=guard(table, statement.excluded) if guard else None,
    )
    return upsert.returning(*table.primary_key.columns) if guard else upsert


@cache
def _insert_skipping(dialect: str, table: Table) -> Any:
    keys = [column.name for column in table.primary_key.columns]
    return _INSERTS[dialect](table).on_conflict_do_nothing(index_elements=keys)


@cache
def _insert_new(dialect: str, table: Table) -> Any:
    return _insert_skipping(dialect, table).returning(*table.primary_key.columns)
