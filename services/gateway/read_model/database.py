"""Engine construction and schema creation; nothing connects until asked to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine, select

from services.gateway.read_model.search_index import create_search_index, drop_search_index
from services.gateway.read_model.tables import SCHEMA_VERSION, ReadModel, SchemaVersion

log = structlog.get_logger()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, and one shared in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    in_memory = parsed.database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 15},
        poolclass=StaticPool if in_memory else None,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # pysqlite only opens a transaction before a write, so a page's count, rows and facets
    # would each see a different state while the feed writes; real transactions give one
    # snapshot per request (SQLAlchemy's documented pysqlite recipe).
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_IMMEDIATE = "impactoost_begin_immediate"


def for_writing(engine: Engine) -> Engine:
    """The same engine (and pool) for transactions that write. On SQLite they begin
    IMMEDIATE: a transaction that reads first and writes later would otherwise hold a read
    snapshot, and when another writer commits in between, SQLite refuses its write at once
    ("database is locked", without waiting out the busy timeout). Taking the write lock at
    the start makes it wait its turn instead. Other databases are unaffected."""
    return engine.execution_options(**{_IMMEDIATE: True})


def create_tables(engine: Engine) -> None:
    """Create the read model's tables; drop a read model of another schema version first,
    so the feed finds it empty and replays the streams into the new tables."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if _stored_version(engine) not in (None, SCHEMA_VERSION):
        log.warning("read_model_rebuilt", reason="schema version changed", version=SCHEMA_VERSION)
        drop_search_index(engine)
        ReadModel.metadata.drop_all(engine)
    ReadModel.metadata.create_all(engine)
    create_search_index(engine)
    with Session(engine) as session:
        if session.get(SchemaVersion, SCHEMA_VERSION) is None:
            session.add(SchemaVersion(version=SCHEMA_VERSION))
            session.commit()


def _stored_version(engine: Engine) -> int | None:
    """The schema version in the database; 1 for a read model from before versions existed."""
    tables = inspect(engine).get_table_names()
    if "enterprises" not in tables and "sources" not in tables:
        return None
    if SchemaVersion.__tablename__ not in tables:
        return 1
    with Session(engine) as session:
        return session.exec(select(SchemaVersion.version)).first() or 1
