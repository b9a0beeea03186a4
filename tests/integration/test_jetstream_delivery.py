"""The kit's delivery guarantees on a real nats-server: acked publish, dedupe, no loss."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import nats
import pytest
from faststream.nats import NatsBroker

from contracts.base import Event, deterministic_id
from contracts.subjects import StreamSpec
from services.kit.jetstream import (
    consumer_config,
    durable_subscriber,
    durables_of,
    make_broker,
    publish_event,
)
from services.kit.streams import ensure_streams
from tests.fixtures.servers import TESTER

pytestmark = pytest.mark.integration


class Ping(Event):
    """A numbered test event, as in nats-server's chaos tests."""

    n: int


INBOX = f"_INBOX_{TESTER}"  # replies to the tests' superuser


def _stream() -> StreamSpec:
    name = f"T{uuid.uuid4().hex[:8].upper()}"
    return StreamSpec(name=name, subjects=(f"test.{name.lower()}.>",))


def _ping(n: int) -> Ping:
    return Ping(
        event_id=deterministic_id("ping", n), occurred_at=datetime.now(UTC), source="test", n=n
    )


async def test_republished_ids_are_acked_as_duplicates_and_delivered_once(nats_url: str) -> None:
    spec = _stream()
    await ensure_streams(nats_url, [spec])
    subject = spec.subjects[0].replace(">", "ping")
    seen: list[int] = []
    broker = make_broker(nats_url, graceful_timeout=5)

    @durable_subscriber(broker, subject, stream=spec, durable="test-once", inbox=INBOX)
    async def on_ping(event: Ping) -> None:
        seen.append(event.n)

    async with broker:
        await broker.start()
        acks = [await publish_event(broker, subject, _ping(n), stream=spec) for n in range(50)]
        again = [await publish_event(broker, subject, _ping(n), stream=spec) for n in range(10)]
        for _ in range(200):
            if len(seen) >= 50:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    assert not any(a.duplicate for a in acks)
    assert all(a.duplicate for a in again)
    assert sorted(seen) == list(range(50))


async def test_failed_effect_is_redelivered_not_dropped(nats_url: str) -> None:
    spec = _stream()
    await ensure_streams(nats_url, [spec])
    subject = spec.subjects[0].replace(">", "ping")
    attempts: list[int] = []
    done = asyncio.Event()
    broker = make_broker(nats_url, graceful_timeout=5, retry_delay=0.1)

    @durable_subscriber(broker, subject, stream=spec, durable="test-retry", inbox=INBOX)
    async def on_ping(event: Ping) -> None:
        attempts.append(event.n)
        if len(attempts) < 3:
            raise RuntimeError("database briefly unavailable")
        done.set()

    async with broker:
        await broker.start()
        await publish_event(broker, subject, _ping(7), stream=spec)
        await asyncio.wait_for(done.wait(), 20)
    assert attempts == [7, 7, 7]


async def test_invalid_payload_is_terminated_and_later_events_still_flow(nats_url: str) -> None:
    spec = _stream()
    await ensure_streams(nats_url, [spec])
    subject = spec.subjects[0].replace(">", "ping")
    seen: list[int] = []
    broker = make_broker(nats_url, graceful_timeout=5)

    @durable_subscriber(broker, subject, stream=spec, durable="test-poison", inbox=INBOX)
    async def on_ping(event: Ping) -> None:
        seen.append(event.n)

    nc = await nats.connect(nats_url)
    await nc.jetstream().publish(subject, b'{"not": "a ping"}', stream=spec.name)
    await nc.close()
    async with broker:
        await broker.start()
        await publish_event(broker, subject, _ping(1), stream=spec)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
    nc = await nats.connect(nats_url)
    info = await nc.jetstream().consumer_info(spec.name, "test-poison")
    await nc.close()
    assert seen == [1]
    assert (info.num_ack_pending, info.num_redelivered, info.num_pending) == (0, 0, 0)


async def test_ensure_streams_gives_existing_durables_their_changed_limits(nats_url: str) -> None:
    spec = _stream()
    subject = spec.subjects[0].replace(">", "ping")

    def broker_with(ack_wait_seconds: float) -> NatsBroker:
        broker = make_broker(nats_url)

        @durable_subscriber(
            broker,
            subject,
            stream=spec,
            durable="test-limits",
            inbox=INBOX,
            ack_wait_seconds=ack_wait_seconds,
        )
        async def on_ping(event: Ping) -> None:
            pass

        return broker

    first = broker_with(30.0)
    await ensure_streams(nats_url, [spec], durables=durables_of(first))
    async with first:
        await first.start()
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        assert (await js.consumer_info(spec.name, "test-limits")).config.ack_wait == 30.0
        await ensure_streams(nats_url, [spec], durables=durables_of(broker_with(75.0)))
        info = await js.consumer_info(spec.name, "test-limits")
        absent = consumer_config(1, 30.0, durable_name="test-absent")
        await ensure_streams(nats_url, [spec], durables=[(spec.name, absent)])
        names = [c.name for c in await js.consumers_info(spec.name)]
    finally:
        await client.close()
    assert info.config.ack_wait == 75.0
    assert info.config.filter_subject == subject
    assert names == ["test-limits"]  # a durable not there yet is left to its subscriber
