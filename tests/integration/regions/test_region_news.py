"""Regions follow the hotspots' news and agenda whole (their subjects name a hotspot, not a
province), as they follow enterprise events: by import through durables made for them, or by
leaf node into streams of their own; and still may do nothing else with them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js import api

from contracts.agenda import AgendaCancelled, AgendaItem, AgendaScheduled
from contracts.base import Event, deterministic_id
from contracts.news import NewsItem, NewsPublished, NewsWithdrawn
from contracts.subjects import (
    AGENDA_STREAM,
    NEWS_STREAM,
    STREAMS,
    agenda_subject,
    news_subject,
)
from services.kit.nats_access import connect
from services.kit.nats_deployment import ensure_region_consumers
from services.kit.nats_region_leaf import leaf_streams
from services.kit.nats_regions import IMPORT_PREFIX, Region
from services.kit.streams import ensure_streams
from tests.fixtures.hub import Hub, running_hub
from tests.integration.regions.test_region_leaf import eventually_count, leaf_server, read

pytestmark = pytest.mark.integration

NOORD = Region("noord", ("Drenthe", "Groningen"), "import")
LEAF = Region("noord", ("Drenthe", "Groningen"), "leaf")
WHEN = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)


def news(hotspot: str, item_id: str, title: str) -> NewsPublished:
    item = NewsItem(
        hotspot=hotspot,
        item_id=item_id,
        origin="feed",
        title=title,
        summary_html="<p>Nieuws uit de regio.</p>",
        link=f"https://{hotspot}.example/nieuws/{item_id}/",
        published_at=WHEN,
    )
    return NewsPublished(
        event_id=deterministic_id("news", hotspot, item_id, "published"),
        occurred_at=WHEN,
        source="impactoost-oost",
        item=item,
    )


def agenda(hotspot: str, item_id: str) -> AgendaItem:
    return AgendaItem(
        hotspot=hotspot,
        item_id=item_id,
        origin="feed",
        title="Impactlunch",
        starts_at=WHEN,
        ends_at=WHEN.replace(hour=11),
    )


def hotspot_events() -> list[tuple[str, Event]]:
    """(subject, event) as the scraper publishes them: two hotspots' news and agenda."""
    lunch = agenda("deventer", "impactlunch-01")
    return [
        (news_subject("zwolle", "published"), news("zwolle", "item-1184", "Inkoopcafé")),
        (news_subject("deventer", "published"), news("deventer", "item-0042", "Markt")),
        (
            news_subject("zwolle", "withdrawn"),
            NewsWithdrawn(
                event_id=deterministic_id("news", "zwolle", "item-1184", "withdrawn"),
                occurred_at=WHEN,
                source="impactoost-oost",
                hotspot="zwolle",
                item_id="item-1184",
                reason="removed_from_feed",
            ),
        ),
        (
            agenda_subject("deventer", "scheduled"),
            AgendaScheduled(
                event_id=deterministic_id("agenda", "deventer", "lunch", "scheduled"),
                occurred_at=WHEN,
                source="impactoost-oost",
                item=lunch,
            ),
        ),
        (
            agenda_subject("deventer", "cancelled"),
            AgendaCancelled(
                event_id=deterministic_id("agenda", "deventer", "lunch", "cancelled"),
                occurred_at=WHEN,
                source="impactoost-oost",
                item=lunch,
                reason="cancelled_by_organiser",
            ),
        ),
    ]


async def publish_as_scraper(hub: Hub) -> None:
    client = await connect(hub.url("scraper"))
    try:
        js = client.jetstream()
        for subject, event in hotspot_events():
            stream = NEWS_STREAM.name if ".news." in subject else AGENDA_STREAM.name
            await js.publish(
                subject,
                event.model_dump_json().encode(),
                stream=stream,
                headers={"Nats-Msg-Id": event.event_id},
            )
    finally:
        await client.close()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("news-hub"), [NOORD]) as hub:
        yield hub


@pytest.fixture(scope="module")
def leaf_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("news-leaf-hub"), [LEAF]) as hub:
        yield hub


