"""The outbox relay against a real nats-server and a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats
import pytest
from faststream.nats import NatsBroker
from sqlalchemy import Engine, update

from contracts.subjects import ENTERPRISES_STREAM
from services.kit.jetstream import make_broker
from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import JetStreamPublisher
from services.registry.adapters.tables import OutboxRow
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.moves import events_of
from tests.unit.registry.factories import MORNING, TODAY, at, granted, lapsed, observation

pytestmark = pytest.mark.integration


@pytest.fixture
async def broker(nats_streams: str) -> AsyncIterator[NatsBroker]:
    broker = make_broker(nats_streams, graceful_timeout=5)
    await broker.connect()
    yield broker
    await broker.stop()


def _relay(engine: Engine, broker: NatsBroker) -> OutboxRelay:
    return OutboxRelay(
        lambda: SqlUnitOfWork(engine), JetStreamPublisher(broker), clock=lambda: MORNING
    )


def _record_listing_and_delisting(engine: Engine) -> list[str]:
    obs = observation()
    outcomes = [
        record_label_event(e, SqlUnitOfWork(engine), TODAY, source="test")
        for e in (granted(obs), lapsed(obs, at(1)))
    ]
    return [e.event_id for o in outcomes for e in events_of(o)]


async def _stream_messages(url: str) -> list[tuple[str, str]]:
    """(subject, Nats-Msg-Id) of every message in ENTERPRISES, in stream order."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        state = (await js.stream_info(ENTERPRISES_STREAM.name)).state
        messages = (
            [
                await js.get_msg(ENTERPRISES_STREAM.name, seq)
                for seq in range(state.first_seq, state.last_seq + 1)
            ]
            if state.messages
            else []
        )
        return [(str(m.subject), (m.headers or {})["Nats-Msg-Id"]) for m in messages]
    finally:
        await nc.close()


async def test_relay_publishes_rows_in_order_with_event_ids_and_marks_them(
    engine: Engine,
    broker: NatsBroker,
    nats_streams: str,
) -> None:
    event_ids = _record_listing_and_delisting(engine)
    assert await _relay(engine, broker).publish_pending() == 4
    messages = await _stream_messages(nats_streams)
    assert [msg_id for _, msg_id in messages] == event_ids
    assert [subject.rsplit(".", 1)[1] for subject, _ in messages] == ["listed", "delisted"]
    with SqlUnitOfWork(engine) as uow:
        assert uow.outbox.pending(10) == []


async def test_row_left_unpublished_by_a_crash_is_published_by_the_next_relay(
    engine: Engine,
    broker: NatsBroker,
    nats_streams: str,
) -> None:
    event_ids = _record_listing_and_delisting(engine)
    assert await _stream_messages(nats_streams) == []  # the process "died" after commit
    assert await _relay(engine, broker).publish_pending() == 4
    assert [msg_id for _, msg_id in await _stream_messages(nats_streams)] == event_ids


async def test_row_published_twice_by_two_relays_is_stored_once(
    engine: Engine,
    broker: NatsBroker,
    nats_streams: str,
) -> None:
    event_ids = _record_listing_and_delisting(engine)
    assert await _relay(engine, broker).publish_pending() == 4
    with engine.begin() as connection:  # as if the first relay died before marking
        connection.execute(update(OutboxRow).values(published_at=None))
    assert await _relay(engine, broker).publish_pending() == 4
    assert [msg_id for _, msg_id in await _stream_messages(nats_streams)] == event_ids


class _CountingReader:
    """Units of work for the relay's look-ups of pending rows, counted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reads = 0

    def __call__(self) -> SqlUnitOfWork:
        self.reads += 1
        return SqlUnitOfWork(self.engine)


def _handing_relay(engine: Engine, broker: NatsBroker, reader: _CountingReader) -> OutboxRelay:
    return OutboxRelay(
        lambda: SqlUnitOfWork(engine),
        JetStreamPublisher(broker),
        clock=lambda: MORNING,
        poll_seconds=600,
        reader=reader,
    )


async def test_rows_handed_over_by_their_commit_are_published_without_reading_them_back(
    engine: Engine,
    broker: NatsBroker,
    nats_streams: str,
) -> None:
    reader = _CountingReader(engine)
    relay = _handing_relay(engine, broker, reader)
    assert await relay.publish_pending() == 0  # reads once: the outbox is empty
    obs = observation()
    outcomes = [
        record_label_event(e, SqlUnitOfWork(engine, relay.hand_over), TODAY, source="test")
        for e in (granted(obs), lapsed(obs, at(1)))
    ]
    assert await relay.publish_pending() == 4
    assert reader.reads == 1
    messages = await _stream_messages(nats_streams)
    assert [msg_id for _, msg_id in messages] == [
        e.event_id for o in outcomes for e in events_of(o)
    ]
    with SqlUnitOfWork(engine) as uow:
        assert uow.outbox.pending(10) == []


async def test_rows_another_process_wrote_before_handed_rows_are_read_and_go_first(
    engine: Engine,
    broker: NatsBroker,
    nats_streams: str,
) -> None:
    reader = _CountingReader(engine)
    relay = _handing_relay(engine, broker, reader)
    assert await relay.publish_pending() == 0
    first = record_label_event(granted(observation()), SqlUnitOfWork(engine), TODAY, source="t")
    second = record_label_event(
        granted(observation("PSO-2", kvk=("87654321",), name="Ander", website="https://ander.nl")),
        SqlUnitOfWork(engine, relay.hand_over),
        TODAY,
        source="test",
    )
    assert await relay.publish_pending() == 4
    assert reader.reads == 2  # the gap before the handed rows: read from the table
    messages = await _stream_messages(nats_streams)
    assert [msg_id for _, msg_id in messages] == [
        e.event_id for o in (first, second) for e in events_of(o)
    ]
