"""Engines and schema: SQLite (WAL, busy timeout, immediate write locks) or PostgreSQL, the
schema kept by the Alembic migrations in services/registry/migrations."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import structlog
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect

from services.kit.migrations import Migrations, Upgrade
from services.kit.sqlite_wal import SQLITE_BUSY_TIMEOUT_MS, use_wal

log = structlog.get_logger()

# An execution option: a transaction that only reads takes no write lock on SQLite (in WAL
# mode it reads a snapshot), so it never makes a writer sleep in the busy handler.
READ_ONLY = "impactoost_read_only"
MIGRATIONS = Migrations(
    Path(__file__).resolve().parent.parent / "migrations",
    # Any fixed 63-bit number will do, as long as no other user of the database takes it.
    lock_key=int.from_bytes(b"registry", "big"),
)
# The schema create_all made before migrations existed; revision 0001 is that schema.
INITIAL_REVISION = "0001"
INITIAL_TABLES = frozenset({"enterprise", "holding", "holding_kvk", "processed_event", "outbox"})


SchemaRevisions = Upgrade
"""The schema's revision before and after `prepare_database` (None: no revision yet);
`stamped` when tables from before migrations were recognised as revision 0001."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; nothing connects until it is first used."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    """WAL lets readers run beside the writer; BEGIN IMMEDIATE takes the write lock up front,
    so a transaction waits out the busy timeout instead of failing on a lock upgrade. A
    connection with the `READ_ONLY` option begins deferred instead.

    Writers in this process (the label consumer, the outbox relay marking rows, the time
    checks) also take a lock of the process first: one that finds SQLite's lock taken
    would sleep in its busy handler (1, 2, 5, 10 ms and longer) and retry, where a thread
    waiting on this lock goes on the moment the other transaction ends. Other processes
    (the CLI's commands) still meet the busy timeout."""
    writing = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        # Held until the connection goes back to the pool, so a connection that commits and
        # begins again keeps it. Not taken within the busy timeout: SQLite's own lock
        # decides, as without it.
        info = connection.connection.info
        if not info.get(_HOLDS_WRITE_LOCK) and writing.acquire(
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        ):
            info[_HOLDS_WRITE_LOCK] = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    # Released once the connection is back in the pool, after its commit or rollback
    # (the engine's commit event comes before the commit itself).
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_HOLDS_WRITE_LOCK, False):
            writing.release()

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exc: Any) -> None:
        _on_checkin(_dbapi_connection, record)


_HOLDS_WRITE_LOCK = "impactoost_holds_write_lock"


def reading(engine: Engine) -> Engine:
    """The same database and connection pool, for transactions that only read: on SQLite they
    begin deferred (see `READ_ONLY`)."""
    return engine.execution_options(**{READ_ONLY: True})


alembic_config = MIGRATIONS.config
head_revision = MIGRATIONS.head
current_revision = MIGRATIONS.current


def prepare_database(engine: Engine) -> SchemaRevisions:
    """Upgrade the schema to the newest revision; safe at every start-up and from several
    processes at once. Tables from before migrations are stamped 0001 first."""
    revisions = MIGRATIONS.upgrade(engine, _stamp_tables_from_before_migrations)
    log.info(
        "database_prepared",
        backend=engine.url.get_backend_name(),
        before=revisions.before,
        revision=revisions.after,
        stamped=revisions.stamped,
    )
    return revisions


def _stamp_tables_from_before_migrations(connection: Connection) -> str | None:
    return INITIAL_REVISION if _has_tables_from_before_migrations(connection) else None


def _has_tables_from_before_migrations(connection: Connection) -> bool:
    present = INITIAL_TABLES & set(inspect(connection).get_table_names())
    if present and present != INITIAL_TABLES:
        missing = ", ".join(sorted(INITIAL_TABLES - present))
        raise CommandError(
            f"the registry database has some of its tables but not {missing}, and no "
            "alembic_version: it was not made by the registry; refusing to migrate it"
        )
    return present == INITIAL_TABLES
