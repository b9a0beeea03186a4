"""One run of one hotspot feed: fetch, parse, judge, detect, publish each event awaiting its
ack, then remember.

A failed run (HTTP error, 404/410, no feed, unparseable, far fewer items than before)
publishes nothing, keeps what it knew and records why, so it never withdraws or cancels. A
successful run publishes every event before it saves the state: a crash in between re-emits
the same ids next run, which JetStream drops as duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import structlog

from contracts.agenda import AgendaEvent
from contracts.base import utc_now
from contracts.news import NewsEvent, NewsPublished, NewsUpdated, NewsWithdrawn
from contracts.subjects import AGENDA_STREAM, NEWS_STREAM, agenda_subject, news_subject
from services.scraper.errors import ScrapeError
from services.scraper.feeds.detect import (
    AgendaDetection,
    EventMeta,
    NewsDetection,
    detect_agenda,
    detect_news,
    is_over,
)
from services.scraper.feeds.fetch import feed_http_client, fetch_feed
from services.scraper.feeds.items import MAX_LOGGED_WARNINGS, FeedKind
from services.scraper.feeds.parse_agenda import parse_agenda
from services.scraper.feeds.parse_news import parse_news
from services.scraper.feeds.state import FeedState, FeedStateStore
from services.scraper.http import HttpPolicy, PoliteClient
from services.scraper.runner import EventPublisher
from services.scraper.state import RunInfo

log = structlog.get_logger()


class TooFewItems(ScrapeError):
    """A feed read far fewer items than it held before: more likely broken than true."""


@dataclass
class FeedOutcome:
    """What one feed run did, for the log, the health report and the CLI."""

    hotspot: str
    kind: FeedKind
    url: str
    started_at: datetime
    ok: bool
    reason: str | None = None
    items: int = 0
    events: list[NewsEvent | AgendaEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages_fetched: int = 0
    not_modified: int = 0

    def summary(self) -> dict[str, object]:
        """A small JSON-able account of the run."""
        kinds = [event.kind for event in self.events]
        return {
            "hotspot": self.hotspot,
            "feed": self.kind,
            "ok": self.ok,
            "reason": self.reason,
            "started_at": self.started_at.isoformat(),
            "items": self.items,
            **{kind: kinds.count(kind) for kind in sorted(set(kinds))},
            "warnings": len(self.warnings),
            "pages_fetched": self.pages_fetched,
            "not_modified": self.not_modified,
        }


@dataclass
class AgendaWindow:
    """Which occurrences an agenda run expands: from `days_back` ago to `days_ahead` on."""

    days_back: int = 60
    days_ahead: int = 365

    def around(self, now: datetime) -> tuple[datetime, datetime]:
        """The window's start and end around `now`."""
        return now - timedelta(days=self.days_back), now + timedelta(days=self.days_ahead)


