"""The gateway on a real nats-server: it replays the streams, catches up, and follows them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator, MutableMapping
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import ConsumerInfo
from structlog.testing import capture_logs

from contracts.enterprises import EnterpriseEvent
from contracts.scrapes import ScrapeCompleted
from contracts.subjects import (
    ENTERPRISES_STREAM,
    SCRAPES_STREAM,
    SIGNINS_STREAM,
    STREAMS,
    enterprise_subject,
    scrape_subject,
)
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from services.kit.jetstream import make_broker, publish_event
from services.kit.natsserver import NatsServer
from services.kit.processes import free_port
from services.kit.streams import ensure_streams
from tests.fixtures.servers import running_nats
from tests.integration.gateway.in_process import eventually, lifespan_client
from tests.unit.gateway.events import (
    delisted,
    in_grace,
    listed,
    moved_away,
    recertification_due,
    scrape_completed,
    updated,
)

pytestmark = pytest.mark.integration

BASE_LISTED = {f"e{n}" for n in range(1, 6)}


@pytest.fixture(scope="module")
def gateway_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server of this module's own, so the real stream names hold only our events."""
    with running_nats(tmp_path_factory.mktemp("gateway-nats")) as users:
        url = users.url()
        yield url


async def publish(nats_url: str, *events: EnterpriseEvent | ScrapeCompleted) -> None:
    """Publish events to their real subjects with the kit's acked publish."""
    broker = make_broker(nats_url)
    async with broker:
        for event in events:
            if isinstance(event, ScrapeCompleted):
                subject = scrape_subject(event.label, event.kind)
                await publish_event(broker, subject, event, stream=SCRAPES_STREAM)
            else:
                state = event.enterprise
                subject = enterprise_subject(state.province, state.region, event.kind)
                await publish_event(broker, subject, event, stream=ENTERPRISES_STREAM)


@pytest.fixture(scope="module")
async def stream(gateway_nats_url: str) -> str:
    """ENTERPRISES and SCRAPES holding five listed enterprises, one delisting, one scrape."""
    await ensure_streams(gateway_nats_url, STREAMS)
    await publish(
        gateway_nats_url,
        *[listed(f"e{n}", name=f"Onderneming {n}") for n in range(1, 7)],
        delisted("e6", version=2, name="Onderneming 6"),
        updated("e1", version=2, name="Onderneming 1 BV"),
        scrape_completed("pso"),
    )
    return gateway_nats_url


def settings_for(nats_url: str, data_dir: Path, consumer: str) -> GatewaySettings:
    """Settings of one gateway: its own database in `data_dir`, its own durable."""
    return GatewaySettings(nats_url=nats_url, data_dir=data_dir, gateway_consumer=consumer)


