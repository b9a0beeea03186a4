"""The bare pipeline's tables through the plain drivers (sqlite3, psycopg): no ORM, no domain.

Connections are set up as the services' engines set theirs up: stage 1 like the registry's
(WAL, synchronous NORMAL, busy timeout, BEGIN IMMEDIATE), stage 2 and the endpoint like the
gateway's read model (WAL, synchronous NORMAL, plain BEGIN); PostgreSQL with the server's
defaults, as both services use it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.engine import make_url

Role = Literal["registry", "gateway"]
Dialect = Literal["sqlite", "postgresql"]
REGISTRY_BUSY_TIMEOUT_MS = 15_000
GATEWAY_TIMEOUT_SECONDS = 15

_SCHEMA = {
    "sqlite": (
        "CREATE TABLE IF NOT EXISTS bare_label_event"
        " (event_id TEXT PRIMARY KEY, payload BLOB NOT NULL)",
        "CREATE TABLE IF NOT EXISTS bare_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " event_id TEXT NOT NULL, subject TEXT NOT NULL, payload BLOB NOT NULL)",
        "CREATE TABLE IF NOT EXISTS bare_thing"
        " (id TEXT PRIMARY KEY, payload BLOB NOT NULL, stream_seq INTEGER NOT NULL)",
    ),
    "postgresql": (
        "CREATE TABLE IF NOT EXISTS bare_label_event"
        " (event_id TEXT PRIMARY KEY, payload BYTEA NOT NULL)",
        "CREATE TABLE IF NOT EXISTS bare_outbox (id BIGSERIAL PRIMARY KEY,"
        " event_id TEXT NOT NULL, subject TEXT NOT NULL, payload BYTEA NOT NULL)",
        "CREATE TABLE IF NOT EXISTS bare_thing"
        " (id TEXT PRIMARY KEY, payload BYTEA NOT NULL, stream_seq BIGINT NOT NULL)",
    ),
}
STAGE_ONE_TABLES = ("bare_label_event", "bare_outbox")
TABLES = (*STAGE_ONE_TABLES, "bare_thing")
_RECORD_EVENT = (
    "INSERT INTO bare_label_event (event_id, payload) VALUES ({p}, {p})"
    " ON CONFLICT (event_id) DO NOTHING"
)
_RECORD_OUTBOX = "INSERT INTO bare_outbox (event_id, subject, payload) VALUES ({p}, {p}, {p})"
_UPSERT_THING = (
    "INSERT INTO bare_thing (id, payload, stream_seq) VALUES ({p}, {p}, {p})"
    " ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, stream_seq = excluded.stream_seq"
)
_READ_THING = "SELECT payload FROM bare_thing WHERE id = {p}"


@dataclass(frozen=True)
class Database:
    """The database a plain driver opens, from a SQLAlchemy URL."""

    dialect: Dialect
    location: str
    """A SQLite file's path, or a libpq connection string."""

    @classmethod
    def of(cls, url: str) -> Database:
        """`sqlite:///path` or `postgresql[+driver]://…`; anything else is refused."""
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise ValueError("the bare pipeline needs a SQLite file, not an in-memory one")
            return cls("sqlite", str(parsed.database))
        if backend == "postgresql":
            plain = parsed.set(drivername="postgresql")
            return cls("postgresql", plain.render_as_string(hide_password=False))
        raise ValueError(f"the bare pipeline runs on SQLite or PostgreSQL, not {backend}")


def statement(template: str, dialect: Dialect) -> str:
    """`template` with each driver's parameter placeholder."""
    return template.format(p="?" if dialect == "sqlite" else "%s")


class BareStore:
    """One connection and the few statements of the bare pipeline."""

    def __init__(self, database: Database, role: Role) -> None:
        self.dialect: Dialect = database.dialect
        self.role = role
        self.connection: Any = _open(database, role)

    def create_tables(self) -> None:
        """The three tables, when missing."""
        with self._transaction() as cursor:
            for ddl in _SCHEMA[self.dialect]:
                cursor.execute(ddl)

    def record_labels(self, events: Sequence[tuple[str, bytes]], subject: str) -> None:
        """Stage 1: each (event id, payload) and its outbox row, in one transaction. The
        event id is the processed-event key: a redelivered event's row stays as it was, and
        its outbox row and publish repeat, which the stream drops by `Nats-Msg-Id`."""
        with self._transaction() as cursor:
            cursor.executemany(self._sql(_RECORD_EVENT), events)
            outbox = [(event_id, subject, payload) for event_id, payload in events]
            cursor.executemany(self._sql(_RECORD_OUTBOX), outbox)

    def upsert_things(self, things: Sequence[tuple[str, bytes, int]]) -> None:
        """Stage 2: each (id, payload, stream sequence), in one transaction."""
        with self._transaction() as cursor:
            cursor.executemany(self._sql(_UPSERT_THING), things)

    def read_thing(self, thing_id: str) -> bytes | None:
        """The endpoint: one row's payload by id, or None."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._sql(_READ_THING), (thing_id,))
            row = cursor.fetchone()
        finally:
            cursor.close()
        if self.dialect == "postgresql":
            self.connection.rollback()  # end the read's transaction: no snapshot held open
        return None if row is None else bytes(row[0])

    def counts(self, tables: Sequence[str] = TABLES) -> dict[str, int]:
        """Rows per table: what the stages committed."""
        cursor = self.connection.cursor()
        try:
            counts = {}
            for table in tables:
                if table not in TABLES:
                    raise ValueError(f"no bare pipeline table {table!r}")
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (checked above)
                counts[table] = int(cursor.fetchone()[0])
        finally:
            cursor.close()
        if self.dialect == "postgresql":
            self.connection.rollback()
        return counts

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def _sql(self, template: str) -> str:
        return statement(template, self.dialect)

    def _transaction(self) -> _Transaction:
        return _Transaction(self)


class _Transaction:
    """BEGIN (IMMEDIATE for the registry's role on SQLite) … COMMIT, or ROLLBACK on error."""

    def __init__(self, store: BareStore) -> None:
        self.store = store

    def __enter__(self) -> Any:
        self.cursor = self.store.connection.cursor()
        if self.store.dialect == "sqlite":
            immediate = self.store.role == "registry"
            self.cursor.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        return self.cursor

    def __exit__(self, kind: object, _error: object, _trace: object) -> None:
        try:
            if kind is None:
                self.store.connection.commit()
            else:
                self.store.connection.rollback()
        finally:
            self.cursor.close()


def _open(database: Database, role: Role) -> Any:
    if database.dialect == "postgresql":
        import psycopg

        return psycopg.connect(database.location)
    if role == "registry":
        connection = sqlite3.connect(database.location, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout={REGISTRY_BUSY_TIMEOUT_MS}")
    else:
        connection = sqlite3.connect(
            database.location, isolation_level=None, timeout=GATEWAY_TIMEOUT_SECONDS
        )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection
