"""Pruning processed ids on a real nats-server: ids go once they are old and at or below the
durable's ack floor, and an event delivered again after that (a durable made anew, replaying
the stream) is still recognised as applied, by its sequence."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import nats
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from contracts.base import utc_now
from contracts.subjects import ENTERPRISES_STREAM, STREAMS
from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.pruning import prune_processed
from services.gateway.read_model.queries import count_processed
from services.gateway.read_model.tables import EnterpriseRow, ProcessedEvent, PrunedPosition
from services.gateway.subscribers import enterprise_consumer
from services.kit.consumer_state import consumer_state
from services.kit.streams import ensure_streams
from tests.fixtures.servers import running_nats
from tests.integration.gateway.test_read_model_feed import publish
from tests.unit.gateway.events import listed, updated

pytestmark = pytest.mark.integration


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[str]:
    """A nats-server of this test's own: the real ENTERPRISES stream holds only its events."""
    with running_nats(tmp_path / "nats") as users:
        yield users.url()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    create_tables(engine)
    yield engine
    engine.dispose()


async def _consume_until(engine: Engine, nats_url: str, durable: str, processed: int) -> None:
    """Run the gateway's enterprise consumer until `processed` events count as applied and
    nothing is left to deliver."""
    consumer = enterprise_consumer(engine, asyncio.Lock(), nats=nats_url, durable=durable)
    await consumer.start()
    client = await nats.connect(nats_url)
    try:
        for _ in range(400):
            state = await consumer_state(client.jetstream(), ENTERPRISES_STREAM.name, durable)
            with Session(engine) as session:
                done = count_processed(session) >= processed
            if done and state.pending == 0 and state.ack_pending == 0:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the consumer did not catch up")
    finally:
        await client.close()
        await consumer.stop()


def _ids(engine: Engine) -> list[int | None]:
    with Session(engine) as session:
        return sorted(session.exec(select(ProcessedEvent.stream_seq)).all(), key=lambda s: s or 0)


async def test_a_redelivery_after_pruning_is_recognised_by_its_sequence(
    own_nats: str, engine: Engine
) -> None:
    await ensure_streams(own_nats, STREAMS)
    durable = f"gateway-{uuid.uuid4().hex[:8]}"
    await publish(own_nats, listed("a"), listed("b"), listed("c"))
    await _consume_until(engine, own_nats, durable, 3)
    client = await nats.connect(own_nats)
    try:
        js = client.jetstream()
        floor = (await consumer_state(js, ENTERPRISES_STREAM.name, durable)).ack_floor
        assert floor == 3
        # Not old enough yet: nothing goes.
        an_hour_ago = utc_now() - timedelta(hours=1)
        assert prune_processed(engine, {ENTERPRISES_STREAM.name: floor}, an_hour_ago) == 0
        later = utc_now() + timedelta(hours=1)
        assert prune_processed(engine, {ENTERPRISES_STREAM.name: floor}, later) == 3
        assert _ids(engine) == []
        with Session(engine) as session:
            mark = session.get(PrunedPosition, ENTERPRISES_STREAM.name)
            assert mark is not None and mark.through_seq == 3
        # The durable is made anew and replays the stream from the start: a, b and c come
        # again, without their ids; then an update of b and a new d.
        await js.delete_consumer(ENTERPRISES_STREAM.name, durable)
    finally:
        await client.close()
    await publish(own_nats, updated("b", name="B vernieuwd"), listed("d"))
    await _consume_until(engine, own_nats, durable, 5)
    with Session(engine) as session:
        assert count_processed(session) == 5, "the three old events counted once, not twice"
        names = {row.enterprise_id: row.name for row in session.exec(select(EnterpriseRow))}
    assert set(names) == {"a", "b", "c", "d"}
    assert names["b"] == "B vernieuwd"
    assert _ids(engine) == [4, 5]


async def test_ids_above_the_ack_floor_are_kept_however_old(own_nats: str, engine: Engine) -> None:
    await ensure_streams(own_nats, STREAMS)
    durable = f"gateway-{uuid.uuid4().hex[:8]}"
    await publish(own_nats, listed("a"), listed("b"), listed("c"))
    await _consume_until(engine, own_nats, durable, 3)
    later = utc_now() + timedelta(days=30)
    # A floor of 1: the events at 2 and 3 might still be delivered again, as far as we know.
    assert prune_processed(engine, {ENTERPRISES_STREAM.name: 1}, later) == 1
    assert _ids(engine) == [2, 3]
