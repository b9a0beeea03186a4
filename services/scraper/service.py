"""The running scraper: builds runs from settings, serialises them per label, keeps the schedule."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import structlog
from faststream.nats import NatsBroker
from nats.js.kv import KeyValue

from contracts.base import Event, utc_now
from contracts.labels import LabelName
from contracts.subjects import StreamSpec
from services.kit.jetstream import publish_event
from services.kit.publications import check_declared
from services.scraper.config import ScraperSettings
from services.scraper.outcome import RunOutcome
from services.scraper.publications import scraper_publications
from services.scraper.runner import EventPublisher, ScrapeRun
from services.scraper.shutdown import SHUTDOWN_GRACE_SECONDS, finish_or_cancel
from services.scraper.sources import build_source
from services.scraper.state import BUCKET, FakeStateStore, KvStateStore, StateStore

log = structlog.get_logger()


@dataclass
class BrokerPublisher:
    """Publishes through kit.publish_event: JetStream, awaited ack, Nats-Msg-Id = event id."""

    broker: NatsBroker
    timeout: float = 5.0

    async def publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        """Publish and wait for the stream's ack; a subject not declared is refused."""
        check_declared(scraper_publications(), subject)
        await publish_event(self.broker, subject, event, stream=stream, timeout=self.timeout)


def build_run(
    settings: ScraperSettings,
    label: LabelName,
    *,
    store: StateStore,
    publisher: EventPublisher | None,
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    next_run: Callable[[], datetime | None] = lambda: None,
) -> ScrapeRun:
    """A run of `label` as the settings describe it; `publisher=None` makes it a dry run."""
    return ScrapeRun(
        source=build_source(
            label,
            (base_url or settings.base_url(label)).rstrip("/"),
            settings.listing_policy.for_label(label),
        ),
        store=store,
        publisher=publisher,
        policy=settings.http_policy(),
        event_source=settings.source,
        min_holdings_ratio=settings.scrape_min_holdings_ratio,
        absent_runs_to_lapse=settings.scrape_absent_runs_to_lapse,
        transport=transport,
        failpoints=settings.failpoints,
        next_run=next_run,
    )


async def open_state_bucket(broker: NatsBroker, settings: ScraperSettings) -> KeyValue:
    """The key-value bucket `scraper-state`, created if missing."""
    return await broker.key_value(
        BUCKET,
        history=5,
        replicas=settings.stream_replicas,
        description="impactoost scraper state, one key per label and per hotspot feed",
    )


async def open_state_store(broker: NatsBroker, settings: ScraperSettings) -> KvStateStore:
    """The labels' state in the bucket `scraper-state`, created if missing."""
    return KvStateStore(await open_state_bucket(broker, settings))


@dataclass
class ScraperService:
    """Runs scrapes on a schedule and on request, one run per label at a time."""

    settings: ScraperSettings
    broker: NatsBroker
    store: StateStore | None = None
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _next_cycle_at: datetime | None = None

    async def start(self) -> None:
        """Open the state bucket and start the schedule (its first run starts now)."""
        if self.store is None:
            self.store = await open_state_store(self.broker, self.settings)
        self._ready.set()
        self._task = asyncio.create_task(self._schedule(), name="scraper-schedule")

    async def stop(self) -> None:
        """Let a run in progress finish (within the graceful timeout), then stop."""
        self._stop.set()
        if self._task is not None and await finish_or_cancel(self._task, SHUTDOWN_GRACE_SECONDS):
            log.warning("scrape_interrupted_at_shutdown")

    async def run_label(self, label: LabelName) -> RunOutcome:
        """Scrape `label` now, after any run of it already in progress."""
        await self._ready.wait()
        assert self.store is not None
        async with self._locks.setdefault(label, asyncio.Lock()):
            run = build_run(
                self.settings,
                label,
                store=self.store,
                publisher=BrokerPublisher(self.broker, self.settings.publish_timeout_seconds),
                next_run=lambda: self.next_run_at(label),
            )
            return await run.run()

    def next_run_at(self, label: LabelName) -> datetime | None:
        """When the schedule will scrape `label` next (None if it is not scheduled)."""
        if label not in self.settings.scrape_labels:
            return None
        now = utc_now()
        if self._next_cycle_at is not None and self._next_cycle_at > now:
            return self._next_cycle_at
        # A cycle that overran its interval: the next one starts as soon as it ends.
        return now

    async def _schedule(self) -> None:
        """A cycle every interval, counted from the start of the one before (a cycle that
        takes longer is followed at once): a registry's runs start one interval apart, so a
        change waits at most an interval for the run that sees it. The labels run one after
        the other, in the settings' order: the registry joins a holding to an enterprise by
        what it already knows, so the registries with KvK numbers go first."""
        interval = timedelta(seconds=self.settings.scrape_interval_seconds)
        while not self._stop.is_set():
            self._next_cycle_at = utc_now() + interval
            for label in self.settings.scrape_labels:
                if self._stop.is_set():
                    return
                try:
                    await self.run_label(label)
                except Exception:
                    log.exception("scheduled_scrape_crashed", label=label)
            wait = (self._next_cycle_at - utc_now()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), max(0.0, wait))


async def run_dry(
    settings: ScraperSettings,
    label: LabelName,
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RunOutcome:
    """Read the registry without NATS: nothing published, nothing remembered."""
    run = build_run(
        settings,
        label,
        store=FakeStateStore(),
        publisher=None,
        base_url=base_url,
        transport=transport,
    )
    return await run.run()
