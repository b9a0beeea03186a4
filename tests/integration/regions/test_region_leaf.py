"""A region by leaf node: its own NATS server joins ours, and its own streams source ours
through the consumers the operator made for it; exactly its provinces arrive, and nothing it
sends can change, read or delete anything of ours."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js import api

from contracts.subjects import ENTERPRISE_STATES_STREAM, ENTERPRISES_STREAM, LABELS_STREAM, STREAMS
from services.gateway.config import GatewaySettings
from services.kit.nats_access import connect
from services.kit.nats_deployment import ensure_region_consumers
from services.kit.nats_region_leaf import leaf_remote, leaf_streams
from services.kit.nats_regions import API_PREFIX, LEAF_ACCOUNT, Region
from services.kit.nats_users import NOTIFIER_MAIL
from services.kit.natsserver import NatsServer
from services.kit.streams import ensure_streams
from tests.fixtures.hub import Hub, event, publish, running_hub
from tests.integration.gateway.test_read_model_feed import eventually, listing, running_gateway
from tests.integration.gateway.test_read_model_feed import publish as publish_events
from tests.unit.gateway.events import listed

pytestmark = pytest.mark.integration

NOORD = Region("noord", ("Drenthe", "Groningen", "Friesland"), "leaf")
LOCAL = "noord-gateway"  # a user of the region's own server


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("leaf-hub"), [NOORD]) as hub:
        yield hub


@contextlib.contextmanager
def leaf_server(base: Path, hub: Hub) -> Iterator[str]:
    """The region's own server, joined to the hub as `impactoost region` describes."""
    local = {"jetstream": "enabled", "users": [{"user": LOCAL, "password": "local-pw"}]}
    server = NatsServer(
        base / "leaf-store",
        log_file=base / "leaf.log",
        accounts={LEAF_ACCOUNT: local},
        domain=NOORD.name,
        more={"leafnodes": leaf_remote(NOORD, hub.leaf_url, hub.passwords[NOORD.user])},
    ).start()
    try:
        yield f"nats://{LOCAL}:local-pw@127.0.0.1:{server.port}"
    finally:
        server.stop()


@pytest.fixture
async def region(hub: Hub, tmp_path: Path) -> AsyncIterator[Client]:
    """The hub's streams with history, the region set up, and a client on its leaf server
    whose streams source ours."""
    await ensure_streams(hub.url(), STREAMS)
    await publish(
        hub,
        event("listed", "drenthe", "drenthe", "e-assen", 1),
        event("listed", "gelderland", "achterhoek", "e-mover", 1),
    )
    await ensure_region_consumers(hub.url("admin"), NOORD)
    with leaf_server(tmp_path, hub) as url:
        client = await connect(url, allow_reconnect=False)
        js = client.jetstream()
        for config in leaf_streams(NOORD):
            await js.add_stream(config)
        yield client
        await client.close()


async def count(client: Client, stream: str) -> int:
    return int((await client.jetstream().stream_info(stream)).state.messages)


async def read(client: Client, stream: str) -> list[tuple[str, dict[str, object]]]:
    """Everything in the region's own `stream`, read as a new subscriber reads it."""
    js = client.jetstream()
    sub = await js.pull_subscribe(">", stream=stream)
    found: list[tuple[str, dict[str, object]]] = []
    with contextlib.suppress(TimeoutError):  # nats-py raises its own or the built-in one
        while True:
            for msg in await sub.fetch(50, timeout=1):
                found.append((msg.subject, json.loads(msg.data)))
                await msg.ack()
    return found


async def eventually_count(client: Client, stream: str, wanted: int) -> None:
    for _ in range(100):
        if await count(client, stream) >= wanted:
            break
        await asyncio.sleep(0.1)
    assert await count(client, stream) == wanted


