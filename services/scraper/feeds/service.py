"""The running feeds: their schedule (every IMPACTOOST_FEED_INTERVAL_SECONDS, else the labels'
interval; first run at start-up), one run per feed at a time, and their part of the health
report."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import structlog

from contracts.base import utc_now
from contracts.hotspots import Hotspot
from services.scraper.config import ScraperSettings
from services.scraper.feeds.items import FEED_KINDS, FeedKind
from services.scraper.feeds.run import AgendaWindow, FeedOutcome, FeedRun
from services.scraper.feeds.state import FeedStateStore
from services.scraper.runner import EventPublisher
from services.scraper.shutdown import SHUTDOWN_GRACE_SECONDS, finish_or_cancel

log = structlog.get_logger()


def feeds_of(hotspots: tuple[Hotspot, ...]) -> list[tuple[Hotspot, FeedKind, str]]:
    """Every feed the hotspots name, in their order (editor-only hotspots have none)."""
    found: list[tuple[Hotspot, FeedKind, str]] = []
    for hotspot in hotspots:
        for kind in FEED_KINDS:
            url = hotspot.news_feed if kind == "news" else hotspot.agenda_feed
            if url:
                found.append((hotspot, kind, url))
    return found


def build_feed_run(
    settings: ScraperSettings,
    hotspot: Hotspot,
    kind: FeedKind,
    *,
    store: FeedStateStore,
    publisher: EventPublisher | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FeedRun:
    """A run of `hotspot`'s `kind` feed as the settings describe it."""
    url = hotspot.news_feed if kind == "news" else hotspot.agenda_feed
    if url is None:
        raise ValueError(f"hotspot {hotspot.slug} has no {kind} feed")
    return FeedRun(
        hotspot=hotspot.slug,
        kind=kind,
        url=url,
        store=store,
        publisher=publisher,
        policy=settings.http_policy(),
        event_source=settings.source,
        min_items_ratio=settings.scrape_min_holdings_ratio,
        absent_runs=settings.scrape_absent_runs_to_lapse,
        window=AgendaWindow(settings.feed_agenda_days_back, settings.feed_agenda_days_ahead),
        transport=transport,
    )


@dataclass
class FeedService:
    """Runs every hotspot feed on a schedule and on request, one run per feed at a time."""

    settings: ScraperSettings
    publisher: EventPublisher
    open_store: Callable[[], Awaitable[FeedStateStore]]
    store: FeedStateStore | None = None
    _health_store: FeedStateStore | None = None
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the state bucket and start the schedule (its first round starts now)."""
        if not feeds_of(self.settings.hotspots):
            return
        self.store = await self.open_store()
        self._task = asyncio.create_task(self._schedule(), name="scraper-feeds")

    async def stop(self) -> None:
        """Let a run in progress finish (within the grace period), then stop."""
        self._stop.set()
        if self._task is not None and await finish_or_cancel(self._task, SHUTDOWN_GRACE_SECONDS):
            log.warning("feed_run_interrupted_at_shutdown")

    async def run_feed(self, hotspot: Hotspot, kind: FeedKind) -> FeedOutcome:
        """Read one feed now, after any run of it already in progress."""
        if self.store is None:
            self.store = await self.open_store()
        async with self._locks.setdefault(f"{hotspot.slug}.{kind}", asyncio.Lock()):
            run = build_feed_run(
                self.settings, hotspot, kind, store=self.store, publisher=self.publisher
            )
            return await run.run()

    async def _schedule(self) -> None:
        """A round of every feed each interval, counted from the start of the one before."""
        seconds = self.settings.feed_interval_seconds or self.settings.scrape_interval_seconds
        while not self._stop.is_set():
            next_round = utc_now() + timedelta(seconds=seconds)
            for hotspot, kind, _ in feeds_of(self.settings.hotspots):
                if self._stop.is_set():
                    return
                try:
                    await self.run_feed(hotspot, kind)
                except Exception:
                    log.exception("scheduled_feed_run_crashed", hotspot=hotspot.slug, feed=kind)
            wait = (next_round - utc_now()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), max(0.0, wait))

    async def health(self) -> dict[str, Any]:
        """The `feeds` section of the scraper's health report: each feed's last runs, and
        whether its last run failed (no section without feeds)."""
        feeds = feeds_of(self.settings.hotspots)
        if not feeds:
            return {}
        if self._health_store is None:  # its own: loading must not move the runs' revisions
            self._health_store = await self.open_store()
        rows = []
        for hotspot, kind, url in feeds:
            state = await self._health_store.load(hotspot.slug, kind)
            success, failure = state.last_success, state.last_failure
            failing = failure is not None and (
                success is None or failure.started_at > success.started_at
            )
            rows.append({
                "hotspot": hotspot.slug,
                "feed": kind,
                "url": url,
                "ok": not failing,
                "items": state.last_good_items,
                "last_success_at": success.finished_at.isoformat() if success else None,
                "last_failure_at": failure.finished_at.isoformat() if failure else None,
                "last_failure": failure.reason if failure else None,
            })  # fmt: skip
        return {"feeds": rows}


def feed_problems(section: object) -> list[str]:
    """One line per feed whose last run failed, from the health report's `feeds` section."""
    if not isinstance(section, list):
        return []
    return [
        f"feed {row['feed']} of {row['hotspot']} failing: {row['last_failure']}"
        for row in section
        if isinstance(row, dict) and row.get("ok") is False
    ]
