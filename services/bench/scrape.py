"""Scrape of the full demo population: bytes of a first run (empty scraper state) and of an
unchanged second run, which conditional requests and skipped profile pages should keep small.

Bytes are counted as the registries sent them (gzipped, as their hosts do), and decoded."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.labels import LABELS, LabelName
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.stack import nats_server

# The demo registries are local: read them at the highest rate the settings allow. Bytes do
# not depend on the rate; only the wall time of a run does.
REQUEST_RATE = 50.0


@dataclass(frozen=True)
class RunTotals:
    """One scrape of every registry, summed over the four labels."""

    bytes_received: int
    bytes_decoded: int
    pages_fetched: int
    not_modified: int
    seconds: float
    bytes_by_label: dict[str, int]
    decoded_by_label: dict[str, int]


@dataclass
class ScrapeFigures:
    """Bytes of the first and the second run, per repetition: received (on the wire, what
    the target is about) and decoded."""

    first: list[float] = field(default_factory=list)
    second: list[float] = field(default_factory=list)
    first_decoded: list[float] = field(default_factory=list)
    second_decoded: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def demo_registries() -> Iterator[dict[LabelName, Any]]:
    """The four demo registries serving the demo world's first step, by label."""
    from services.demo.timeline import Timeline
    from services.demo.world import World

    world = World()
    sites: dict[LabelName, Any] = {}
    try:
        for label in LABELS:
            module = importlib.import_module(f"services.demo.sites.{label}")
            sites[label] = getattr(module, f"start_{label}_site")(today=world.today)
        Timeline(world, sites)
        yield sites
    finally:
        for site in sites.values():
            with contextlib.suppress(Exception):
                site.stop()


async def measure_scrape(plan: Plan, folder: Path) -> ScrapeFigures:
    """Per repetition a fresh nats-server (so the scraper starts with no state), two runs."""
    figures = ScrapeFigures()
    runs: list[dict[str, Any]] = []
    with demo_registries() as sites:
        base_urls = {str(label): str(site.base_url) for label, site in sites.items()}
        for rep in range(plan.scrape_repetitions):
            async with nats_server(folder / f"scrape-{rep + 1}") as server:
                first = await _scrape_all(server.url, base_urls, folder)
                _forget_requests(sites)
                second = await _scrape_all(server.url, base_urls, folder)
            figures.first.append(first.bytes_received)
            figures.second.append(second.bytes_received)
            figures.first_decoded.append(first.bytes_decoded)
            figures.second_decoded.append(second.bytes_decoded)
            runs.append({"first": first.__dict__, "second": second.__dict__})
            sizes = (
                f"{first.bytes_received:,} B ({first.bytes_decoded:,} decoded), "
                f"then {second.bytes_received:,} B ({second.bytes_decoded:,} decoded)"
            )
            say(f"scrape: repetition {rep + 1}: {sizes}")
        fetched_again = _full_answers(sites)
    figures.details = {
        "runs": runs,
        "request_rate": REQUEST_RATE,
        "second_run_full_answers": fetched_again,
    }
    return figures


def _forget_requests(sites: dict[LabelName, Any]) -> None:
    for site in sites.values():
        site.clear_requests()


def _full_answers(sites: dict[LabelName, Any]) -> dict[str, list[str]]:
    """Per registry, the requests of the last run answered in full (200, not 304): where the
    second run's bytes come from."""
    return {
        label: [
            f"{r.method} {r.path} (conditional: {r.conditional})"
            for r in site.requests
            if r.status == 200
        ]
        for label, site in sites.items()
    }


async def _scrape_all(nats_url: str, base_urls: dict[str, str], folder: Path) -> RunTotals:
    """`impactoost scrape all --once`: every label at once, each polite to its own host."""
    from services.kit.settings import load_settings
    from services.scraper.config import ScraperSettings
    from services.scraper.main import scrape_once

    settings = load_settings(
        ScraperSettings,
        nats_url=nats_url,
        data_dir=folder,
        source="impactoost-bench",
        scrape_request_rate=REQUEST_RATE,
        **{f"{label}_base_url": url for label, url in base_urls.items()},
    )
    outcomes = await asyncio.gather(*(scrape_once(settings, label) for label in LABELS))
    failed = [f"{o.label}: {o.reason}" for o in outcomes if not o.ok]
    if failed:
        raise RuntimeError(f"scrape failed: {'; '.join(failed)}")
    return RunTotals(
        bytes_received=sum(o.stats.bytes_received for o in outcomes),
        bytes_decoded=sum(o.bytes_decoded for o in outcomes),
        pages_fetched=sum(o.stats.pages_fetched for o in outcomes),
        not_modified=sum(o.stats.not_modified for o in outcomes),
        seconds=max(o.stats.duration_seconds for o in outcomes),
        bytes_by_label={o.label: o.stats.bytes_received for o in outcomes},
        decoded_by_label={o.label: o.bytes_decoded for o in outcomes},
    )
