"""One scrape run of demo registries at the bench's rate, counted as each registry answered it:
requests (robots.txt included) and bytes on the wire (status lines, headers and bodies, gzipped
as their hosts send them); beside them the bodies as the scraper received and decoded them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.labels import LABELS, LabelName
from services.scraper.outcome import RunOutcome

# The demo registries are local: read them at the highest rate the settings allow. Bytes and
# requests do not depend on the rate; a polite run's duration is computed (scrape_cost.py).
BENCH_REQUEST_RATE = 50.0


@dataclass(frozen=True)
class RegistryRun:
    """One run of one registry, as that registry answered it."""

    requests: int
    bytes_on_wire: int
    body_bytes: int
    bytes_decoded: int
    not_modified: int
    seconds: float
    full_answers: tuple[str, ...] = ()


async def scrape_registries(
    nats_url: str, sites: dict[LabelName, Any], folder: Path, labels: tuple[LabelName, ...] = LABELS
) -> dict[LabelName, RegistryRun]:
    """`impactoost scrape all --once` at the bench's rate: every label at once, each polite to
    its own host; per label what its registry answered."""
    runs = await asyncio.gather(*(scrape_label(nats_url, sites, folder, label) for label in labels))
    return {label: run for label, (run, _) in zip(labels, runs, strict=True)}


async def scrape_label(
    nats_url: str, sites: dict[LabelName, Any], folder: Path, label: LabelName
) -> tuple[RegistryRun, RunOutcome]:
    """One run of `label` (publishing to `nats_url`), and the scraper's own outcome of it."""
    from services.scraper.main import scrape_once

    site = sites[label]
    site.clear_requests()
    outcome = await scrape_once(bench_settings(nats_url, sites, folder), label)
    if not outcome.ok:
        raise RuntimeError(f"scrape of {label} failed: {outcome.reason}")
    run = RegistryRun(
        requests=len(site.requests),
        bytes_on_wire=sum(r.bytes_sent for r in site.requests),
        body_bytes=outcome.stats.bytes_received,
        bytes_decoded=outcome.bytes_decoded,
        not_modified=outcome.stats.not_modified,
        seconds=outcome.stats.duration_seconds,
        full_answers=full_answers(site.requests),
    )
    return run, outcome


def bench_settings(nats_url: str, sites: dict[LabelName, Any], folder: Path) -> Any:
    """The scraper's settings for the bench's runs: its NATS, the demo registries, full speed."""
    from services.kit.settings import load_settings
    from services.scraper.config import ScraperSettings

    return load_settings(
        ScraperSettings,
        nats_url=nats_url,
        data_dir=folder,
        source="impactoost-bench",
        scrape_request_rate=BENCH_REQUEST_RATE,
        **{f"{label}_base_url": str(site.base_url) for label, site in sites.items()},
    )


def full_answers(requests: Any) -> tuple[str, ...]:
    """The kinds of request a run had answered in full (200, not 304) and how many of each:
    where an unchanged run's bytes come from. Profile pages count under their folder."""
    counts: dict[str, int] = {}
    for r in requests:
        if r.status != 200:
            continue
        path = r.path.split("?")[0]
        segments = [s for s in path.split("/") if s]
        if r.method == "GET" and len(segments) >= 2:
            path = f"/{segments[0]}/*"
        kind = f"{r.method} {path}"
        counts[kind] = counts.get(kind, 0) + 1
    return tuple(f"{kind} ×{n}" for kind, n in sorted(counts.items()))
