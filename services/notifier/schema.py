"""The notifier's schema, kept by the Alembic migrations in services/notifier/migrations.

`migrate` brings a database to the newest revision at every start-up. A database made
before migrations existed (create_all, then an `ALTER TABLE` for `delivery.stream_seq`) has
no `alembic_version`: revision 0001 creates only what is missing, so it adopts such a
database, rows and all.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy import Engine

from services.kit.migrations import Migrations

# Every table of the notifier, imported so that their metadata is complete.
from services.notifier import mail_tables, operator_digest, preferences, pruning
from services.notifier.deliveries import NotifierTable

log = structlog.get_logger()

TABLE_MODULES = (mail_tables, operator_digest, preferences, pruning)
metadata = NotifierTable.metadata
MIGRATIONS = Migrations(
    Path(__file__).resolve().parent / "migrations",
    # Any fixed 63-bit number will do, as long as no other user of the database takes it.
    lock_key=int.from_bytes(b"notifier", "big") >> 1,
)
head_revision = MIGRATIONS.head
current_revision = MIGRATIONS.current


def migrate(engine: Engine) -> str | None:
    """Upgrade the schema to the newest revision; safe at every start-up and from several
    processes at once. Returns the revision the database was at before."""
    revisions = MIGRATIONS.upgrade(engine)
    log.info(
        "database_prepared",
        backend=engine.url.get_backend_name(),
        before=revisions.before,
        revision=revisions.after,
    )
    return revisions.before
