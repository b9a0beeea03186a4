"""An outbox row nats-server can never take (above its max_payload) against a real server and
a real database: the rows behind it are published, it lands in DEADLETTERS with its reason,
and it is marked; the relay's health and the outbox's retention on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import nats
import pytest
from faststream.nats import NatsBroker
from nats.js.api import RawStreamMsg
from sqlalchemy import Engine, Table, insert, select

from contracts import deadletters as dead
from contracts.subjects import DEADLETTERS_STREAM, ENTERPRISES_STREAM, enterprise_subject
from services.kit.jetstream import make_broker
from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import JetStreamPublisher
from services.registry.adapters.tables import OutboxRow, as_utc
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.housekeeping import forget_published, relay_health
from services.registry.moves import last_event
from tests.unit.registry.factories import MORNING, TODAY, at, granted, lapsed, observation

pytestmark = pytest.mark.integration

OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]
BIG_ID = "enterprise-event-of-1-2-megabytes"
BIG_SUBJECT = enterprise_subject("Overijssel", "Twente", "updated")
BIG_PAYLOAD = '{"kvk": [' + ",".join(['"06123456"'] * 110_000) + "]}"  # about 1.2 MB


@pytest.fixture
async def broker(nats_streams: str) -> AsyncIterator[NatsBroker]:
    broker = make_broker(nats_streams, graceful_timeout=5)
    await broker.connect()
    yield broker
    await broker.stop()


def queue_big_row_then_events(engine: Engine) -> list[str]:
    """The oversized row first, then a listing and a delisting (four rows) behind it."""
    with engine.begin() as connection:
        connection.execute(
            insert(OUTBOX).values(
                event_id=BIG_ID, subject=BIG_SUBJECT, payload=BIG_PAYLOAD, created_at=MORNING
            )
        )
    obs = observation()
    outcomes = [
        record_label_event(e, SqlUnitOfWork(engine), TODAY, source="test")
        for e in (granted(obs), lapsed(obs, at(1)))
    ]
    return [e.event_id for o in outcomes if (e := last_event(o)) is not None]


async def stream_messages(url: str, stream: str) -> list[RawStreamMsg]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        state = (await js.stream_info(stream)).state
        if not state.messages:
            return []
        return [await js.get_msg(stream, seq) for seq in range(state.first_seq, state.last_seq + 1)]
    finally:
        await nc.close()


async def test_an_oversized_row_goes_to_the_operator_and_the_rows_behind_it_are_published(
    engine: Engine, broker: NatsBroker, nats_streams: str
) -> None:
    event_ids = queue_big_row_then_events(engine)
    relay = OutboxRelay(
        lambda: SqlUnitOfWork(engine), JetStreamPublisher(broker), clock=lambda: at(2)
    )
    assert await relay.publish_pending() == 4
    published = await stream_messages(nats_streams, ENTERPRISES_STREAM.name)
    assert [(m.headers or {})["Nats-Msg-Id"] for m in published] == event_ids
    [letter] = await stream_messages(nats_streams, DEADLETTERS_STREAM.name)
    headers = letter.headers or {}
    assert letter.subject == "impactoost.deadletters.registry.outbox"
    assert headers[dead.KIND] == "unpublishable"
    assert headers[dead.SUBJECT] == BIG_SUBJECT and headers[dead.ORIGINAL_ID] == BIG_ID
    assert "bytes" in headers[dead.REASON]
    body = json.loads(letter.data or b"")
    assert body == {
        "event_id": BIG_ID,
        "subject": BIG_SUBJECT,
        "size": len(BIG_PAYLOAD),
        "error": headers[dead.REASON],
    }
    with engine.connect() as connection:
        row = connection.execute(select(OUTBOX).where(OUTBOX.c.event_id == BIG_ID)).one()
    assert row.published_at is None and as_utc(row.dead_at) == at(2)
    assert row.dead_reason == headers[dead.REASON]
    assert await relay.publish_pending() == 0
    assert len(await stream_messages(nats_streams, DEADLETTERS_STREAM.name)) == 1
    health = relay_health(SqlUnitOfWork(engine), at(3))
    assert (health.backlog, health.oldest_unpublished_at, health.given_up) == (0, None, 1)


async def test_relay_health_and_retention_on_the_database(
    engine: Engine, broker: NatsBroker
) -> None:
    queue_big_row_then_events(engine)
    waiting = relay_health(SqlUnitOfWork(engine), at(2))
    assert (waiting.backlog, waiting.given_up) == (5, 0)
    assert waiting.oldest_unpublished_at == MORNING
    relay = OutboxRelay(
        lambda: SqlUnitOfWork(engine), JetStreamPublisher(broker), clock=lambda: at(2)
    )
    await relay.publish_pending()
    factory = lambda: SqlUnitOfWork(engine)  # noqa: E731
    assert forget_published(factory, at(2) + timedelta(days=7), keep_days=7) == 0
    assert forget_published(factory, at(2) + timedelta(days=8), keep_days=7, batch=3) == 4
    with engine.connect() as connection:
        left = list(connection.execute(select(OUTBOX.c.event_id)).scalars())
    assert left == [BIG_ID]
    assert forget_published(factory, at(2) + timedelta(days=31), keep_days=7) == 1
