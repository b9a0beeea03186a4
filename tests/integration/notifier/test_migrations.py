"""The notifier's schema migrations on SQLite and PostgreSQL: from an empty database, and
from the database today's code made before migrations existed (create_all, then the
`ALTER TABLE` adding `delivery.stream_seq`), rows and all; both end exactly at the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    select,
    text,
)

from services.notifier.coalescing import Timing
from services.notifier.outgoing import OutgoingMails
from services.notifier.schema import current_revision, head_revision, metadata, migrate
from tests.fixtures.servers import own_database
from tests.unit.notifier.factories import enterprise, listed, updated

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def previous_schema(*, with_stream_seq: bool = True) -> MetaData:
    """The tables as the notifier's create_all made them before migrations (frozen here, so
    this test does not follow the models); without `stream_seq`, `delivery` as it was before
    the hand-written ALTER TABLE added it."""
    previous = MetaData()
    at = DateTime(timezone=True)
    Table(
        "delivery",
        previous,
        Column("event_id", String(64), primary_key=True),
        Column("enterprise_id", String(64), nullable=False, index=True),
        Column("kind", String(40), nullable=False),
        Column("recipient", String(320)),
        Column("status", String(20), nullable=False),
        Column("message_id", String(100), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("sent_at", at),
        Column("updated_at", at, nullable=False),
        *([Column("stream_seq", BigInteger)] if with_stream_seq else []),
    )
    Table(
        "processed_event",
        previous,
        Column("event_id", String(64), primary_key=True),
        Column("mail_id", Integer, index=True),
        Column("outcome", String(20), nullable=False),
        Column("recorded_at", at, nullable=False),
    )
    Table(
        "seen_state",
        previous,
        Column("enterprise_id", String(64), primary_key=True),
        Column("version", Integer, nullable=False),
        Column("state", Text, nullable=False),
    )
    Table(
        "enterprise_mail",
        previous,
        Column("id", Integer, primary_key=True),
        Column("mail_key", String(64), nullable=False, unique=True),
        Column("enterprise_id", String(64), nullable=False, index=True),
        Column("kind", String(40), nullable=False),
        Column("status", String(20), nullable=False, index=True),
        Column("open", Boolean, nullable=False),
        Column("first_at", at, nullable=False),
        Column("due_at", at, nullable=False, index=True),
        Column("event", Text, nullable=False),
        Column("before", Text),
        Column("changes", Text, nullable=False),
        Column("events", Integer, nullable=False),
        Column("recipient", String(320)),
        Column("attempts", Integer, nullable=False),
        Column("sent_at", at),
        Column("updated_at", at, nullable=False),
    )
    Table(
        "mail_preference",
        previous,
        Column("enterprise_id", String(64), primary_key=True),
        Column("token", String(64), nullable=False, unique=True),
        Column("non_essential", Boolean, nullable=False),
        Column("changed_at", at),
    )
    return previous


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of the test's own: a SQLite file or a PostgreSQL one."""
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'notifier.db'}")
        yield made
        made.dispose()
        return
    with own_database(request.getfixturevalue("postgres_url")) as url:
        made = create_engine(url)
        yield made
        made.dispose()


def differences_from_models(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def counts(engine: Engine, tables: tuple[str, ...]) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(
                select(func.count()).select_from(metadata.tables[name])
            ).scalar_one()
            for name in tables
        }


def fill_as_the_previous_code_did(engine: Engine, previous: MetaData) -> None:
    """One row in each table, as the notifier wrote them."""
    tables = previous.tables
    state = enterprise()
    with engine.begin() as connection:
        connection.execute(
            tables["delivery"]
            .insert()
            .values(
                event_id="grant-1",
                enterprise_id=state.enterprise_id,
                kind="signin_link",
                recipient="info@kringlooptwente.example",
                status="sent",
                message_id="<grant-1@impactoost.example>",
                attempts=1,
                sent_at=NOW,
                updated_at=NOW,
            )
        )
        mail = connection.execute(
            tables["enterprise_mail"]
            .insert()
            .values(
                mail_key=listed().event_id,
                enterprise_id=state.enterprise_id,
                kind="listed",
                status="sent",
                open=False,
                first_at=NOW,
                due_at=NOW,
                event=listed().model_dump_json(),
                changes="[]",
                events=1,
                recipient="info@kringlooptwente.example",
                attempts=1,
                sent_at=NOW,
                updated_at=NOW,
            )
        )
        connection.execute(
            tables["processed_event"]
            .insert()
            .values(
                event_id=listed().event_id,
                mail_id=mail.inserted_primary_key[0],  # type: ignore[index]
                outcome="new",
                recorded_at=NOW,
            )
        )
        connection.execute(
            tables["seen_state"]
            .insert()
            .values(enterprise_id=state.enterprise_id, version=1, state=state.model_dump_json())
        )
        connection.execute(
            tables["mail_preference"]
            .insert()
            .values(enterprise_id=state.enterprise_id, token="t" * 32, non_essential=True)
        )


ROWS = ("delivery", "enterprise_mail", "processed_event", "seen_state", "mail_preference")


def test_an_empty_database_is_migrated_to_exactly_the_models(engine: Engine) -> None:
    assert migrate(engine) is None
    assert current_revision(engine) == head_revision()
    assert differences_from_models(engine) == []
    assert migrate(engine) == head_revision()  # again at the next start: nothing to do
    assert differences_from_models(engine) == []


@pytest.mark.parametrize("with_stream_seq", [True, False], ids=["altered", "before_alter"])
def test_a_database_of_the_previous_code_is_adopted_with_its_rows(
    engine: Engine, with_stream_seq: bool
) -> None:
    previous = previous_schema(with_stream_seq=with_stream_seq)
    previous.create_all(engine)
    fill_as_the_previous_code_did(engine, previous)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 1
    assert migrate(engine) is None
    assert current_revision(engine) == head_revision()
    assert differences_from_models(engine) == []
    assert counts(engine, ROWS) == dict.fromkeys(ROWS, 1)
    # The adopted database works: the taken-in event is still known, a new one is taken in.
    mails = OutgoingMails(engine)
    timing = Timing(quiet=timedelta(seconds=60))
    assert mails.record(listed(), mailed=True, now=NOW, timing=timing).outcome == "duplicate"
    change = updated(enterprise(version=2, place="Hengelo"))
    assert mails.record(change, mailed=True, now=NOW, timing=timing, stream_seq=7).outcome == "new"