@dataclass
class FeedRun:
    """Everything one feed run needs; `publisher=None` is a dry run (nothing published or
    saved)."""

    hotspot: str
    kind: FeedKind
    url: str
    store: FeedStateStore
    publisher: EventPublisher | None
    policy: HttpPolicy
    event_source: str
    min_items_ratio: float = 0.5
    absent_runs: int = 2
    window: AgendaWindow = field(default_factory=AgendaWindow)
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], datetime] = utc_now

    async def run(self) -> FeedOutcome:
        """Read the feed once and publish what changed."""
        started_at = self.clock()
        state = await self.store.load(self.hotspot, self.kind)
        outcome = FeedOutcome(self.hotspot, self.kind, self.url, started_at, ok=False)
        with structlog.contextvars.bound_contextvars(hotspot=self.hotspot, feed=self.kind):
            async with feed_http_client(self.policy, self.kind, self.transport) as http:
                client = PoliteClient(http, self.policy, cache_in=state.http_cache)
                try:
                    detection, count = await self._read(client, state, started_at, outcome)
                except ScrapeError as exc:
                    return await self._failed(state, outcome, client, exc.reason)
                except Exception as exc:  # a parser bug must fail the run, never withdraw
                    log.exception("feed_run_crashed")
                    reason = f"unexpected error: {type(exc).__name__}: {exc}"
                    return await self._failed(state, outcome, client, reason)
            await self._succeeded(state, outcome, detection, client, count)
        return outcome

    async def _read(
        self, client: PoliteClient, state: FeedState, now: datetime, outcome: FeedOutcome
    ) -> tuple[NewsDetection | AgendaDetection, int]:
        page = await fetch_feed(client, self.url)
        meta = EventMeta(occurred_at=now, source=self.event_source)
        found = (
            self._news(page.text, state, meta, outcome)
            if self.kind == "news"
            else self._agenda(page.text, state, meta, outcome)
        )
        outcome.warnings.extend(client.warnings)
        for warning in outcome.warnings[:MAX_LOGGED_WARNINGS]:
            log.warning("feed_entry_warning", warning=warning)
        return found

    def _news(
        self, text: str, state: FeedState, meta: EventMeta, outcome: FeedOutcome
    ) -> tuple[NewsDetection, int]:
        now = meta.occurred_at
        first_seen = {key: m.item.published_at for key, m in state.news.items()}
        news = parse_news(text, self.url, self.hotspot, first_seen=first_seen, now=now)
        outcome.warnings = list(news.warnings)
        self._judge(len(news.items), state.last_good_items or 0, "items")
        detection = detect_news(state.news, news.items, meta, absent_runs=self.absent_runs)
        return detection, len(news.items)

    def _agenda(
        self, text: str, state: FeedState, meta: EventMeta, outcome: FeedOutcome
    ) -> tuple[AgendaDetection, int]:
        """Agenda items end by themselves, so the guard counts the upcoming ones only: what
        the last good run knew to be still ahead, against what this one reads ahead."""
        now = meta.occurred_at
        window = self.window.around(now)
        agenda = parse_agenda(text, self.url, self.hotspot, window=window)
        outcome.warnings = list(agenda.warnings)
        count = sum(1 for item in agenda.items if not is_over(item, now))
        known = state.agenda.values()
        expected = sum(1 for m in known if m.status == "scheduled" and not is_over(m.item, now))
        self._judge(count, expected, "upcoming items")
        detection = detect_agenda(
            state.agenda,
            agenda.items,
            agenda.cancelled,
            meta,
            now=now,
            window=window,
            absent_runs=self.absent_runs,
        )
        return detection, count

    def _judge(self, count: int, expected: int, what: str) -> None:
        if count < self.min_items_ratio * expected:
            raise TooFewItems(
                f"only {count} {what} read, {expected} expected from the last good run "
                f"(minimum ratio {self.min_items_ratio})"
            )

    async def _succeeded(
        self,
        state: FeedState,
        outcome: FeedOutcome,
        detection: NewsDetection | AgendaDetection,
        client: PoliteClient,
        count: int,
    ) -> None:
        for event in detection.events:
            await self._publish(event)
        info = RunInfo(started_at=outcome.started_at, finished_at=self.clock(), holdings=count)
        update: dict[str, object] = {
            "http_cache": client.cache_out,
            "last_good_items": count,
            "last_success": info,
        }
        if isinstance(detection, NewsDetection):
            update["news"] = detection.memory
        else:
            update["agenda"] = detection.memory
        if self.publisher is not None:
            await self.store.save(state.model_copy(update=update))
        outcome.ok, outcome.items, outcome.events = True, count, list(detection.events)
        outcome.pages_fetched = client.counters.pages_fetched
        outcome.not_modified = client.counters.not_modified
        kinds = [event.kind for event in detection.events]
        log.info(
            "feed_run_completed",
            items=count,
            events={kind: kinds.count(kind) for kind in set(kinds)},
            warnings=len(outcome.warnings),
            not_modified=client.counters.not_modified,
        )

    async def _failed(
        self, state: FeedState, outcome: FeedOutcome, client: PoliteClient, reason: str
    ) -> FeedOutcome:
        log.warning("feed_run_failed", url=self.url, reason=reason)
        outcome.reason = reason[:2000]
        outcome.pages_fetched = client.counters.pages_fetched
        outcome.not_modified = client.counters.not_modified
        if self.publisher is not None:
            info = RunInfo(
                started_at=outcome.started_at, finished_at=self.clock(), reason=outcome.reason
            )
            await self.store.save(state.model_copy(update={"last_failure": info}))
        return outcome

    async def _publish(self, event: NewsEvent | AgendaEvent) -> None:
        if self.publisher is None:
            return
        if isinstance(event, NewsPublished | NewsUpdated | NewsWithdrawn):
            subject = news_subject(self.hotspot, event.kind)
            await self.publisher.publish(subject, event, NEWS_STREAM)
        else:
            subject = agenda_subject(self.hotspot, event.kind)
            await self.publisher.publish(subject, event, AGENDA_STREAM)
