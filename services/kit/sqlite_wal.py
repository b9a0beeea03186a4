"""SQLite in WAL mode, as the services that keep their state in a SQLite file open it."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

# How long a statement waits for another connection's lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def use_wal(cursor: Any) -> None:
    """Switch the connection's file to WAL. Switching a new file takes an exclusive lock
    without waiting for it, so a second process opening the file at that moment gets
    'database is locked': retry within the busy timeout, as any other statement would wait."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
