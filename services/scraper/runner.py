"""One scrape run of one label: fetch, judge, detect, publish in order, then remember.

A failed run publishes ScrapeFailed and keeps the holdings it knew, so it never lapses
anything. A successful run publishes every label event (each acked) before it saves the new
state: a crash in between re-emits the same event ids next run, which JetStream and the
consumers recognise as duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import httpx
import structlog

from contracts.base import Event, deterministic_id, utc_now
from contracts.scrapes import ScrapeCompleted, ScrapeFailed, ScrapeStats
from contracts.subjects import (
    LABELS_STREAM,
    SCRAPES_STREAM,
    StreamSpec,
    label_subject,
    scrape_subject,
)
from services.kit.dutch import dutch_date_of
from services.kit.failpoints import hit as hit_failpoint
from services.scraper.detect import Detection, detect_changes
from services.scraper.errors import ScrapeError, TooFewHoldings
from services.scraper.http import (
    CachedPage,
    FetchCounters,
    HttpPolicy,
    PoliteClient,
    make_http_client,
)
from services.scraper.outcome import RunOutcome
from services.scraper.sources.base import KnownHolding, Source, SourceResult
from services.scraper.state import RunInfo, ScraperState, StateStore

log = structlog.get_logger()
MAX_LOGGED_WARNINGS = 50


class EventPublisher(Protocol):
    """Publishes one event and returns once the stream has acknowledged it."""

    async def publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        """Publish `event` on `subject` in `stream`, awaiting the ack."""
        ...


@dataclass
class ScrapeRun:
    """Everything one run needs; `publisher=None` is a dry run (nothing published or saved)."""

    source: Source
    store: StateStore
    publisher: EventPublisher | None
    policy: HttpPolicy
    event_source: str
    min_holdings_ratio: float = 0.5
    absent_runs_to_lapse: int = 1
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], datetime] = utc_now
    failpoints: frozenset[str] = frozenset()
    next_run: Callable[[], datetime | None] = lambda: None

    async def run(self, today: date | None = None) -> RunOutcome:
        """Scrape the source once and publish what changed."""
        started_at, began = self.clock(), time.monotonic()
        today = today or dutch_date_of(started_at)
        state = await self.store.load(self.source.label)
        with structlog.contextvars.bound_contextvars(label=self.source.label):
            async with make_http_client(self.policy, self.transport) as http:
                client = PoliteClient(http, self.policy, cache_in=state.http_cache)
                try:
                    result = await self._fetch(client, today, state)
                except ScrapeError as exc:
                    stats = _stats(client.counters, None, began)
                    failed = await self._failed(state, started_at, exc.reason, stats)
                    failed.bytes_decoded = client.counters.bytes_decoded
                    return failed
            stats = _stats(client.counters, result, began)
            detection = detect_changes(
                state.holdings,
                result.observations,
                today,
                occurred_at=started_at,
                source=self.event_source,
                absent_runs_to_lapse=self.absent_runs_to_lapse,
            )
            await self._succeeded(state, started_at, detection, client.cache_out, stats, result)
        return RunOutcome(
            label=self.source.label,
            started_at=started_at,
            ok=True,
            stats=stats,
            bytes_decoded=client.counters.bytes_decoded,
            observations=result.observations,
            events=detection.events,
            warnings=result.warnings,
            request_shapes=result.request_shapes,
        )

    async def _fetch(self, client: PoliteClient, today: date, state: ScraperState) -> SourceResult:
        try:
            result = await self.source.fetch(client, today, _known(state))
        except ScrapeError:
            raise
        except Exception as exc:  # a parser bug must fail the run, never lapse holdings
            log.exception("scrape_crashed")
            raise ScrapeError(f"unexpected error: {type(exc).__name__}: {exc}") from exc
        result.warnings.extend(client.warnings)
        for warning in result.warnings[:MAX_LOGGED_WARNINGS]:
            log.warning("entry_warning", warning=warning)
        last_good = state.last_good_holdings or 0
        if len(result.observations) < self.min_holdings_ratio * last_good:
            raise TooFewHoldings(
                f"only {len(result.observations)} holdings read, the last good run had "
                f"{last_good} (minimum ratio {self.min_holdings_ratio})"
            )
        # Every holding read, but far fewer count: a registry that renamed its statuses, or a
        # typo in the listing policy, must not lapse everyone. A policy narrowed on purpose
        # goes through once IMPACTOOST_SCRAPE_MIN_HOLDINGS_RATIO is lowered for a run.
        counting = sum(1 for o in result.observations if o.counts)
        last_counting = state.last_good_counting or 0
        if counting < self.min_holdings_ratio * last_counting:
            raise TooFewHoldings(
                f"only {counting} of {len(result.observations)} holdings count, the last good "
                f"run had {last_counting} counting (minimum ratio {self.min_holdings_ratio})"
            )
        return result

    async def _succeeded(
        self,
        state: ScraperState,
        started_at: datetime,
        detection: Detection,
        cache: dict[str, CachedPage],
        stats: ScrapeStats,
        result: SourceResult,
    ) -> None:
        label = self.source.label
        for event in detection.events:
            await self._publish(label_subject(label, event.kind), event, LABELS_STREAM)
        hit_failpoint("scraper.after_publish", self.failpoints)
        info = RunInfo(started_at=started_at, finished_at=self.clock(), holdings=stats.holdings)
        new_state = state.model_copy(
            update={
                "holdings": detection.holdings,
                "http_cache": cache,
                "cards": result.cards,
                "last_good_holdings": stats.holdings,
                "last_good_counting": stats.counting,
                "last_success": info,
                "next_run_at": self.next_run(),
            }
        )
        if self.publisher is not None:
            await self.store.save(new_state)
        kinds = [e.kind for e in detection.events]
        completed = ScrapeCompleted(
            event_id=deterministic_id(label, "completed", started_at.isoformat()),
            occurred_at=self.clock(),
            source=self.event_source,
            label=label,
            started_at=started_at,
            stats=stats,
            granted=kinds.count("granted"),
            changed=kinds.count("changed"),
            lapsed=kinds.count("lapsed"),
            next_run_at=new_state.next_run_at,
        )
        await self._publish(scrape_subject(label, "completed"), completed, SCRAPES_STREAM)
        log.info(
            "scrape_completed",
            holdings=stats.holdings,
            counting=stats.counting,
            granted=completed.granted,
            changed=completed.changed,
            lapsed=completed.lapsed,
            pages_fetched=stats.pages_fetched,
            not_modified=stats.not_modified,
            request_shapes=result.request_shapes,
        )

    async def _failed(
        self, state: ScraperState, started_at: datetime, reason: str, stats: ScrapeStats
    ) -> RunOutcome:
        label = self.source.label
        log.error("scrape_failed", reason=reason, pages_fetched=stats.pages_fetched)
        failed = ScrapeFailed(
            event_id=deterministic_id(label, "failed", started_at.isoformat()),
            occurred_at=self.clock(),
            source=self.event_source,
            label=label,
            started_at=started_at,
            reason=reason[:2000],
            stats=stats,
            next_run_at=self.next_run(),
        )
        await self._publish(scrape_subject(label, "failed"), failed, SCRAPES_STREAM)
        if self.publisher is not None:
            info = RunInfo(started_at=started_at, finished_at=self.clock(), reason=reason)
            update = {"last_failure": info, "next_run_at": failed.next_run_at}
            await self.store.save(state.model_copy(update=update))
        return RunOutcome(label=label, started_at=started_at, ok=False, stats=stats, reason=reason)

    async def _publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        if self.publisher is not None:
            await self.publisher.publish(subject, event, stream)


def _stats(counters: FetchCounters, result: SourceResult | None, began: float) -> ScrapeStats:
    observations = result.observations if result else []
    return ScrapeStats(
        pages_fetched=counters.pages_fetched,
        not_modified=counters.not_modified,
        bytes_received=counters.bytes_received,
        holdings=len(observations),
        counting=sum(1 for o in observations if o.counts),
        warnings=len(result.warnings) if result else 0,
        duration_seconds=round(time.monotonic() - began, 3),
    )


def _known(state: ScraperState) -> dict[str, KnownHolding]:
    """What the last successful run read, for adapters that skip unchanged profile pages."""
    return {
        holding_id: KnownHolding(card, state.holdings[holding_id].observation)
        for holding_id, card in state.cards.items()
        if holding_id in state.holdings
    }