async def pull_all(client: Client, stream: str) -> list[str]:
    """The subjects the region's durable on `stream` holds for it, acknowledged."""
    pull = await client.jetstream(prefix=IMPORT_PREFIX).pull_subscribe_bind(
        durable=NOORD.durable, stream=stream
    )
    found: list[str] = []
    with contextlib.suppress(TimeoutError):  # nats-py raises its own or the built-in one
        while True:
            for msg in await pull.fetch(50, timeout=1):
                found.append(msg.subject)
                await msg.ack()
    return found


async def test_an_importing_region_reads_every_hotspots_news_and_agenda_in_order(
    hub: Hub,
) -> None:
    await ensure_streams(hub.url(), STREAMS)
    await publish_as_scraper(hub)  # before the region is set up: it still gets them
    made = await ensure_region_consumers(hub.url("admin"), NOORD)
    assert made[2:] == ["NEWS/region-noord", "AGENDA/region-noord"]
    errors: list[str] = []

    async def record(exc: Exception) -> None:
        errors.append(str(exc))

    region = await connect(hub.url(NOORD.user), error_cb=record, allow_reconnect=False)
    try:
        assert await pull_all(region, NEWS_STREAM.name) == [
            "impact.v1.news.zwolle.published",
            "impact.v1.news.deventer.published",
            "impact.v1.news.zwolle.withdrawn",
        ]
        assert await pull_all(region, AGENDA_STREAM.name) == [
            "impact.v1.agenda.deventer.scheduled",
            "impact.v1.agenda.deventer.cancelled",
        ]
        assert await pull_all(region, NEWS_STREAM.name) == []  # acknowledged: none again

        # It reads; it cannot publish news, nor make a consumer of its own on NEWS.
        await region.publish(news_subject("zwolle", "published"), b"{}")
        ours = region.jetstream(prefix=IMPORT_PREFIX, timeout=0.5)
        own = api.ConsumerConfig(durable_name="evil", filter_subject="impact.v1.news.>")
        outcomes = await asyncio.gather(
            ours.add_consumer(NEWS_STREAM.name, own),
            ours.purge_stream(NEWS_STREAM.name),
            return_exceptions=True,
        )
        assert all(isinstance(o, nats.errors.TimeoutError) for o in outcomes), outcomes
        await region.flush()
        await asyncio.sleep(0.2)
    finally:
        await region.close()
    assert 'publish to "impact.v1.news.zwolle.published"' in "\n".join(errors)
    tester = await connect(hub.url())
    try:
        info = await tester.jetstream().stream_info(NEWS_STREAM.name)
        assert info.state.messages == 3
        names = {c.name for c in await tester.jetstream().consumers_info(NEWS_STREAM.name)}
        assert names == {NOORD.durable}
    finally:
        await tester.close()


async def test_a_leaf_region_sources_the_news_and_agenda_into_streams_of_its_own(
    leaf_hub: Hub, tmp_path: Path
) -> None:
    await ensure_streams(leaf_hub.url(), STREAMS)
    await publish_as_scraper(leaf_hub)
    made = await ensure_region_consumers(leaf_hub.url("admin"), LEAF)
    assert made[2:] == ["NEWS/region-noord", "AGENDA/region-noord"]
    with leaf_server(tmp_path, leaf_hub) as url:
        client = await connect(url, allow_reconnect=False)
        try:
            js = client.jetstream()
            for config in leaf_streams(LEAF):
                await js.add_stream(config)
            await eventually_count(client, NEWS_STREAM.name, 3)
            await eventually_count(client, AGENDA_STREAM.name, 2)
            news_copy = await read(client, NEWS_STREAM.name)
            assert [p["kind"] for _, p in news_copy] == ["published", "published", "withdrawn"]
            agenda_copy = await read(client, AGENDA_STREAM.name)
            assert [s for s, _ in agenda_copy] == [
                "impact.v1.agenda.deventer.scheduled",
                "impact.v1.agenda.deventer.cancelled",
            ]
            assert agenda_copy[1][1]["reason"] == "cancelled_by_organiser"
        finally:
            await client.close()
