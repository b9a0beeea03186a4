"""Revisions 0006 (outbox rows given up on) and 0007 (processed ids with their stream
sequence, pruned-through per stream) on SQLite and PostgreSQL: from an empty database and
from 0005 with rows in it, ending exactly at the models' schema."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text

from services.registry.adapters.database import (
    SchemaRevisions,
    alembic_config,
    head_revision,
    make_engine,
    prepare_database,
)
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_events
from services.registry.housekeeping import prune_processed, relay_health
from tests.integration.registry.test_migrations import (
    TWO_ENTERPRISES,
    counts,
    differences_from_models,
    record_two_enterprises,
)
from tests.unit.registry.factories import TODAY, at, granted, observation

pytestmark = pytest.mark.integration


@pytest.fixture
def bare_engine(database_url: str) -> Any:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def at_0005_with_two_enterprises(engine: Engine) -> None:
    """Two enterprises recorded, then the schema taken back to revision 0005."""
    prepare_database(engine)
    record_two_enterprises(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005")


def test_the_newest_revisions_are_the_outbox_and_the_processed_sequences() -> None:
    assert head_revision() == "0007"


def test_from_empty_the_schema_is_the_models(bare_engine: Engine) -> None:
    assert prepare_database(bare_engine).after == "0007"
    assert differences_from_models(bare_engine) == []


def test_from_0005_with_rows_the_upgrade_keeps_them_and_ends_at_the_models(
    bare_engine: Engine,
) -> None:
    at_0005_with_two_enterprises(bare_engine)
    before = counts(bare_engine)
    assert before == TWO_ENTERPRISES
    revisions = prepare_database(bare_engine)
    assert revisions == SchemaRevisions(before="0005", after="0007")
    assert differences_from_models(bare_engine) == []
    assert counts(bare_engine) == before
    with bare_engine.connect() as connection:
        kept = connection.execute(text("SELECT stream, stream_sequence FROM processed_event"))
        assert set(map(tuple, kept)) == {(None, None)}
        dead = connection.execute(text("SELECT dead_at, dead_reason FROM outbox"))
        assert set(map(tuple, dead)) == {(None, None)}
    health = relay_health(SqlUnitOfWork(bare_engine), at(1))
    assert (health.backlog, health.given_up) == (4, 0)


def test_after_the_upgrade_new_ids_keep_their_sequence_and_old_ones_are_pruned_by_age(
    bare_engine: Engine,
) -> None:
    at_0005_with_two_enterprises(bare_engine)
    prepare_database(bare_engine)
    obs = observation("PSO-2024-0155", kvk=("06555555",), website="https://third.example.nl/")
    factory = lambda: SqlUnitOfWork(bare_engine)  # noqa: E731
    record_label_events([(granted(obs, at(1)), None)], factory, TODAY, source="t", sequences=[3])
    with bare_engine.connect() as connection:
        rows = connection.execute(text("SELECT stream, stream_sequence FROM processed_event"))
        assert sorted(map(tuple, rows), key=str) == sorted(
            [(None, None), (None, None), ("LABELS", 3)], key=str
        )
    # Years later, with the durable past sequence 3: every id goes, and 3 stays a duplicate.
    assert prune_processed(factory, at(24 * 800), 30, {"LABELS": 3}) == 3
    with bare_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM processed_event")).scalar() == 0
        through = connection.execute(text("SELECT stream, pruned_through FROM processed_stream"))
        assert list(map(tuple, through)) == [("LABELS", 3)]
