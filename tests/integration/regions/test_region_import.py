"""A region by account import: its own account on our server, reading through the durables
the operator made for it, exactly its provinces, from the compacted present or the history,
and able to do nothing else."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import nats
import pytest
from nats.aio.client import Client
from nats.js import api

from contracts.subjects import ENTERPRISE_STATES_STREAM, ENTERPRISES_STREAM, LABELS_STREAM, STREAMS
from services.kit.nats_access import connect
from services.kit.nats_deployment import ensure_region_consumers
from services.kit.nats_regions import IMPORT_PREFIX, Region
from services.kit.nats_users import NOTIFIER_MAIL
from services.kit.streams import ensure_streams
from tests.fixtures.hub import Hub, event, publish, running_hub

pytestmark = pytest.mark.integration

NOORD = Region("noord", ("Drenthe", "Groningen", "Friesland"), "import")
WAIT = 0.5


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("import-hub"), [NOORD]) as hub:
        yield hub


@pytest.fixture
async def region_client(hub: Hub) -> AsyncIterator[tuple[Client, list[str]]]:
    errors: list[str] = []

    async def record(exc: Exception) -> None:
        errors.append(str(exc))

    client = await connect(hub.url(NOORD.user), error_cb=record, allow_reconnect=False)
    yield client, errors
    await client.close()


async def read_all(client: Client, stream: str) -> list[tuple[str, dict[str, object]]]:
    """Everything the region's durable on `stream` has for it, acknowledged."""
    js = client.jetstream(prefix=IMPORT_PREFIX)
    pull = await js.pull_subscribe_bind(durable=NOORD.durable, stream=stream)
    found = []
    while True:
        try:
            batch = await pull.fetch(50, timeout=1)
        except TimeoutError:  # nats-py raises its own or the built-in one
            return found
        for msg in batch:
            found.append((msg.subject, json.loads(msg.data)))
            await msg.ack()


async def test_a_region_reads_its_provinces_history_and_present_including_a_move(
    hub: Hub, region_client: tuple[Client, list[str]]
) -> None:
    await ensure_streams(hub.url(), STREAMS)
    await publish(
        hub,
        event("listed", "drenthe", "drenthe", "e-assen", 1),
        event("listed", "gelderland", "achterhoek", "e-mover", 1),
        event("listed", "overijssel", "twente", "e-hengelo", 1),
    )
    # The operator sets the region up after events were published: it still gets them.
    made = await ensure_region_consumers(hub.url("admin"), NOORD)
    assert made == [
        "ENTERPRISES/region-noord",
        "ENTERPRISE_STATES/region-noord",
        "NEWS/region-noord",
        "AGENDA/region-noord",
    ]
    await publish(
        hub,
        event("updated", "drenthe", "drenthe", "e-assen", 2),
        # The move: a delisting under the old province, a listing under the new.
        event("delisted", "gelderland", "achterhoek", "e-mover", 2),
        event("listed", "fryslan", "friesland", "e-mover", 3),
        event("listed", "groningen", "groningen", "e-stad", 1),
    )
    client, errors = region_client

    present = await read_all(client, ENTERPRISE_STATES_STREAM.name)
    assert sorted((p["enterprise_id"], p["version"]) for _, p in present) == [
        ("e-assen", 2),
        ("e-mover", 3),
        ("e-stad", 1),
    ]
    history = await read_all(client, ENTERPRISES_STREAM.name)
    assert [subject.split(".")[3] for subject, _ in history] == [
        "drenthe",
        "drenthe",
        "fryslan",
        "groningen",
    ]
    assert all(p["province"] in NOORD.provinces for _, p in history)
    # Acknowledged: read again, nothing is redelivered.
    assert await read_all(client, ENTERPRISES_STREAM.name) == []
    assert errors == []


async def test_a_region_can_do_nothing_but_read_its_own(
    hub: Hub, region_client: tuple[Client, list[str]]
) -> None:
    await ensure_streams(hub.url(), STREAMS)
    await ensure_region_consumers(hub.url("admin"), NOORD)
    notifier = api.ConsumerConfig(durable_name=NOTIFIER_MAIL, ack_policy=api.AckPolicy.EXPLICIT)
    tester = await connect(hub.url())
    tjs = tester.jetstream()
    await tjs.add_consumer(ENTERPRISES_STREAM.name, notifier)
    labels_before = (await tjs.stream_info(LABELS_STREAM.name)).state.messages
    enterprises_before = (await tjs.stream_info(ENTERPRISES_STREAM.name)).state.messages
    client, errors = region_client
    ours = client.jetstream(prefix=IMPORT_PREFIX, timeout=WAIT)

    for forged in ("impact.v1.labels.pso.granted", "impact.v1.enterprises.drenthe.x.listed"):
        await client.publish(forged, b"{}")
    gelderland = api.ConsumerConfig(
        durable_name="evil", filter_subject="impact.v1.enterprises.gelderland.>"
    )
    attempts = [
        ours.add_consumer(ENTERPRISES_STREAM.name, gelderland),
        ours.delete_stream(ENTERPRISES_STREAM.name),
        ours.purge_stream(ENTERPRISES_STREAM.name),
        ours.delete_consumer(ENTERPRISES_STREAM.name, NOTIFIER_MAIL),
        client.jetstream(timeout=WAIT).stream_info(ENTERPRISES_STREAM.name),
    ]
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    assert all(isinstance(o, nats.errors.TimeoutError) for o in outcomes), outcomes
    overheard: list[str] = []

    async def listen(msg: nats.aio.msg.Msg) -> None:
        overheard.append(msg.subject)

    for pattern in (">", "_INBOX.>", "_INBOX_registry.>"):
        await client.subscribe(pattern, cb=listen)
    await client.flush()
    await tjs.stream_info(ENTERPRISES_STREAM.name)  # replies on the tester's inbox
    await asyncio.sleep(0.3)

    assert overheard == []
    text = "\n".join(errors)
    for refused in (
        'publish to "impact.v1.labels.pso.granted"',
        'publish to "$js.shared.api.consumer.durable.create.enterprises.evil"',
        'publish to "$js.shared.api.stream.delete.enterprises"',
        f'publish to "$js.shared.api.consumer.delete.enterprises.{NOTIFIER_MAIL}"',
        'subscription to "_inbox.>"',
    ):
        assert f"permissions violation for {refused}" in text, refused
    assert (await tjs.stream_info(LABELS_STREAM.name)).state.messages == labels_before
    assert (await tjs.stream_info(ENTERPRISES_STREAM.name)).state.messages == enterprises_before
    names = {c.name for c in await tjs.consumers_info(ENTERPRISES_STREAM.name)}
    assert names == {NOTIFIER_MAIL, NOORD.durable}
    await tester.close()
