"""Pruning processed label event ids against a real nats-server and a real database: ids the
durable acknowledged are pruned, a redelivery of them (the durable made anew, delivering the
whole stream) changes nothing, and an event never processed still is."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import nats
import pytest
from faststream import TestApp
from sqlalchemy import Engine, text

from contracts.labels import LabelEvent
from contracts.subjects import ENTERPRISES_STREAM, LABELS_STREAM, label_subject
from services.kit.consumer_state import consumer_state
from services.kit.nats_users import REGISTRY_LABELS
from services.registry.adapters.database import make_engine
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.housekeeping import prune_processed
from services.registry.main import create_app
from tests.unit.registry.factories import Clock, granted, observation

pytestmark = pytest.mark.integration


def holder(n: int) -> LabelEvent:
    obs = observation(
        f"PSO-2024-{n:04d}", kvk=(f"0612{n:04d}",), website=f"https://holder{n}.example.nl/"
    )
    return granted(obs)


async def publish(url: str, *events: LabelEvent) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for event in events:
            await js.publish(
                label_subject("pso", event.kind),
                event.model_dump_json().encode(),
                stream=LABELS_STREAM.name,
                headers={"Nats-Msg-Id": event.event_id},
            )
    finally:
        await nc.close()


async def wait_for_ack_floor(url: str, sequence: int) -> None:
    nc = await nats.connect(url)
    try:
        for _ in range(400):
            state = await consumer_state(nc.jetstream(), LABELS_STREAM.name, REGISTRY_LABELS)
            if state.ack_floor >= sequence:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the durable never acknowledged sequence {sequence}")
    finally:
        await nc.close()


async def enterprise_events(url: str) -> int:
    nc = await nats.connect(url)
    try:
        return (await nc.jetstream().stream_info(ENTERPRISES_STREAM.name)).state.messages
    finally:
        await nc.close()


async def delete_durable(url: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_consumer(LABELS_STREAM.name, REGISTRY_LABELS)
    finally:
        await nc.close()


def processed(engine: Engine) -> list[tuple[str, int | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT stream, stream_sequence FROM processed_event ORDER BY stream_sequence")
        )
        return [tuple(row) for row in rows]


def pruned_through(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT stream, pruned_through FROM processed_stream"))
        return [tuple(row) for row in rows]


def start(url: str, database_url: str, tmp_path: Path, clock: Clock) -> Registry:
    settings = RegistrySettings(
        nats_url=url,
        database_url=database_url,
        data_dir=tmp_path,
        outbox_poll_seconds=0.2,
        pdok_base_url="",
        processed_keep_days=30,
    )
    return bootstrap(settings, clock=clock)


async def wait_until_processed(engine: Engine, count: int) -> None:
    for _ in range(400):
        if len(processed(engine)) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never {count} processed ids")


async def test_a_redelivery_after_pruning_changes_nothing_and_a_new_event_is_processed(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    await publish(nats_streams, *(holder(n) for n in range(3)))
    registry = start(nats_streams, database_url, tmp_path, clock)
    engine = make_engine(database_url)
    try:
        async with TestApp(create_app(registry.settings, registry=registry)):
            await wait_for_ack_floor(nats_streams, 3)
            assert processed(engine) == [("LABELS", 1), ("LABELS", 2), ("LABELS", 3)]
            clock.now += timedelta(days=29)
            await registry.keep_tables_bounded()
            assert len(processed(engine)) == 3  # acknowledged, but not yet old enough
            clock.now += timedelta(days=2)
            await registry.keep_tables_bounded()
            assert processed(engine) == []
            assert pruned_through(engine) == [("LABELS", 3)]
            for _ in range(100):
                if await enterprise_events(nats_streams) == 3:
                    break
                await asyncio.sleep(0.05)
        assert await enterprise_events(nats_streams) == 3

        # The durable made anew delivers the whole stream again, and one event never seen.
        await delete_durable(nats_streams)
        await publish(nats_streams, holder(3))
        registry = start(nats_streams, database_url, tmp_path, clock)
        async with TestApp(create_app(registry.settings, registry=registry)):
            await wait_for_ack_floor(nats_streams, 4)
            await wait_until_processed(engine, 1)
            await asyncio.sleep(0.5)  # time for a relay pass that must publish one event
        assert processed(engine) == [("LABELS", 4)]
        assert await enterprise_events(nats_streams) == 4
    finally:
        engine.dispose()


async def test_ids_above_the_ack_floor_are_kept_however_old(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    await publish(nats_streams, holder(0), holder(1))
    registry = start(nats_streams, database_url, tmp_path, clock)
    engine = make_engine(database_url)
    try:
        async with TestApp(create_app(registry.settings, registry=registry)):
            await wait_for_ack_floor(nats_streams, 2)
            await wait_until_processed(engine, 2)
        # Sequence 2 as if its ack were still on its way: its id stays, however old.
        clock.now += timedelta(days=400)
        factory = lambda: SqlUnitOfWork(engine)  # noqa: E731
        assert prune_processed(factory, clock.now, 30, {"LABELS": 1}) == 1
        assert processed(engine) == [("LABELS", 2)]
        assert pruned_through(engine) == [("LABELS", 1)]
    finally:
        engine.dispose()
