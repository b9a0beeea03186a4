"""One national mirror, many regions: a registry serving every province publishes them all,
and a northern region subscribed by import receives its three provinces and nothing else,
through the real registry app and the platform's accounts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from faststream import TestApp
from nats.aio.client import Client

from contracts.labels import LabelEvent
from contracts.subjects import ENTERPRISE_STATES_STREAM, ENTERPRISES_STREAM, STREAMS
from services.kit.nats_access import connect
from services.kit.nats_deployment import ensure_region_consumers
from services.kit.nats_regions import IMPORT_PREFIX, Region
from services.kit.streams import ensure_streams
from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.fixtures.hub import Hub, running_hub
from tests.integration.registry.test_registry_app import _publish_labels
from tests.unit.registry.factories import granted, observation

pytestmark = pytest.mark.integration

NOORD = Region("noord", ("Groningen", "Drenthe", "Friesland"))
# holding id -> place, one in each of six provinces.
PLACES = {
    "PSO-11": "Groningen",
    "PSO-12": "Assen",
    "PSO-13": "Leeuwarden",
    "PSO-14": "Arnhem",
    "PSO-15": "Utrecht",
    "PSO-16": "Maastricht",
}
NORTH = {"PSO-11": "groningen", "PSO-12": "drenthe", "PSO-13": "fryslan"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("mirror-hub"), [NOORD]) as hub:
        yield hub


async def region_reads(client: Client, stream: str) -> dict[str, str]:
    """holding id -> province slug of everything the region's durable on `stream` holds."""
    pull = await client.jetstream(prefix=IMPORT_PREFIX).pull_subscribe_bind(
        durable=NOORD.durable, stream=stream
    )
    found: dict[str, str] = {}
    while True:
        try:
            batch = await pull.fetch(50, timeout=1)
        except TimeoutError:  # nats-py raises its own or the built-in one
            return found
        for msg in batch:
            [holding] = json.loads(msg.data)["enterprise"]["labels"]
            found[holding["holding_id"]] = msg.subject.split(".")[3]
            await msg.ack()


async def test_a_national_mirror_serves_a_northern_region_its_three_provinces_only(
    hub: Hub, tmp_path: Path
) -> None:
    await ensure_streams(hub.url(), STREAMS)
    await ensure_region_consumers(hub.url("admin"), NOORD)
    events: list[LabelEvent] = [
        granted(observation(number, place=place, kvk=(f"0610000{number[-1]}",), website=None))
        for number, place in PLACES.items()
    ]
    await _publish_labels(hub.url(), *events)
    settings = RegistrySettings(
        nats_url=hub.url("registry"),
        database_url=f"sqlite:///{tmp_path / 'registry.db'}",
        data_dir=tmp_path,
        outbox_poll_seconds=0.5,
        pdok_base_url="",
        served_provinces="alle",
    )
    tester = await connect(hub.url())
    js = tester.jetstream()
    async with TestApp(create_app(settings)):
        for _ in range(400):
            if (await js.stream_info(ENTERPRISES_STREAM.name)).state.messages >= len(PLACES):
                break
            await asyncio.sleep(0.05)
    # The mirror published every province's enterprise.
    assert (await js.stream_info(ENTERPRISES_STREAM.name)).state.messages == len(PLACES)
    await tester.close()

    region = await connect(hub.url(NOORD.user), allow_reconnect=False)
    try:
        assert await region_reads(region, ENTERPRISE_STATES_STREAM.name) == NORTH
        assert await region_reads(region, ENTERPRISES_STREAM.name) == NORTH
    finally:
        await region.close()
