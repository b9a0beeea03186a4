"""Gateways for a region on a real nats-server: each builds exactly its provinces' directory
under a durable of its own, and none deletes another's durable."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js.api import ConsumerConfig

from contracts.subjects import ENTERPRISES_STREAM, STREAMS
from services.gateway.config import GatewaySettings
from services.kit.streams import consumer_filters, ensure_streams
from tests.fixtures.servers import running_nats
from tests.integration.gateway.test_read_model_feed import (
    eventually,
    listing,
    publish,
    running_gateway,
)
from tests.unit.gateway.events import listed

pytestmark = pytest.mark.integration

GELDERLAND = {"arnhem", "zutphen"}
OVERIJSSEL = {"enschede", "zwolle"}


@pytest.fixture(scope="module")
def regional_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server of this module's own, so ENTERPRISES holds only these events."""
    with running_nats(tmp_path_factory.mktemp("regional-nats")) as users:
        url = users.url()
        yield url


@pytest.fixture(scope="module")
async def enterprises(regional_nats: str) -> str:
    """Two enterprises in Gelderland and two in Overijssel, on their real subjects."""
    await ensure_streams(regional_nats, STREAMS)
    await publish(
        regional_nats,
        listed("arnhem", province="Gelderland", region="Arnhem Nijmegen", place="Arnhem"),
        listed("zutphen", province="Gelderland", region="Achterhoek", place="Zutphen"),
        listed("enschede"),
        listed("zwolle", province="Overijssel", region="Regio Zwolle", place="Zwolle"),
    )
    return regional_nats


def gateway(nats_url: str, data_dir: Path, provinces: str = "") -> GatewaySettings:
    """A gateway with its own database and the durable name derived from it."""
    return GatewaySettings(nats_url=nats_url, data_dir=data_dir, gateway_provinces=provinces)


async def directory_of(settings: GatewaySettings, expected: set[str]) -> set[str]:
    """The enterprises the gateway lists once it holds `expected` (and a moment more, so
    that anything it should not hold has had its chance to arrive)."""
    async with running_gateway(settings) as client:

        async def holds_expected() -> bool:
            return set(await listing(client)) >= expected

        await eventually(holds_expected)
        await asyncio.sleep(0.5)
        return set(await listing(client))


async def durable_names(nats_url: str) -> set[str]:
    """Every durable on ENTERPRISES."""
    nc = await nats.connect(nats_url)
    try:
        infos = await nc.jetstream().consumers_info(ENTERPRISES_STREAM.name)
    finally:
        await nc.close()
    return {info.name for info in infos}


def test_provinces_are_slugged_and_the_durable_is_derived_from_the_database(
    tmp_path: Path,
) -> None:
    settings = gateway("nats://127.0.0.1:1", tmp_path / "a", "Overijssel, gelderland")
    assert settings.provinces == ("gelderland", "overijssel")
    assert settings.enterprise_subjects == (
        "impact.v1.enterprises.gelderland.*.*",
        "impact.v1.enterprises.overijssel.*.*",
    )
    other = gateway("nats://127.0.0.1:1", tmp_path / "b", "Overijssel, gelderland")
    refiltered = gateway("nats://127.0.0.1:1", tmp_path / "a")
    assert settings.durable.startswith("gateway-") and settings.durable != other.durable
    assert refiltered.durable == settings.durable  # the same read model, another filter
    explicit = settings.model_copy(update={"gateway_consumer": "gateway-oost"})
    assert explicit.durable == "gateway-oost"


async def test_a_gateway_limited_to_gelderland_holds_only_gelderland(
    enterprises: str, tmp_path: Path
) -> None:
    regional = gateway(enterprises, tmp_path / "gelderland", "gelderland")
    everything = gateway(enterprises, tmp_path / "all")
    assert await directory_of(regional, GELDERLAND) == GELDERLAND
    assert await directory_of(everything, GELDERLAND | OVERIJSSEL) == GELDERLAND | OVERIJSSEL
    nc = await nats.connect(enterprises)
    try:
        info = await nc.jetstream().consumer_info(ENTERPRISES_STREAM.name, regional.durable)
    finally:
        await nc.close()
    assert consumer_filters(info.config) == {"impact.v1.enterprises.gelderland.*.*"}


async def test_changing_the_provinces_rebuilds_the_read_model(
    enterprises: str, tmp_path: Path
) -> None:
    settings = gateway(enterprises, tmp_path, "gelderland")
    assert await directory_of(settings, GELDERLAND) == GELDERLAND
    moved = settings.model_copy(update={"gateway_provinces": "overijssel"})
    assert await directory_of(moved, OVERIJSSEL) == OVERIJSSEL
    both = settings.model_copy(update={"gateway_provinces": "gelderland,overijssel"})
    assert await directory_of(both, GELDERLAND | OVERIJSSEL) == GELDERLAND | OVERIJSSEL
    assert await durable_names(enterprises) >= {settings.durable}


async def test_two_gateways_never_share_or_delete_each_others_durable(
    enterprises: str, tmp_path: Path
) -> None:
    first, second = gateway(enterprises, tmp_path / "a"), gateway(enterprises, tmp_path / "b")
    assert first.durable != second.durable
    assert await directory_of(first, GELDERLAND | OVERIJSSEL) == GELDERLAND | OVERIJSSEL
    nc = await nats.connect(enterprises)
    try:
        js = nc.jetstream()
        await js.add_consumer(ENTERPRISES_STREAM.name, ConsumerConfig(durable_name="region-noord"))
        kept = {
            name: (await js.consumer_info(ENTERPRISES_STREAM.name, name)).created
            for name in (first.durable, "region-noord")
        }
        # The second gateway starts on a fresh database: it replays, resetting its own only.
        assert await directory_of(second, GELDERLAND | OVERIJSSEL) == GELDERLAND | OVERIJSSEL
        for path in (tmp_path / "b").glob("gateway.db*"):
            path.unlink()
        assert await directory_of(second, GELDERLAND | OVERIJSSEL) == GELDERLAND | OVERIJSSEL
        after = {
            name: (await js.consumer_info(ENTERPRISES_STREAM.name, name)).created for name in kept
        }
    finally:
        await nc.close()
    assert after == kept
    assert await durable_names(enterprises) >= {first.durable, second.durable, "region-noord"}
