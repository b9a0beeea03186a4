"""The engine of the notifier's database, and how it uses SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from services.kit.sqlite_wal import SQLITE_BUSY_TIMEOUT_MS, use_wal


def make_engine(url: str) -> Engine:
    """An engine for `url`; nothing connects until it is first used."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    """As the registry's database: WAL with synchronous=NORMAL, so a commit is one write to
    the log and no fsync (a process that dies loses no commit; a power cut may lose the
    last ones, as nats-server's own default sync does); and BEGIN IMMEDIATE, so the
    consumer's and the sender's transactions wait for each other within the busy timeout
    instead of failing on a lock upgrade."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
