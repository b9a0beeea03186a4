"""The kit's publishing guarantees on a real nats-server: acked publish, dedupe, no loss."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from contracts.base import Event, deterministic_id
from contracts.subjects import StreamSpec
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.jetstream import make_broker, publish_event
from services.kit.streams import ensure_streams

pytestmark = pytest.mark.integration


class Ping(Event):
    """A numbered test event, as in nats-server's chaos tests."""

    n: int


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

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        seen.extend(d.item.n for d in deliveries)
        return [None] * len(deliveries)

    consumer_spec = BatchConsumerSpec(
        stream=spec, subject=subject, durable="test-once", service="test"
    )
    consumer = BatchConsumer(nats_url, consumer_spec, Ping.model_validate_json, handle)
    broker = make_broker(nats_url, graceful_timeout=5)
    await consumer.start()
    try:
        async with broker:
            await broker.start()
            acks = [await publish_event(broker, subject, _ping(n), stream=spec) for n in range(50)]
            again = [await publish_event(broker, subject, _ping(n), stream=spec) for n in range(10)]
            for _ in range(200):
                if len(seen) >= 50:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
    finally:
        await consumer.stop()
    assert not any(a.duplicate for a in acks)
    assert all(a.duplicate for a in again)
    assert sorted(seen) == list(range(50))
