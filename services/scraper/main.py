"""The scraper's composition root: FastStream app, serve(), AsyncAPI, one-off runs for the CLI.

The hotspots' feeds (IMPACTOOST_HOTSPOTS_FILE) run on their own schedule beside the labels
(feeds/service.py), and the health report has a `feeds` section.

Scrapes run on a schedule (first run at start-up, then every
IMPACTOOST_SCRAPE_INTERVAL_SECONDS) and on demand: a core NATS request on
`impact.v1.commands.scrape` with body `{"label": "pso"}` runs that label now and replies
with the run's summary once it has finished (e.g. `nats req impact.v1.commands.scrape
'{"label":"pso"}' --timeout 10m`).
"""

from __future__ import annotations

from typing import Any, cast

import httpx
import structlog
from faststream import FastStream
from faststream.nats import NatsBroker
from faststream.nats.annotations import NatsMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts.labels import LabelName
from contracts.subjects import (
    SCRAPE_COMMANDS,
    STREAMS,
)
from services.kit.asyncapi import asyncapi_json as render_asyncapi
from services.kit.health_requests import HealthResponder
from services.kit.jetstream import make_broker
from services.kit.logging import configure_logging
from services.kit.nats_users import SCRAPER
from services.kit.settings import load_settings
from services.kit.streams import ensure_streams
from services.scraper.config import ScraperSettings
from services.scraper.feeds.health import ScraperHealthCheck
from services.scraper.feeds.items import FeedKind
from services.scraper.feeds.run import FeedOutcome
from services.scraper.feeds.service import FeedService, build_feed_run
from services.scraper.feeds.state import FakeFeedStateStore, KvFeedStateStore
from services.scraper.outcome import RunOutcome
from services.scraper.publications import scraper_publications
from services.scraper.service import (
    BrokerPublisher,
    ScraperService,
    build_run,
    open_state_bucket,
    open_state_store,
    run_dry,
)
from services.scraper.sources import supported_labels

VERSION = "0.1.0"
SERVICE = "scraper"
log = structlog.get_logger()


class ScrapeRequested(BaseModel):
    """Body of an on-demand scrape request: a label (`{"label": "pso"}`), or one of a
    hotspot's feeds (`{"hotspot": "zwolle", "feed": "news"}`), never both."""

    model_config = ConfigDict(extra="forbid")

    label: LabelName | None = None
    hotspot: str | None = Field(default=None, max_length=40)
    feed: FeedKind | None = None

    @model_validator(mode="after")
    def _one_thing(self) -> ScrapeRequested:
        if self.hotspot is None and self.feed is None:
            if self.label is None:
                self.label = "pso"
            return self
        if self.label is not None or self.hotspot is None or self.feed is None:
            raise ValueError("ask for a label, or for a hotspot and its feed, not both")
        return self


