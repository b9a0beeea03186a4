"""The registry's schema migrations on SQLite and PostgreSQL: from an empty database, from the
tables made before migrations existed, again at every start-up, and from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Engine, func, inspect, select, text

from services.kit.processes import free_port
from services.registry.adapters.database import (
    INITIAL_REVISION,
    SchemaRevisions,
    alembic_config,
    head_revision,
    make_engine,
    prepare_database,
)
from services.registry.adapters.tables import (
    EnterpriseRow,
    HoldingKvkRow,
    HoldingRow,
    OutboxRow,
    ProcessedEventRow,
    metadata,
)
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_event
from tests.unit.registry.factories import TODAY, at, granted, observation

pytestmark = pytest.mark.integration

TABLES = (EnterpriseRow, HoldingRow, HoldingKvkRow, ProcessedEventRow, OutboxRow)


@pytest.fixture
def bare_engine(database_url: str) -> Any:
    """An engine on the test's database, with no schema in it yet."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def differences_from_models(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def stored_revisions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            str(table.__tablename__): connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for table in TABLES
        }


# Columns added by revisions after 0001: tables from before migrations lack them.
COLUMNS_SINCE_INITIAL = {
    "holding": ("municipality_code", "place_status", "website_host", "name_key"),
    "enterprise": ("next_check_on", "supplement"),
    "outbox": ("dead_at", "dead_reason"),
    "processed_event": ("stream", "stream_sequence"),
}
INDEXES_SINCE_INITIAL = (
    "ix_holding_website_host",
    "ix_holding_name_key",
    "ix_enterprise_next_check_on",
    "ix_supplement_change_enterprise_id",
    "ix_supplement_change_changed_at",
    "ix_claim_enterprise_id",
    "ix_claim_requested_at",
    "ix_processed_event_stream_sequence",
)
TABLES_SINCE_INITIAL = ("merge", "reminder", "supplement_change", "claim", "processed_stream")


def drop_columns_since_initial(engine: Engine) -> None:
    """Turn tables made by today's create_all into those made before migrations existed."""
    with engine.begin() as connection:
        for index in INDEXES_SINCE_INITIAL:
            connection.execute(text(f"DROP INDEX {index}"))
        for name in TABLES_SINCE_INITIAL:
            connection.execute(text(f"DROP TABLE {name}"))
        for table, columns in COLUMNS_SINCE_INITIAL.items():
            for column in columns:
                connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))


TWO_ENTERPRISES = {
    "enterprise": 2,
    "holding": 2,
    "holding_kvk": 2,
    "processed_event": 2,
    "outbox": 4,  # each listing, and it as the enterprise's state
}


def record_two_enterprises(engine: Engine) -> None:
    for number, kvk in (("PSO-2024-0153", "06123456"), ("PSO-2024-0154", "06999999")):
        site = f"https://{number.lower()}.example.nl/"
        event = granted(observation(number, kvk=(kvk,), website=site), at(0))
        record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")


def test_upgrade_from_an_empty_database_makes_exactly_the_models_schema(
    bare_engine: Engine,
) -> None:
    revisions = prepare_database(bare_engine)
    assert revisions == SchemaRevisions(before=None, after=head_revision(), stamped=False)
    assert differences_from_models(bare_engine) == []
    assert stored_revisions(bare_engine) == [head_revision()]
    record_two_enterprises(bare_engine)
    assert counts(bare_engine)["enterprise"] == 2


def test_tables_from_before_migrations_are_stamped_upgraded_and_keep_their_rows(
    bare_engine: Engine,
) -> None:
    metadata.create_all(bare_engine)
    record_two_enterprises(bare_engine)
    drop_columns_since_initial(bare_engine)
    before = counts(bare_engine)
    revisions = prepare_database(bare_engine)
    assert revisions == SchemaRevisions(before=None, after=head_revision(), stamped=True)
    assert stored_revisions(bare_engine) == [head_revision()]
    assert differences_from_models(bare_engine) == []
    assert counts(bare_engine) == before == TWO_ENTERPRISES
    with bare_engine.connect() as connection:
        filled = connection.execute(text("SELECT website_host, name_key FROM holding")).all()
    assert sorted(map(tuple, filled)) == [
        ("pso-2024-0153.example.nl", "kringloop twente"),
        ("pso-2024-0154.example.nl", "kringloop twente"),
    ]


def test_upgrade_from_the_previous_revision_keeps_rows_and_looks_at_every_enterprise_once(
    bare_engine: Engine,
) -> None:
    prepare_database(bare_engine)
    record_two_enterprises(bare_engine)
    with bare_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")
    before = counts(bare_engine)
    revisions = prepare_database(bare_engine)
    assert revisions == SchemaRevisions(before="0003", after=head_revision())
    assert differences_from_models(bare_engine) == []
    assert counts(bare_engine) == before == TWO_ENTERPRISES
    with SqlUnitOfWork(bare_engine) as uow:
        due = uow.enterprises.due_for_check(date.today())
    assert len(due) == 2


