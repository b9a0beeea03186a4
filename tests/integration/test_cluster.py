"""The registry on a three-node NATS cluster with R3 streams, as production runs it: a node
stopped and another killed in the middle of a stream of label events lose nothing, double
nothing, and the services carry on without a restart.

After nats-server's chaos tests: every label event names its own enterprise, and what comes
out on ENTERPRISES is counted per event id and per enterprise while servers are bounced.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from faststream import TestApp
from nats.aio.client import Client
from nats.js.api import StreamState
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError

from contracts.enterprises import EnterpriseListed
from contracts.labels import LabelGranted
from contracts.subjects import ENTERPRISES_STREAM, LABELS_STREAM, STREAMS, label_subject
from services.kit.nats_users import REGISTRY
from services.kit.processes import wait_until
from services.kit.streams import ensure_streams
from services.registry.adapters.publisher import ENTERPRISE_EVENT
from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.fixtures.cluster import NatsCluster, running_cluster
from tests.unit.registry.factories import granted, observation

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

EVENTS = 240
PUBLISH_PAUSE = 0.02
DEADLINE = 60.0


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    with running_cluster(tmp_path / "cluster") as cluster:
        yield cluster


@pytest.fixture
async def client(cluster: NatsCluster) -> AsyncIterator[Client]:
    """A client that knows every node, as the test's scraper and observer."""
    nc = await nats.connect(
        cluster.urls, connect_timeout=2, max_reconnect_attempts=-1, reconnect_time_wait=0.2
    )
    yield nc
    await nc.close()


def _label_events() -> list[LabelGranted]:
    return [
        granted(
            observation(f"PSO-{n:04d}", name=f"Werkbedrijf {n}", kvk=(f"07{n:06d}",), website=None)
        )
        for n in range(EVENTS)
    ]


async def _publish_until_acked(nc: Client, event: LabelGranted) -> None:
    """Publish as the scraper does, retrying through elections; the id drops any repeat."""
    give_up = time.monotonic() + 30
    while True:
        try:
            await nc.jetstream().publish(
                label_subject("pso", "granted"),
                event.model_dump_json().encode(),
                stream=LABELS_STREAM.name,
                headers={"Nats-Msg-Id": event.event_id},
                timeout=2,
            )
            return
        except (TimeoutError, NoStreamResponseError, nats.errors.Error):
            if time.monotonic() > give_up:
                raise
            await asyncio.sleep(0.2)


async def _publish_with_faults(
    nc: Client, events: list[LabelGranted], faults: dict[int, Callable[[], Awaitable[None]]]
) -> None:
    """Publish every event in turn; before event n, run `faults[n]` (a node going down or up)."""
    for n, event in enumerate(events):
        if n in faults:
            await faults[n]()
        await _publish_until_acked(nc, event)
        await asyncio.sleep(PUBLISH_PAUSE)


async def _enterprise_events(nc: Client, count: int) -> list[tuple[str, EnterpriseListed]]:
    """Wait until ENTERPRISES holds `count` messages, then a moment for extras; every
    message as (Nats-Msg-Id, event)."""
    js = nc.jetstream()
    give_up = time.monotonic() + DEADLINE
    while (await _stream_state(nc)).messages < count:
        assert time.monotonic() < give_up, "the registry stopped publishing"
        await asyncio.sleep(0.2)
    await asyncio.sleep(2 * 0.5)  # two relay polls: a repeat would be out by now
    state = await _stream_state(nc)
    found = []
    for seq in range(state.first_seq, state.last_seq + 1):
        msg = await js.get_msg(ENTERPRISES_STREAM.name, seq)
        event = ENTERPRISE_EVENT.validate_json(msg.data or b"")
        assert isinstance(event, EnterpriseListed)
        found.append(((msg.headers or {})["Nats-Msg-Id"], event))
    return found


async def _stream_state(nc: Client) -> StreamState:
    """ENTERPRISES' state, asked again while a node restart or an election leaves a request
    unanswered (the observer must not fail where the services carry on)."""
    for _ in range(10):
        try:
            return (await nc.jetstream().stream_info(ENTERPRISES_STREAM.name)).state
        except (nats.errors.TimeoutError, ServiceUnavailableError):
            await asyncio.sleep(0.5)
    return (await nc.jetstream().stream_info(ENTERPRISES_STREAM.name)).state


def _in_thread(action: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    # Stopping and restarting a node blocks; the registry runs in this event loop meanwhile.
    return lambda: asyncio.to_thread(action)


async def test_node_stopped_then_node_killed_lose_and_double_no_enterprise_event(
    cluster: NatsCluster, client: Client, tmp_path: Path
) -> None:
    seed = cluster.node("n1")  # stopped first: the services know the others from their URL
    await ensure_streams(",".join(cluster.urls), STREAMS, replicas=3)
    labels = await client.jetstream().stream_info(LABELS_STREAM.name)
    assert labels.config.num_replicas == 3 and labels.cluster is not None
    assert len(labels.cluster.replicas or []) == 2
    settings = RegistrySettings(
        nats_url=cluster.url_for("registry"),
        database_url=f"sqlite:///{tmp_path / 'registry.db'}",
        data_dir=tmp_path,
        stream_replicas=3,
        ack_wait_seconds=5,
        outbox_poll_seconds=0.5,
        label_batch_size=20,
        source="registry-cluster-test",
        pdok_base_url="",
    )
    events = _label_events()
    faults = {
        EVENTS // 5: _in_thread(seed.stop),
        2 * EVENTS // 5: _in_thread(lambda: cluster.restart("n1")),
        3 * EVENTS // 5: _in_thread(cluster.node("n2").kill),
        4 * EVENTS // 5: _in_thread(lambda: cluster.restart("n2")),
    }
    async with TestApp(create_app(settings)):
        await _publish_with_faults(client, events, faults)
        published = await _enterprise_events(client, EVENTS)

    per_msg_id = Counter(msg_id for msg_id, _ in published)
    per_holding = Counter(e.enterprise.labels[0].holding_id for _, e in published)
    assert [msg_id for msg_id, n in per_msg_id.items() if n > 1] == []
    assert [holding for holding, n in per_holding.items() if n > 1] == []
    assert sorted(per_holding) == sorted(e.observation.holding_id for e in events)
    assert all(msg_id == e.event_id and e.enterprise.version == 1 for msg_id, e in published)


async def test_a_service_starts_while_the_first_node_it_names_is_down(
    cluster: NatsCluster, client: Client
) -> None:
    first = cluster.node("n1")
    # The platform's streams exist (an R3 stream cannot be placed while a node is known to
    # be down); the service's start-up then only finds and checks them.
    await ensure_streams(",".join(cluster.urls), STREAMS, replicas=3)
    await asyncio.to_thread(first.stop)
    others = [node for node in cluster.nodes if node is not first]

    def led_by_another() -> bool:
        # The JetStream API answers again once the remaining nodes agree on a meta leader.
        leaders = {node.monitor("/jsz")[1].get("meta_cluster", {}).get("leader") for node in others}
        return len(leaders) == 1 and None not in leaders and first.name not in leaders

    try:
        await asyncio.to_thread(wait_until, led_by_another, 30, "a meta leader among n2, n3")
        await ensure_streams(cluster.url_for("registry"), STREAMS, replicas=3, owner=REGISTRY)
        info = await client.jetstream().stream_info(ENTERPRISES_STREAM.name)
        assert info.config.num_replicas == 3
    finally:
        await asyncio.to_thread(lambda: cluster.restart("n1"))
