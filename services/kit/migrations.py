"""Running a service's Alembic migrations: at every start-up, safely from several processes
at once, on SQLite and PostgreSQL. Each service names its migrations folder and a lock key;
its `migrations/env.py` is the kit's (alembic_env.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

# Alembic keeps one `context` per process: two threads running its commands at once would
# swap each other's out.
_ALEMBIC_IN_THIS_PROCESS = threading.Lock()


@dataclass(frozen=True)
class Upgrade:
    """What one upgrade did: the revision before (None: none), after, and whether the
    database was first stamped as made before migrations existed."""

    before: str | None
    after: str | None
    stamped: bool = False


@dataclass(frozen=True)
class Migrations:
    """A service's migrations folder and the PostgreSQL advisory lock its upgrades take."""

    folder: Path
    lock_key: int
    """Any fixed 63-bit number no other user of the database takes."""

    def config(self, connection: Connection | None = None) -> Config:
        """Alembic's configuration, run on `connection` if given."""
        config = Config()
        config.set_main_option("script_location", str(self.folder))
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    def head(self) -> str | None:
        """The newest revision."""
        return ScriptDirectory.from_config(self.config()).get_current_head()

    def current(self, engine: Engine) -> str | None:
        """The revision the database is at (None: no migrations applied)."""
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def upgrade(
        self, engine: Engine, stamp_first: Callable[[Connection], str | None] = lambda c: None
    ) -> Upgrade:
        """Upgrade to the newest revision in one transaction that holds every other
        migrating process off. `stamp_first` may name the revision an unversioned database
        already is (one made before migrations existed)."""
        _make_sqlite_directory(engine)
        with _ALEMBIC_IN_THIS_PROCESS, engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # DDL is transactional there: the next process to get the lock sees it done.
                # On SQLite the engine's BEGIN IMMEDIATE holds the file's write lock already.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": self.lock_key}
                )
            before = MigrationContext.configure(connection).get_current_revision()
            config = self.config(connection)
            stamp = stamp_first(connection) if before is None else None
            if stamp is not None:
                command.stamp(config, stamp)
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
        return Upgrade(before=before, after=after, stamped=stamp is not None)


def _make_sqlite_directory(engine: Engine) -> None:
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