def create_app(settings: ScraperSettings | None = None) -> FastStream:
    """The scraper app; nothing connects until it starts."""
    settings = settings or load_settings(ScraperSettings)
    broker = make_broker(settings.nats())
    service = ScraperService(settings, broker)
    publisher = BrokerPublisher(broker, settings.publish_timeout_seconds)

    async def open_feed_store() -> KvFeedStateStore:
        return KvFeedStateStore(await open_state_bucket(broker, settings))

    feeds = FeedService(settings, publisher, open_feed_store)

    @broker.subscriber(
        SCRAPE_COMMANDS,
        title="scrape-requested",
        description="Run a scrape of one label, or a read of one hotspot feed, now; replies "
        'with its summary. Body (JSON): {"label": "pso"} or {"hotspot": "<slug>", "feed": '
        '"news"|"agenda"} (ScrapeRequested); a body that is neither is answered with '
        '{"ok": false, "reason": ...}',
    )
    async def on_scrape_requested(message: NatsMessage) -> dict[str, Any]:
        try:
            command = ScrapeRequested.model_validate_json(message.body or b"{}")
        except ValidationError as error:  # answered, so the requester learns why at once
            problems = "; ".join(e["msg"] for e in error.errors(include_url=False))
            return {"ok": False, "reason": f"not a scrape request: {problems}"}
        if command.hotspot is not None and command.feed is not None:
            return await read_feed_now(command.hotspot, command.feed)
        assert command.label is not None  # the model fills it in when no feed is asked
        if command.label not in supported_labels():
            return {"label": command.label, "ok": False, "reason": "no adapter for this label"}
        try:
            return (await service.run_label(command.label)).summary()
        except Exception as exc:  # the requester gets an answer instead of a timeout
            log.exception("requested_scrape_crashed", label=command.label)
            return {"label": command.label, "ok": False, "reason": f"{type(exc).__name__}: {exc}"}

    async def read_feed_now(slug: str, kind: FeedKind) -> dict[str, Any]:
        hotspot = next((h for h in settings.hotspots if h.slug == slug), None)
        ask = {"hotspot": slug, "feed": kind}
        if hotspot is None or not (hotspot.news_feed if kind == "news" else hotspot.agenda_feed):
            return {**ask, "ok": False, "reason": "no such feed in the hotspots file"}
        try:
            return dict((await feeds.run_feed(hotspot, kind)).summary())
        except Exception as exc:  # the requester gets an answer instead of a timeout
            log.exception("requested_feed_run_crashed", hotspot=slug, feed=kind)
            return {**ask, "ok": False, "reason": f"{type(exc).__name__}: {exc}"}

    async def ensure() -> None:
        await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=SCRAPER)

    health = HealthResponder(ScraperHealthCheck(SCRAPER.name, extra=feeds.health))

    async def answer_health() -> None:
        await health.start(broker.connection)

    return FastStream(
        broker,
        on_startup=[ensure],
        after_startup=[answer_health, service.start, feeds.start],
        on_shutdown=[health.stop, feeds.stop, service.stop],
        logger=None,
    )


async def serve(settings: ScraperSettings) -> None:
    """Run until SIGINT/SIGTERM; a run in progress finishes before the broker closes."""
    configure_logging(settings.log_format, settings.log_level)
    await create_app(settings).run()


def asyncapi_json(settings: ScraperSettings | None = None) -> str:
    """The scraper's AsyncAPI document (its command subscriber and what it publishes),
    generated without connecting."""
    app = create_app(settings or ScraperSettings())
    return render_asyncapi(
        service=SERVICE,
        title="impactoost scraper",
        version=VERSION,
        description="Reads the label registries and publishes what changed.",
        consumers=(),
        publications=scraper_publications(),
        broker=cast("NatsBroker", app.broker),
    )


async def scrape_once(
    settings: ScraperSettings,
    label: LabelName,
    *,
    base_url: str | None = None,
    dry_run: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RunOutcome:
    """One run of `label` now. Dry run: no NATS at all, `observations` filled for printing.
    `transport` carries its HTTP (a recording one for `--record`)."""
    if dry_run:
        return await run_dry(settings, label, base_url, transport)
    await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=SCRAPER)
    broker = make_broker(settings.nats(), graceful_timeout=5.0)
    async with broker:
        await broker.start()
        store = await open_state_store(broker, settings)
        publisher = BrokerPublisher(broker, settings.publish_timeout_seconds)
        run = build_run(
            settings,
            label,
            store=store,
            publisher=publisher,
            base_url=base_url,
            transport=transport,
        )
        return await run.run()


async def feed_once(
    settings: ScraperSettings,
    hotspot: str,
    kind: FeedKind,
    *,
    dry_run: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FeedOutcome:
    """One run of `hotspot`'s `kind` feed now (KeyError: no such hotspot; ValueError: it has
    no such feed). Dry run: no NATS at all, nothing published or remembered."""
    chosen = {h.slug: h for h in settings.hotspots}[hotspot]
    if dry_run:
        run = build_feed_run(
            settings, chosen, kind, store=FakeFeedStateStore(), publisher=None, transport=transport
        )
        return await run.run()
    await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=SCRAPER)
    broker = make_broker(settings.nats(), graceful_timeout=5.0)
    async with broker:
        await broker.start()
        store = KvFeedStateStore(await open_state_bucket(broker, settings))
        publisher = BrokerPublisher(broker, settings.publish_timeout_seconds)
        run = build_feed_run(
            settings, chosen, kind, store=store, publisher=publisher, transport=transport
        )
        return await run.run()