def test_preparing_at_every_start_up_changes_nothing(bare_engine: Engine) -> None:
    prepare_database(bare_engine)
    record_two_enterprises(bare_engine)
    before = counts(bare_engine)
    revisions = prepare_database(bare_engine)
    assert revisions == SchemaRevisions(before=head_revision(), after=head_revision())
    assert stored_revisions(bare_engine) == [head_revision()]
    assert counts(bare_engine) == before


def test_two_registries_in_one_process_starting_at_once_migrate_once(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    both_ready = threading.Barrier(2, timeout=30)

    def start(engine: Engine) -> SchemaRevisions:
        with engine.connect():  # connected (and SQLite tuned) before the race starts
            pass
        both_ready.wait()
        return prepare_database(engine)

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(start, engines))
        assert sorted((r.before or "none", r.after) for r in results) == [
            (head_revision(), head_revision()),
            ("none", head_revision()),
        ]
        assert differences_from_models(engines[0]) == []
    finally:
        for engine in engines:
            engine.dispose()


# Imports and connects first, then migrates when the test says go, so the two overlap.
START_UP = """
import sys
from services.registry.adapters.database import make_engine, prepare_database
engine = make_engine(sys.argv[1])
engine.connect().close()
print("ready", flush=True)
sys.stdin.readline()
revisions = prepare_database(engine)
print(revisions.before or "none", revisions.after, flush=True)
"""


def test_two_registry_processes_starting_at_once_migrate_once(database_url: str) -> None:
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", START_UP, database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for start in starts:
        assert start.stdout is not None and start.stdout.readline() == "ready\n"
    for start in starts:
        assert start.stdin is not None
        start.stdin.write("go\n")
        start.stdin.flush()
    outcomes = [start.communicate(timeout=60) for start in starts]
    assert [start.returncode for start in starts] == [0, 0], [err for _, err in outcomes]
    assert sorted(out.splitlines()[-1] for out, _ in outcomes) == [
        f"{head_revision()} {head_revision()}",
        f"none {head_revision()}",
    ]
    engine = make_engine(database_url)
    try:
        assert stored_revisions(engine) == [head_revision()]
        assert differences_from_models(engine) == []
    finally:
        engine.dispose()


def test_a_database_with_only_some_registry_tables_is_refused(bare_engine: Engine) -> None:
    EnterpriseRow.__table__.create(bare_engine)  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="not holding"):
        prepare_database(bare_engine)
    assert "alembic_version" not in inspect(bare_engine).get_table_names()


def impactoost(tmp_path: Path, *args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "IMPACTOOST_DATA_DIR": str(tmp_path),
        "IMPACTOOST_DATABASE_URL": database_url,
        "IMPACTOOST_LOG_FORMAT": "json",
    }
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_command_creates_the_schema_and_prints_the_revisions(
    database_url: str, tmp_path: Path
) -> None:
    result = impactoost(tmp_path, "registry", "migrate", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "revision before: none",
        f"revision after: {head_revision()}",
    ]
    engine = make_engine(database_url)
    try:
        assert differences_from_models(engine) == []
    finally:
        engine.dispose()
    again = impactoost(tmp_path, "registry", "current", database_url=database_url)
    assert again.stdout.strip() == f"revision: {head_revision()} (newest: {head_revision()})"


def test_migrate_command_stamps_tables_from_before_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    drop_columns_since_initial(engine)
    engine.dispose()
    result = impactoost(tmp_path, "registry", "migrate", database_url=url)
    assert result.returncode == 0, result.stderr
    assert INITIAL_REVISION in result.stdout.splitlines()[0]
    assert "stamped" in result.stdout.splitlines()[0]


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, word: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if "impactoost: error:" in line]
    assert line.startswith("impactoost: error: ") and word in line
    assert result.stdout == ""


def test_an_unreachable_postgresql_is_a_one_line_error(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://registry:secret@127.0.0.1:{free_port()}/registry"
    result = impactoost(tmp_path, "registry", "migrate", database_url=url)
    assert_one_line_error(result, 1, "database: connection failed")
    assert "secret" not in result.stderr


def test_a_malformed_database_url_is_a_one_line_settings_error(tmp_path: Path) -> None:
    result = impactoost(tmp_path, "registry", "migrate", database_url="postgres ql://nowhere")
    assert_one_line_error(result, 2, "IMPACTOOST_DATABASE_URL")
