"""Another region subscribes to its own province: enterprise subjects carry province and region,
and a move between provinces is told under both, through the real registry app, a real
nats-server and the bundled place data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from faststream import TestApp
from nats.aio.msg import Msg

from contracts.enterprises import EnterpriseDelisted
from contracts.labels import LabelEvent
from contracts.subjects import ENTERPRISES_STREAM, STREAMS
from services.kit.streams import ensure_streams
from services.registry.adapters.publisher import ENTERPRISE_EVENT
from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.fixtures.servers import running_nats
from tests.integration.registry.test_registry_app import _publish_labels
from tests.unit.registry.factories import at, changed, granted, observation

pytestmark = pytest.mark.integration

# holding id -> place; the bundled data places each (Hengelo (Gld) is Bronckhorst, Gelderland).
PLACES = {
    "PSO-1": "Hengelo",
    "PSO-2": "Arnhem",
    "PSO-3": "Enschede",
    "PSO-4": "Hengelo (Gld)",
    "PSO-5": "Nergenshuizen",
}
GELDERLAND = {"PSO-2", "PSO-4"}


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server of this module's own."""
    with running_nats(tmp_path_factory.mktemp("regional-nats")) as users:
        url = users.url()
        yield url


def _settings(nats_url: str, tmp_path: Path) -> RegistrySettings:
    return RegistrySettings(
        nats_url=nats_url,
        database_url=f"sqlite:///{tmp_path / 'registry.db'}",
        data_dir=tmp_path,
        outbox_poll_seconds=0.5,
        pdok_base_url="",
    )


async def _until_stream_holds(nc: nats.NATS, count: int) -> None:
    js = nc.jetstream()
    for _ in range(400):
        if (await js.stream_info(ENTERPRISES_STREAM.name)).state.messages >= count:
            return
        await asyncio.sleep(0.05)


async def test_a_gelderland_subscriber_receives_exactly_the_gelderland_enterprises(
    nats_url: str, tmp_path: Path
) -> None:
    await ensure_streams(nats_url, STREAMS)
    events: list[LabelEvent] = [
        granted(observation(number, place=place, kvk=(f"0600000{number[-1]}",), website=None))
        for number, place in PLACES.items()
    ]
    await _publish_labels(nats_url, *events)
    settings = _settings(nats_url, tmp_path)
    received: list[Msg] = []
    nc = await nats.connect(nats_url)
    try:
        await nc.subscribe("impact.v1.enterprises.gelderland.>", cb=_collect(received))
        async with TestApp(create_app(settings)):
            await _until_stream_holds(nc, len(PLACES))
            await asyncio.sleep(0.5)
        js = nc.jetstream()
        all_subjects = []
        state = (await js.stream_info(ENTERPRISES_STREAM.name)).state
        for seq in range(state.first_seq, state.last_seq + 1):
            all_subjects.append(str((await js.get_msg(ENTERPRISES_STREAM.name, seq)).subject))
    finally:
        await nc.close()

    got = {}
    for msg in received:
        event = ENTERPRISE_EVENT.validate_json(msg.data)
        [holding] = event.enterprise.labels
        got[holding.holding_id] = (msg.subject, event.enterprise.municipality)
    assert got == {
        "PSO-2": ("impact.v1.enterprises.gelderland.midden-gelderland.listed", "Arnhem"),
        "PSO-4": ("impact.v1.enterprises.gelderland.achterhoek.listed", "Bronckhorst"),
    }
    assert len(received) == len(GELDERLAND)
    assert sorted(all_subjects) == sorted(
        [
            "impact.v1.enterprises.gelderland.achterhoek.listed",
            "impact.v1.enterprises.gelderland.midden-gelderland.listed",
            "impact.v1.enterprises.onbekend.onbekend.listed",
            "impact.v1.enterprises.overijssel.twente.listed",
            "impact.v1.enterprises.overijssel.twente.listed",
        ]
    )


async def test_a_move_between_provinces_leaves_the_old_subscriber_and_reaches_the_new(
    tmp_path: Path,
) -> None:
    before = observation("PSO-9", place="Hengelo", kvk=("06000009",), website=None)
    moved = observation("PSO-9", place="Arnhem", kvk=("06000009",), website=None)
    old: list[Msg] = []
    new: list[Msg] = []
    with running_nats(tmp_path / "nats") as users:
        url = users.url()
        await ensure_streams(url, STREAMS)
        await _publish_labels(url, granted(before), changed(moved, before, at(1)))
        nc = await nats.connect(url)
        try:
            await nc.subscribe("impact.v1.enterprises.overijssel.>", cb=_collect(old))
            await nc.subscribe("impact.v1.enterprises.gelderland.>", cb=_collect(new))
            async with TestApp(create_app(_settings(url, tmp_path))):
                await _until_stream_holds(nc, 3)
                await asyncio.sleep(0.5)
        finally:
            await nc.close()

    seen_old = [(m.subject, ENTERPRISE_EVENT.validate_json(m.data)) for m in old]
    seen_new = [(m.subject, ENTERPRISE_EVENT.validate_json(m.data)) for m in new]
    assert [(s, e.kind, e.enterprise.version) for s, e in seen_old] == [
        ("impact.v1.enterprises.overijssel.twente.listed", "listed", 1),
        ("impact.v1.enterprises.overijssel.twente.delisted", "delisted", 2),
    ]
    left = seen_old[1][1]
    assert isinstance(left, EnterpriseDelisted) and left.reason == "moved"
    assert (left.enterprise.place, left.enterprise.listed) == ("Hengelo", False)
    assert [(s, e.kind, e.enterprise.version) for s, e in seen_new] == [
        ("impact.v1.enterprises.gelderland.midden-gelderland.listed", "listed", 3),
    ]
    arrived = seen_new[0][1].enterprise
    assert (arrived.place, arrived.listed, arrived.listed_since) == ("Arnhem", True, at(0))


def _collect(into: list[Msg]) -> Callable[[Msg], Awaitable[None]]:
    async def collect(msg: Msg) -> None:
        into.append(msg)

    return collect