async def test_the_leaf_sources_its_provinces_old_and_new_including_a_move(
    hub: Hub, region: Client
) -> None:
    await publish(
        hub,
        event("updated", "drenthe", "drenthe", "e-assen", 2),
        event("delisted", "gelderland", "achterhoek", "e-mover", 2),
        event("listed", "fryslan", "friesland", "e-mover", 3),
        event("listed", "overijssel", "twente", "e-hengelo", 1),
    )
    await eventually_count(region, ENTERPRISES_STREAM.name, 3)
    history = await read(region, ENTERPRISES_STREAM.name)
    assert [(s.split(".")[3], p["enterprise_id"], p["version"]) for s, p in history] == [
        ("drenthe", "e-assen", 1),
        ("drenthe", "e-assen", 2),
        ("fryslan", "e-mover", 3),
    ]
    await eventually_count(region, ENTERPRISE_STATES_STREAM.name, 2)
    present = await read(region, ENTERPRISE_STATES_STREAM.name)
    assert sorted((p["enterprise_id"], p["version"]) for _, p in present) == [
        ("e-assen", 2),
        ("e-mover", 3),
    ]


async def test_nothing_sent_from_the_leaf_reaches_or_changes_the_platform(
    hub: Hub, region: Client
) -> None:
    tester = await connect(hub.url())
    tjs = tester.jetstream()
    notifier = api.ConsumerConfig(durable_name=NOTIFIER_MAIL, ack_policy=api.AckPolicy.EXPLICIT)
    await tjs.add_consumer(ENTERPRISES_STREAM.name, notifier)
    before = {s: await count(tester, s) for s in (LABELS_STREAM.name, ENTERPRISES_STREAM.name)}
    consumers_before = {c.name for c in await tjs.consumers_info(ENTERPRISES_STREAM.name)}

    overheard: list[str] = []

    async def listen(msg: nats.aio.msg.Msg) -> None:
        overheard.append(msg.subject)

    await region.subscribe(">", cb=listen)
    for forged in ("impact.v1.labels.pso.granted", "impact.v1.enterprises.drenthe.x.listed"):
        await region.publish(forged, b"{}")
    ours = region.jetstream(prefix=API_PREFIX, timeout=0.5)
    gelderland = api.ConsumerConfig(
        durable_name="evil", filter_subject="impact.v1.enterprises.gelderland.>"
    )
    outcomes = await asyncio.gather(
        ours.delete_stream(ENTERPRISES_STREAM.name),
        ours.purge_stream(ENTERPRISES_STREAM.name),
        ours.delete_consumer(ENTERPRISES_STREAM.name, NOTIFIER_MAIL),
        ours.add_consumer(ENTERPRISES_STREAM.name, gelderland),
        ours.stream_info(ENTERPRISES_STREAM.name),
        return_exceptions=True,
    )
    # No answer from us at all: each call fails (no responders, or unanswered).
    assert all(isinstance(o, nats.errors.Error) for o in outcomes), outcomes
    await tjs.stream_info(ENTERPRISES_STREAM.name)  # a reply on the tester's inbox, here
    await publish(hub, event("listed", "gelderland", "achterhoek", "e-far", 1))
    await asyncio.sleep(0.5)

    after = {s: await count(tester, s) for s in before}
    assert after == {**before, ENTERPRISES_STREAM.name: before[ENTERPRISES_STREAM.name] + 1}
    consumers_after = {c.name for c in await tjs.consumers_info(ENTERPRISES_STREAM.name)}
    assert consumers_after == consumers_before == {NOTIFIER_MAIL, NOORD.durable}
    assert not [s for s in overheard if s.startswith("_INBOX") or ".gelderland." in s]
    await tester.close()


async def test_the_regions_own_gateway_on_its_leaf_lists_exactly_its_provinces(
    hub: Hub, region: Client, tmp_path: Path
) -> None:
    assen = listed("leaf-assen", province="Drenthe", region="Drenthe", place="Assen")
    arnhem = listed("leaf-arnhem", province="Gelderland", region="Arnhem Nijmegen", place="Arnhem")
    await publish_events(hub.url("registry"), assen, arnhem)
    leaf_url = region.connected_url
    assert leaf_url is not None
    settings = GatewaySettings(
        nats_url=f"nats://{LOCAL}:local-pw@{leaf_url.hostname}:{leaf_url.port}",
        data_dir=tmp_path / "gateway",
        gateway_provinces=",".join(NOORD.provinces),
    )
    async with running_gateway(settings) as gateway:

        async def lists_assen() -> bool:
            return "leaf-assen" in await listing(gateway)

        await eventually(lists_assen)
        await asyncio.sleep(0.5)
        assert set(await listing(gateway)) == {"leaf-assen"}
