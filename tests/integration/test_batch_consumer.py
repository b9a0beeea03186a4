"""The kit's batch consumer on a real nats-server: whole batches in stream order, each
message acked once after its handler's answer; failures redelivered, unreadable ones ended."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from pydantic import TypeAdapter

from contracts.base import Event, deterministic_id
from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.subjects import DEADLETTERS_STREAM, StreamSpec
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.natsserver import NatsServer
from services.kit.processes import free_port
from services.kit.streams import ensure_streams
from tests.unit.gateway.events import listed

pytestmark = pytest.mark.integration


class Ping(Event):
    """A numbered test event."""

    n: int


def _ping(n: int) -> Ping:
    return Ping(
        event_id=deterministic_id("ping", n), occurred_at=datetime.now(UTC), source="test", n=n
    )


def _spec(**overrides: float) -> BatchConsumerSpec:
    name = f"B{uuid.uuid4().hex[:8].upper()}"
    stream = StreamSpec(name=name, subjects=(f"test.{name.lower()}.>",))
    return BatchConsumerSpec(
        stream=stream,
        subject=f"test.{name.lower()}.>",
        durable="test-batches",
        service="test",
        batch_size=int(overrides.pop("batch_size", 50)),
        retry_delay_seconds=0.1,
        **overrides,
    )


async def _publish(
    nats_url: str, spec: StreamSpec, bodies: Sequence[bytes], first_id: int = 0
) -> None:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for i, body in enumerate(bodies, start=first_id):
            await js.publish(
                f"test.{spec.name.lower()}.ping", body, headers={"Nats-Msg-Id": f"m{i}"}
            )
    finally:
        await client.close()


async def _pending(nats_url: str, spec: BatchConsumerSpec) -> tuple[int, int]:
    """(acks pending, messages not yet delivered) of the durable."""
    client = await nats.connect(nats_url)
    try:
        info = await client.jetstream().consumer_info(spec.stream.name, spec.durable)
        return info.num_ack_pending, info.num_pending
    finally:
        await client.close()


async def _until(condition: Callable[[], bool], within: float = 20.0) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_backlog_arrives_in_batches_in_stream_order_and_is_acked_once(
    nats_url: str,
) -> None:
    spec = _spec(batch_size=40)
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    await _publish(nats_url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(200)])
    batches: list[list[Delivery[Ping]]] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        batches.append(list(deliveries))
        return [None] * len(deliveries)

    consumer = BatchConsumer(nats_url, spec, Ping.model_validate_json, handle)
    await consumer.start()
    try:
        await _until(lambda: sum(map(len, batches)) >= 200)
        await asyncio.sleep(0.3)
        assert await _pending(nats_url, spec) == (0, 0)
    finally:
        await consumer.stop()
    seen = [d.item.n for batch in batches for d in batch]
    assert seen == list(range(200))
    assert max(map(len, batches)) == 40 and len(batches) < 200
    assert [d.stream_sequence for batch in batches for d in batch] == list(range(1, 201))


async def test_a_failed_message_is_redelivered_alone_and_the_rest_acked(nats_url: str) -> None:
    spec = _spec()
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    await _publish(nats_url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(10)])
    seen: list[tuple[int, int]] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        seen.extend((d.item.n, d.deliveries) for d in deliveries)
        return [
            RuntimeError("database briefly unavailable")
            if (d.item.n, d.deliveries) == (3, 1)
            else None
            for d in deliveries
        ]

    consumer = BatchConsumer(nats_url, spec, Ping.model_validate_json, handle)
    await consumer.start()
    try:
        await _until(lambda: (3, 2) in seen)
        await asyncio.sleep(0.3)
        assert await _pending(nats_url, spec) == (0, 0)
    finally:
        await consumer.stop()
    assert sorted(seen) == sorted([(n, 1) for n in range(10)] + [(3, 2)])


async def test_an_unreadable_message_is_terminated_and_the_others_flow(nats_url: str) -> None:
    spec = _spec(ack_wait_seconds=1.0)
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    bodies = [
        b"not json",
        b'{"kind": "ping"}',
        *(_ping(n).model_dump_json().encode() for n in range(5)),
    ]
    await _publish(nats_url, spec.stream, bodies)
    seen: list[int] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        seen.extend(d.item.n for d in deliveries)
        return [None] * len(deliveries)

    consumer = BatchConsumer(nats_url, spec, Ping.model_validate_json, handle)
    await consumer.start()
    try:
        await _until(lambda: len(seen) == 5)
        await asyncio.sleep(1.5)  # past the ack wait: a message not settled would be back
        assert await _pending(nats_url, spec) == (0, 0)
    finally:
        await consumer.stop()
    assert seen == list(range(5))


async def test_a_batch_whose_handler_breaks_is_delivered_again(nats_url: str) -> None:
    spec = _spec(ack_wait_seconds=1.0)
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    await _publish(nats_url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(3)])
    calls: list[list[int]] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        calls.append([d.item.n for d in deliveries])
        if len(calls) == 1:
            raise RuntimeError("a bug in the handler")
        return [None] * len(deliveries)

    consumer = BatchConsumer(nats_url, spec, Ping.model_validate_json, handle)
    await consumer.start()
    try:
        await _until(lambda: sorted(n for call in calls[1:] for n in call) == [0, 1, 2])
        await asyncio.sleep(0.3)
        assert await _pending(nats_url, spec) == (0, 0)
    finally:
        await consumer.stop()
    assert calls[0] == [0, 1, 2]


async def test_stopping_lets_the_batch_in_hand_finish_and_ack(nats_url: str) -> None:
    spec = _spec()
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    started, in_hand, done = asyncio.Event(), [], []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        if started.is_set():
            raise AssertionError("no batch is fetched after stop")
        in_hand.extend(d.item.n for d in deliveries)
        started.set()
        await asyncio.sleep(0.5)
        done.extend(d.item.n for d in deliveries)
        return [None] * len(deliveries)

    consumer = BatchConsumer(nats_url, spec, Ping.model_validate_json, handle)
    await consumer.start()
    await _publish(nats_url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(3)])
    await asyncio.wait_for(started.wait(), 10)
    await consumer.stop()
    assert done == in_hand and done[0] == 0
    acks_pending, undelivered = await _pending(nats_url, spec)
    assert (acks_pending, undelivered) == (0, 3 - len(done))


async def test_the_consumer_carries_on_after_nats_restarts(tmp_path: Path) -> None:
    spec = _spec()
    server = NatsServer(tmp_path / "nats", port=free_port())
    await asyncio.to_thread(server.start)
    seen: list[int] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        seen.extend(d.item.n for d in deliveries)
        return [None] * len(deliveries)

    consumer = BatchConsumer(server.url, spec, Ping.model_validate_json, handle)
    try:
        await ensure_streams(server.url, [spec.stream])
        await consumer.start()
        await _publish(
            server.url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(3)]
        )
        await _until(lambda: len(seen) == 3)
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(1.5)
        await asyncio.to_thread(server.start)  # same port, same store: the durable is still there
        await _publish(
            server.url,
            spec.stream,
            [_ping(n).model_dump_json().encode() for n in range(3, 6)],
            first_id=3,
        )
        await _until(lambda: len(seen) == 6, within=30)
        await asyncio.sleep(0.3)
        assert await _pending(server.url, spec) == (0, 0)
    finally:
        await consumer.stop()
        await asyncio.to_thread(server.stop)
    assert seen == list(range(6))


async def test_changed_limits_reach_an_existing_durable_and_its_position_stays(
    nats_url: str,
) -> None:
    spec = _spec(batch_size=10, ack_wait_seconds=30.0)
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    seen: list[int] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        seen.extend(d.item.n for d in deliveries)
        return [None] * len(deliveries)

    def consumer(spec: BatchConsumerSpec) -> BatchConsumer[Ping]:
        return BatchConsumer(nats_url, spec, Ping.model_validate_json, handle)

    first = consumer(spec)
    await first.start()
    await _publish(nats_url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(5)])
    await _until(lambda: len(seen) == 5)
    await first.stop()

    wider = dataclasses.replace(spec, batch_size=200, ack_wait_seconds=90.0)
    second = consumer(wider)
    await second.start()
    try:
        await _publish(
            nats_url, spec.stream, [_ping(n).model_dump_json().encode() for n in range(5, 8)], 5
        )
        await _until(lambda: len(seen) == 8)
        client = await nats.connect(nats_url)
        try:
            info = await client.jetstream().consumer_info(spec.stream.name, spec.durable)
        finally:
            await client.close()
    finally:
        await second.stop()
    assert (info.config.ack_wait, info.config.max_ack_pending) == (90.0, 800)
    assert seen == list(range(8))  # nothing replayed: the durable kept its position


async def test_several_filter_subjects_read_only_theirs_and_a_changed_filter_is_aligned(
    nats_url: str,
) -> None:
    spec = _spec()
    base = spec.subject.removesuffix(">")
    east = dataclasses.replace(spec, subjects=(f"{base}oost.*", f"{base}gelderland.*"))
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    seen: list[str] = []

    async def handle(deliveries: Sequence[Delivery[Ping]]) -> list[Exception | None]:
        seen.extend(d.subject.removeprefix(base) for d in deliveries)
        return [None] * len(deliveries)

    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for n, place in enumerate(("oost.a", "noord.a", "gelderland.a", "oost.b")):
            await js.publish(f"{base}{place}", _ping(n).model_dump_json().encode())
        consumer = BatchConsumer(nats_url, east, Ping.model_validate_json, handle)
        await consumer.start()
        await _until(lambda: len(seen) == 3)
        await consumer.stop()
        north = dataclasses.replace(spec, subjects=(f"{base}noord.*",))
        consumer = BatchConsumer(nats_url, north, Ping.model_validate_json, handle)
        await consumer.start()
        await js.publish(f"{base}noord.b", _ping(9).model_dump_json().encode())
        await _until(lambda: len(seen) == 4)
        await consumer.stop()
        info = await js.consumer_info(spec.stream.name, spec.durable)
    finally:
        await client.close()
    assert seen == ["oost.a", "gelderland.a", "oost.b", "noord.b"]
    assert info.config.filter_subject == f"{base}noord.*" and not info.config.filter_subjects


async def test_a_kind_this_code_does_not_know_is_skipped_not_terminated(nats_url: str) -> None:
    spec = _spec(ack_wait_seconds=1.0)
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    known = listed("e-known").model_dump_json().encode()
    newer = json.loads(known) | {"kind": "merged_into", "event_id": deterministic_id("newer")}
    await _publish(nats_url, spec.stream, [json.dumps(newer).encode(), b'{"kind": 1}', known])
    terminated: list[str] = []
    watcher = await nats.connect(nats_url)
    advisories = f"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.{spec.stream.name}.{spec.durable}"

    async def record(msg: nats.aio.msg.Msg) -> None:
        terminated.append(json.loads(msg.data)["stream_seq"])

    await watcher.subscribe(advisories, cb=record)
    await watcher.flush()
    seen: list[str] = []

    async def handle(deliveries: Sequence[Delivery[EnterpriseEvent]]) -> list[Exception | None]:
        seen.extend(d.item.enterprise.enterprise_id for d in deliveries)
        return [None] * len(deliveries)

    events: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)
    consumer = BatchConsumer(nats_url, spec, events.validate_json, handle)
    await consumer.start()
    try:
        await _until(lambda: seen == ["e-known"])
        await asyncio.sleep(1.5)  # past the ack wait: a message not settled would be back
        assert await _pending(nats_url, spec) == (0, 0)
    finally:
        await consumer.stop()
        await watcher.close()
    assert terminated == [2]  # the malformed one only; the newer kind was acknowledged
