"""A new gateway starts from the present: ENTERPRISES keeps a limited history, and what aged
out of it is still in ENTERPRISE_STATES, which a new read model reads first; what ENTERPRISES
still holds then changes only what is newer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ENTERPRISE_STATES_STREAM, STREAMS, state_subject
from services.gateway.config import GatewaySettings
from services.kit.jetstream import make_broker, publish_event
from services.kit.streams import ensure_streams
from tests.fixtures.servers import NatsUsers, running_nats
from tests.integration.gateway.test_read_model_feed import (
    eventually,
    listing,
    publish,
    running_gateway,
)
from tests.unit.gateway.events import delisted, listed

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    with running_nats(tmp_path_factory.mktemp("present-nats")) as users:
        yield users


async def publish_states(url: str, *events: EnterpriseEvent) -> None:
    """As the registry keeps the present: each enterprise's latest event on its subject."""
    broker = make_broker(url)
    async with broker:
        for event in events:
            state = event.enterprise
            subject = state_subject(state.province, state.region, state.enterprise_id)
            await publish_event(broker, subject, event, stream=ENTERPRISE_STATES_STREAM)


async def test_a_new_gateway_lists_what_aged_out_of_the_history_and_nothing_older(
    users: NatsUsers, tmp_path: Path
) -> None:
    await ensure_streams(users.url(), STREAMS)
    # Aged out of ENTERPRISES: only the present knows it.
    await publish_states(users.url("registry"), listed("e-old"))
    # Delisted since: the present says so; the history still holds its listing.
    await publish(users.url("registry"), listed("e-gone"))
    await publish_states(users.url("registry"), delisted("e-gone"))
    # New: the history holds it (the present would too; it makes no difference).
    await publish(users.url("registry"), listed("e-new"))
    settings = GatewaySettings(nats_url=users.url("gateway"), data_dir=tmp_path)

    with capture_logs() as logs:
        async with running_gateway(settings) as gateway:

            async def lists_both() -> bool:
                return set(await listing(gateway)) >= {"e-old", "e-new"}

            await eventually(lists_both)
            await asyncio.sleep(0.5)
            assert set(await listing(gateway)) == {"e-old", "e-new"}
    assert [e["enterprises"] for e in logs if e["event"] == "read_model_present_read"] == [2]

    # Restarted on the same read model: it carries on, without reading the present again.
    with capture_logs() as logs:
        async with running_gateway(settings) as gateway:
            await asyncio.sleep(1.0)
            assert set(await listing(gateway)) == {"e-old", "e-new"}
    assert not [e for e in logs if e["event"] == "read_model_present_read"]


async def test_a_gateway_for_some_provinces_reads_only_their_present(
    users: NatsUsers, tmp_path: Path
) -> None:
    await ensure_streams(users.url(), STREAMS)
    await publish_states(
        users.url("registry"),
        listed("p-arnhem", province="Gelderland", region="Arnhem Nijmegen", place="Arnhem"),
        listed("p-zwolle", province="Overijssel", region="Regio Zwolle", place="Zwolle"),
    )
    settings = GatewaySettings(
        nats_url=users.url("gateway"), data_dir=tmp_path, gateway_provinces="Gelderland"
    )
    async with running_gateway(settings) as gateway:

        async def lists_arnhem() -> bool:
            return "p-arnhem" in await listing(gateway)

        await eventually(lists_arnhem)
        await asyncio.sleep(0.5)
        assert "p-zwolle" not in await listing(gateway)
