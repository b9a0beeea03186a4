"""The notifier's schema, kept by the Alembic migrations in services/notifier/migrations.

`migrate` brings a database to the newest revision at every start-up. A database made
before migrations existed (create_all, then an `ALTER TABLE` for `delivery.stream_seq`) has
no `alembic_version`: revision 0001 creates only what is missing, so it adopts such a
database, rows and all.
"""

from __future__ import annotations

import threading
from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

# Every table of the notifier, imported so that their metadata is complete.
from services.notifier import mail_tables, operator_digest, preferences, pruning
from services.notifier.deliveries import NotifierTable

log = structlog.get_logger()

TABLE_MODULES = (mail_tables, operator_digest, preferences, pruning)
metadata = NotifierTable.metadata
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number will do, as long as no other user of the database takes it.
MIGRATION_LOCK_KEY = int.from_bytes(b"notifier", "big") >> 1
# Alembic keeps one `context` per process: two threads running its commands at once would
# swap each other's out.
_ALEMBIC_IN_THIS_PROCESS = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the notifier's migrations, run on `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision of the migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no migrations applied)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> str | None:
    """Upgrade the schema to the newest revision; safe at every start-up and from several
    processes at once. Returns the revision the database was at before."""
    _make_sqlite_directory(engine)
    with _ALEMBIC_IN_THIS_PROCESS, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # DDL is transactional there: the next process to get the lock sees it done.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(alembic_config(connection), "head")
        after = MigrationContext.configure(connection).get_current_revision()
    log.info(
        "database_prepared", backend=engine.url.get_backend_name(), before=before, revision=after
    )
    return before


def _make_sqlite_directory(engine: Engine) -> None:
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
