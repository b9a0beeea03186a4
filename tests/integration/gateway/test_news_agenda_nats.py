"""The hotspots' news and agenda through a real nats-server: published to NEWS and AGENDA,
consumed by the gateway's durables, shown on its pages; a new gateway replays the streams
into the same model, and a gateway that has seen them all counts nothing twice."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from contracts.agenda import AgendaEvent
from contracts.news import NewsEvent, NewsWithdrawn
from contracts.subjects import AGENDA_STREAM, NEWS_STREAM, STREAMS, agenda_subject, news_subject
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from services.kit.jetstream import make_broker, publish_event
from services.kit.streams import ensure_streams
from tests.fixtures.servers import running_nats
from tests.integration.gateway.in_process import eventually, lifespan_client
from tests.unit.gateway.news_agenda_events import (
    NOW,
    agenda_item,
    cancelled,
    hotspots_file,
    news_item,
    published,
    scheduled,
    withdrawn,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hotspot_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server of this module's own."""
    with running_nats(tmp_path_factory.mktemp("hotspot-nats")) as users:
        yield users.url()


async def publish(nats_url: str, *events: NewsEvent | AgendaEvent) -> None:
    """Publish events to their real subjects with the kit's acked publish."""
    broker = make_broker(nats_url)
    async with broker:
        for event in events:
            if isinstance(event, NewsWithdrawn):
                subject, stream = news_subject(event.hotspot, event.kind), NEWS_STREAM
            elif event.kind in ("published", "updated"):
                subject, stream = news_subject(event.item.hotspot, event.kind), NEWS_STREAM  # type: ignore[union-attr]
            else:
                subject, stream = agenda_subject(event.item.hotspot, event.kind), AGENDA_STREAM  # type: ignore[union-attr,arg-type]
            await publish_event(broker, subject, event, stream=stream)


@contextlib.asynccontextmanager
async def running_gateway(
    nats_url: str, data_dir: Path, consumer: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway with its feed started, its own database and durable, its clock at NOW."""
    settings = GatewaySettings(
        nats_url=nats_url,
        data_dir=data_dir,
        gateway_consumer=consumer,
        hotspots_file=hotspots_file(data_dir.parent),
    )
    app = create_app(settings)
    app.state.hotspot_items.now = lambda: NOW
    async with lifespan_client(app) as client:
        yield client


async def shown(client: httpx.AsyncClient) -> dict[str, Any]:
    """News titles and agenda statuses the API shows, by item id."""
    news = (await client.get("/api/v1/news")).json()["items"]
    agenda = (await client.get("/api/v1/agenda")).json()["items"]
    return {
        **{item["item_id"]: item["title"] for item in news},
        **{item["item_id"]: item["status"] for item in agenda},
    }


async def processed(client: httpx.AsyncClient) -> int:
    return int((await client.get("/healthz")).json()["events_processed"])


async def test_news_and_agenda_flow_from_the_streams_to_the_pages_and_replay_alike(
    hotspot_nats_url: str, tmp_path: Path
) -> None:
    url = hotspot_nats_url
    await ensure_streams(url, STREAMS)
    kept, gone = news_item("nieuws-blijft", title="Blijft staan"), news_item("nieuws-weg")
    meeting, dropped = agenda_item("agenda-gaat-door"), agenda_item("agenda-uit-feed")
    await publish(url, published(kept), published(gone), scheduled(meeting), scheduled(dropped))
    async with running_gateway(url, tmp_path / "a", "gateway-hotspots-a") as client:

        async def four_shown() -> bool:
            return len(await shown(client)) == 4

        await eventually(four_shown)
        await publish(
            url,
            withdrawn(gone),
            cancelled(meeting, "cancelled_by_organiser"),
            cancelled(dropped, "removed_from_feed"),
        )
        expected = {"nieuws-blijft": "Blijft staan", "agenda-gaat-door": "cancelled"}

        async def settled() -> bool:
            return await shown(client) == expected

        await eventually(settled)
        page = (await client.get("/agenda")).text
        assert "Geannuleerd." in page and "De organisator heeft dit evenement afgelast." in page
        count = await processed(client)
        # The same events again (JetStream drops them by their ids; were one to get through,
        # the gateway would change nothing), then a new one behind them: once that is shown,
        # exactly one more event has been applied.
        marker = news_item("nieuws-daarna", title="Daarna")
        await publish(url, published(kept), withdrawn(gone), published(marker))
        expected["nieuws-daarna"] = "Daarna"
        await eventually(settled)
        assert await processed(client) == count + 1
    # The same gateway, its database wiped: its durables replay NEWS and AGENDA.
    for path in (tmp_path / "a").glob("gateway.db*"):
        path.unlink()
    async with running_gateway(url, tmp_path / "a", "gateway-hotspots-a") as client:
        await eventually(settled)
    # A new gateway (its own database and durable) replays both streams from their start.
    async with running_gateway(url, tmp_path / "b", "gateway-hotspots-b") as client:

        async def replayed() -> bool:
            return await shown(client) == expected

        await eventually(replayed)
        assert await processed(client) == 8


async def test_an_unreadable_news_message_is_dead_lettered_and_holds_up_nothing(
    hotspot_nats_url: str, tmp_path: Path
) -> None:
    url = hotspot_nats_url
    await ensure_streams(url, STREAMS)
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        subject = news_subject("impact-zwolle", "published")
        await js.publish(subject, b"<rss>geen json</rss>", headers={"Nats-Msg-Id": "poison-1"})
        await js.publish(subject, b'{"kind": "published"}', headers={"Nats-Msg-Id": "poison-2"})
    finally:
        await nc.close()
    await publish(url, published(news_item("nieuws-na-gif", title="Na het gif")))
    async with running_gateway(url, tmp_path / "c", "gateway-hotspots-c") as client:

        async def after_the_poison() -> bool:
            return (await shown(client)).get("nieuws-na-gif") == "Na het gif"

        await eventually(after_the_poison)
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().stream_info(
            "DEADLETTERS", subjects_filter="impactoost.deadletters.gateway.gateway-hotspots-c"
        )
    finally:
        await nc.close()
    assert info.state.subjects == {"impactoost.deadletters.gateway.gateway-hotspots-c": 2}
