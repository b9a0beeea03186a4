"""Runs for a deployment adopting a real registry: record one (`scrape --record`), replay one.

A recording made against the real site can be replayed in tests (and by whoever adapts an
adapter) through exactly the adapter code the service runs, on exactly the bytes received.
"""

from __future__ import annotations

from pathlib import Path

from contracts.labels import LabelName
from services.kit.dutch import dutch_date_of
from services.scraper.config import ScraperSettings
from services.scraper.http import HttpPolicy
from services.scraper.main import scrape_once
from services.scraper.outcome import RunOutcome
from services.scraper.recording import INDEX, RecordingTransport, write_recording
from services.scraper.replay import Recording, ReplayTransport, load_recording
from services.scraper.runner import ScrapeRun
from services.scraper.sources import build_source
from services.scraper.state import FakeStateStore


def check_record_directory(directory: Path) -> None:
    """FileExistsError when `directory` already holds a recording (never mix two runs)."""
    if (directory / INDEX).exists():
        raise FileExistsError(f"{directory} already holds a recording ({INDEX}); choose another")


async def record_run(
    settings: ScraperSettings,
    label: LabelName,
    directory: Path,
    *,
    base_url: str | None = None,
    dry_run: bool = False,
) -> RunOutcome:
    """One run of `label` as `scrape_once` does it, every exchange stored under `directory`."""
    check_record_directory(directory)
    transport = RecordingTransport()
    outcome = await scrape_once(
        settings, label, base_url=base_url, dry_run=dry_run, transport=transport
    )
    write_recording(
        directory,
        transport.exchanges,
        {
            "label": label,
            "base_url": (base_url or settings.base_url(label)).rstrip("/"),
            "started_at": outcome.started_at.isoformat(),
            "today": dutch_date_of(outcome.started_at).isoformat(),
            "dry_run": dry_run,
            "outcome": outcome.summary(),
        },
    )
    return outcome


def replay_policy(settings: ScraperSettings) -> HttpPolicy:
    """The settings' HTTP policy without waiting: nothing goes over a network."""
    policy = settings.http_policy()
    return HttpPolicy(
        user_agent=policy.user_agent,
        requests_per_second=1000.0,
        max_attempts=policy.max_attempts,
        backoff_seconds=0.0,
        max_backoff_seconds=0.0,
        max_retry_after_seconds=policy.max_retry_after_seconds,
        timeout_seconds=policy.timeout_seconds,
    )


async def replay_run(
    recording: Recording | Path, settings: ScraperSettings | None = None
) -> tuple[RunOutcome, ReplayTransport]:
    """The recorded run again, dry, on its recorded date; with the transport, whose `misses`
    and `unused` show where this run went another way than the recorded one."""
    if isinstance(recording, Path):
        recording = load_recording(recording)
    settings = settings or ScraperSettings()
    label = recording.label
    transport = ReplayTransport(list(recording.exchanges))
    run = ScrapeRun(
        source=build_source(label, recording.base_url, settings.listing_policy.for_label(label)),
        store=FakeStateStore(),
        publisher=None,
        policy=replay_policy(settings),
        event_source=settings.source,
        min_holdings_ratio=settings.scrape_min_holdings_ratio,
        transport=transport,
        clock=lambda: recording.started_at,
    )
    return await run.run(recording.today), transport
