"""Engines and schema: SQLite (WAL, busy timeout, immediate write locks) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine, create_engine, event

from services.registry.adapters.tables import metadata

log = structlog.get_logger()

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str) -> Engine:
    """An engine for `url`; nothing connects until it is first used."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    """WAL lets readers run beside the writer; BEGIN IMMEDIATE takes the write lock up front,
    so a transaction waits out the busy timeout instead of failing on a lock upgrade."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def prepare_database(engine: Engine) -> None:
    """Bring the schema up to date (create_all for now; Alembic migrations replace it later)."""
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    metadata.create_all(engine)
    log.info("database_prepared", backend=engine.url.get_backend_name())
