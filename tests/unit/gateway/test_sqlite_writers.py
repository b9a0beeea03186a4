"""Two writers of the gateway's SQLite file: a transaction that reads before it writes (an
editor's form, a consumer's batch) must wait for another writer, not fail on a stale read
snapshot with "database is locked" (as it did in CI before `for_writing`)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from services.gateway.read_model.database import for_writing, make_engine

pytestmark = pytest.mark.unit


def test_a_write_that_reads_first_waits_for_another_writer_instead_of_failing(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE items (name TEXT PRIMARY KEY)"))
    other_done = threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with for_writing(engine).begin() as conn:
                conn.execute(text("INSERT INTO items VALUES ('other')"))
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)
        finally:
            other_done.set()

    with for_writing(engine).connect() as conn, conn.begin():
        assert conn.execute(text("SELECT count(*) FROM items")).scalar_one() == 0
        writer = threading.Thread(target=other_writer)
        writer.start()
        # The other writer waits for our write lock; without it, it would commit now.
        other_done.wait(0.5)
        time.sleep(0.1)
        conn.execute(text("INSERT INTO items VALUES ('ours')"))
        assert not other_done.is_set()
    writer.join(20)
    assert errors == []
    with engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM items")).scalars())
    assert names == {"ours", "other"}


def test_a_plain_transaction_still_only_reads_until_it_writes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE items (name TEXT PRIMARY KEY)"))
    with engine.connect() as reader, reader.begin():
        reader.execute(text("SELECT count(*) FROM items")).scalar_one()
        # A reader takes no write lock: a writer goes ahead at once.
        with for_writing(engine).begin() as conn:
            conn.execute(text("INSERT INTO items VALUES ('written')"))