@contextlib.asynccontextmanager
async def running_gateway(settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running (feed started), and a client for it."""
    app = create_app(settings)
    async with lifespan_client(app) as client:
        yield client


async def listing(client: httpx.AsyncClient) -> dict[str, Any]:
    """Every listed enterprise, by id."""
    response = await client.get("/api/v1/enterprises", params={"page_size": 100})
    return {item["enterprise_id"]: item for item in response.json()["items"]}


async def stream_size(nats_url: str) -> int:
    """How many events ENTERPRISES and SCRAPES hold (every one with its own event id)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        infos = [await js.stream_info(s.name) for s in (ENTERPRISES_STREAM, SCRAPES_STREAM)]
    finally:
        await nc.close()
    return sum(info.state.messages or 0 for info in infos)


async def caught_up(client: httpx.AsyncClient, nats_url: str) -> dict[str, Any]:
    """Wait until the gateway has applied every event in the streams; returns its listing."""
    expected = await stream_size(nats_url)

    async def check() -> bool:
        health = (await client.get("/healthz")).json()
        return bool(health["events_processed"] >= expected)

    await eventually(check)
    return await listing(client)


async def test_new_gateway_replays_the_streams_and_catches_up(stream: str, tmp_path: Path) -> None:
    async with running_gateway(settings_for(stream, tmp_path, "gateway-first")) as client:
        items = await caught_up(client, stream)
        assert set(items) >= BASE_LISTED
        assert "e6" not in items
        assert items["e1"]["name"] == "Onderneming 1 BV"
        assert (await client.get("/api/v1/enterprises/e6")).status_code == 410
        sources = (await client.get("/api/v1/sources")).json()["items"]
        assert sources[0]["label"] == "pso" and sources[0]["holdings"] == 120
        health = (await client.get("/healthz")).json()
        assert health["nats_connected"] and health["feed_started"]
        assert health["enterprises_listed"] >= 5


async def test_running_gateway_follows_new_events(stream: str, tmp_path: Path) -> None:
    async with running_gateway(settings_for(stream, tmp_path, "gateway-follow")) as client:
        await caught_up(client, stream)
        await publish(
            stream,
            listed("live", name="Nieuw Bedrijf"),
            updated("live", version=2, name="Nieuw Bedrijf BV"),
        )

        async def renamed() -> bool:
            item = (await listing(client)).get("live")
            return item is not None and item["name"] == "Nieuw Bedrijf BV"

        await eventually(renamed)
        await publish(stream, delisted("live", version=3))

        async def gone() -> bool:
            return (await client.get("/api/v1/enterprises/live")).status_code == 410

        await eventually(gone)


async def test_reminders_grace_periods_and_moves_out_of_the_region_are_followed(
    stream: str,
    tmp_path: Path,
) -> None:
    grace_until = date(2026, 4, 11)
    async with running_gateway(settings_for(stream, tmp_path, "gateway-grace")) as client:
        await caught_up(client, stream)
        await publish(
            stream,
            listed("herkeurd", name="Herkeurd Bedrijf"),
            recertification_due("herkeurd", version=1, name="Herkeurd Bedrijf"),
            updated(
                "herkeurd",
                version=2,
                name="Herkeurd Bedrijf",
                grace_until=grace_until,
                labels=(in_grace(grace_until),),
            ),
            listed("verhuist", name="Verhuist Bedrijf"),
            moved_away("verhuist", version=2, name="Verhuist Bedrijf"),
        )
        items = await caught_up(client, stream)
        assert items["herkeurd"]["grace_until"] == "2026-04-11"
        assert items["herkeurd"]["labels"][0]["grace_until"] == "2026-04-11"
        assert "verhuist" not in items
        page = (await client.get("/ondernemingen/herkeurd")).text
        assert "Hercertificering loopt, tot en met 11 april 2026" in page


async def test_second_gateway_with_a_fresh_database_shows_the_same(
    stream: str,
    tmp_path: Path,
) -> None:
    first = running_gateway(settings_for(stream, tmp_path / "a", "gateway-a"))
    second = running_gateway(settings_for(stream, tmp_path / "b", "gateway-b"))
    async with first as client_a, second as client_b:
        assert await caught_up(client_a, stream) == await caught_up(client_b, stream)


async def test_wiped_database_with_an_existing_durable_replays(
    stream: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(stream, tmp_path, "gateway-wiped")
    async with running_gateway(settings) as client:
        before = await caught_up(client, stream)
        processed = (await client.get("/healthz")).json()["events_processed"]
    with capture_logs() as restart_logs:
        async with running_gateway(settings) as client:
            await eventually(lambda: _feed_started(client))
            await caught_up(client, stream)
            assert (await client.get("/healthz")).json()["events_processed"] == processed
    assert not _resets(restart_logs)
    assert await _consumer_info(stream, "ENTERPRISES", "gateway-wiped") is not None
    await asyncio.to_thread(_wipe_database, tmp_path)
    with capture_logs() as wiped_logs:
        async with running_gateway(settings) as client:
            assert await caught_up(client, stream) == before
    assert {log["stream"] for log in _resets(wiped_logs)} == {"ENTERPRISES", "SCRAPES"}


async def test_a_restart_with_a_new_ack_wait_updates_the_durables_in_place(
    stream: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(stream, tmp_path, "gateway-limits")
    async with running_gateway(settings) as client:
        await caught_up(client, stream)
        before = _read_model_size((await client.get("/healthz")).json())
    changed = settings.model_copy(update={"ack_wait_seconds": 95.0})
    with capture_logs() as logs:
        async with running_gateway(changed) as client:
            await eventually(lambda: _feed_started(client))
            assert _read_model_size((await client.get("/healthz")).json()) == before
    assert not _resets(logs)
    # Every stream the gateway reads with its durable: enterprises, scrapes, sign-in links,
    # the hotspots' news and agenda.
    assert {log["stream"] for log in logs if log["event"] == "durable_limits_updated"} == {
        "ENTERPRISES",
        "SCRAPES",
        "SIGNINS",
        "NEWS",
        "AGENDA",
    }
    assert await _ack_waits(stream, "gateway-limits") == [95.0] * 5


async def _ack_waits(nats_url: str, durable: str) -> list[float | None]:
    streams = (ENTERPRISES_STREAM.name, SCRAPES_STREAM.name, SIGNINS_STREAM.name, "NEWS", "AGENDA")
    infos = [await _consumer_info(nats_url, stream, durable) for stream in streams]
    return [info.config.ack_wait if info else None for info in infos]


def _read_model_size(health: dict[str, Any]) -> tuple[int, int]:
    return health["enterprises_listed"], health["events_processed"]


async def _feed_started(client: httpx.AsyncClient) -> bool:
    return bool((await client.get("/healthz")).json()["feed_started"])


def _wipe_database(data_dir: Path) -> None:
    for path in data_dir.glob("gateway.db*"):
        path.unlink()


def _resets(logs: list[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [log for log in logs if log["event"] == "durable_consumer_deleted_for_replay"]


async def _consumer_info(nats_url: str, stream: str, durable: str) -> ConsumerInfo | None:
    nc = await nats.connect(nats_url)
    try:
        return await nc.jetstream().consumer_info(stream, durable)
    except nats.js.errors.NotFoundError:
        return None
    finally:
        await nc.close()


async def _answers(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/healthz")).status_code == 200
    except httpx.TransportError:
        return False


async def test_served_process_stops_gracefully_on_sigterm(stream: str, tmp_path: Path) -> None:
    port = free_port()
    env = os.environ | {
        "IMPACTOOST_NATS_URL": stream,
        "IMPACTOOST_DATA_DIR": str(tmp_path),
        "IMPACTOOST_GATEWAY_PORT": str(port),
        "IMPACTOOST_GATEWAY_CONSUMER": "gateway-process",
        "IMPACTOOST_LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.gateway",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await eventually(lambda: _answers(client))
            await caught_up(client, stream)
            assert (await client.get("/")).status_code == 200
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()
    assert b'"event": "gateway_stopped"' in stderr


async def test_gateway_serves_while_nats_is_away_and_catches_up_once_it_is_back(
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = GatewaySettings(
        nats_url=f"nats://127.0.0.1:{port}", data_dir=tmp_path, gateway_consumer="gateway-late"
    )
    server = NatsServer(tmp_path / "nats", port=port)
    try:
        async with running_gateway(settings) as client:
            assert (await client.get("/")).status_code == 200
            health = (await client.get("/healthz")).json()
            assert (health["nats_connected"], health["feed_started"]) == (False, False)
            await asyncio.to_thread(server.start)
            await ensure_streams(server.url, STREAMS)
            await publish(server.url, listed("late", name="Laat Bedrijf"))
            assert "late" in await caught_up(client, server.url)
    finally:
        await asyncio.to_thread(server.stop)
