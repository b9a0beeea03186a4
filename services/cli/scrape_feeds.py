"""`impactoost scrape feeds --once [--hotspot SLUG] [--feed news|agenda] [--dry-run]`: read
the hotspots' feeds now, as the scraper's schedule would, and print each run's summary."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typer

from services.cli.errors import UsageError

FEED_KINDS = ("news", "agenda")


def scrape_feeds(
    label: str,
    hotspot: str | None,
    feed: str | None,
    *,
    once: bool,
    dry_run: bool,
    other_options: bool,
) -> None:
    """Run the chosen feeds once, one after the other; exit 1 when a run failed."""
    from services.cli.main import Service, service_settings
    from services.kit.logging import configure_logging
    from services.scraper.feeds.service import feeds_of
    from services.scraper.main import feed_once

    if label != "feeds":
        raise UsageError("--hotspot and --feed go with `scrape feeds`, not with a label")
    if other_options:
        raise UsageError("`scrape feeds` takes --once, --hotspot, --feed and --dry-run only")
    if not once:
        raise UsageError("add --once (the schedule runs in `impactoost serve scraper`)")
    if feed is not None and feed not in FEED_KINDS:
        raise UsageError(f"unknown feed {feed!r}; choose news or agenda")
    settings = service_settings(Service.scraper)
    configure_logging(settings.log_format, settings.log_level)
    chosen = [
        (h.slug, kind)
        for h, kind, _ in feeds_of(settings.hotspots)
        if hotspot in (None, h.slug) and feed in (None, kind)
    ]
    if not chosen:
        slugs = ", ".join(h.slug for h in settings.hotspots if h.has_feed) or "none"
        raise UsageError(f"no such feed in IMPACTOOST_HOTSPOTS_FILE (hotspots with feeds: {slugs})")

    async def run_all() -> list[Any]:
        return [await feed_once(settings, slug, kind, dry_run=dry_run) for slug, kind in chosen]

    outcomes = asyncio.run(run_all())
    for outcome in outcomes:
        typer.echo(json.dumps(outcome.summary(), ensure_ascii=False))
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        typer.echo(
            f"impactoost: error: feed {outcome.kind} of {outcome.hotspot} failed: {outcome.reason}",
            err=True,
        )
    if failed:
        raise typer.Exit(1)
