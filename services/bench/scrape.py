"""Scrape of four demo registries of `plan.scrape_holdings` holdings each: per registry the
requests and bytes of a first run (empty scraper state) and of an unchanged run, what that
costs per day at the scraper's configured cadence, and how long a change takes to reach the
buyers' page (scrape_change.py).

Requests and bytes are counted as each registry answered them (scrape_runs.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.labels import LABELS, LabelName
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.scrape_change import ChangeTrip, measure_changes
from services.bench.scrape_runs import BENCH_REQUEST_RATE, RegistryRun, scrape_registries
from services.bench.stack import nats_server


@dataclass
class RegistryFigures:
    """One registry's first and unchanged runs, one of each per repetition."""

    first: list[RegistryRun] = field(default_factory=list)
    unchanged: list[RegistryRun] = field(default_factory=list)


@dataclass(frozen=True)
class Cadence:
    """The scraper's configured schedule and politeness (its settings, as deployed)."""

    interval_seconds: float
    requests_per_second: float
    absent_runs_to_lapse: int


@dataclass
class ScrapeFigures:
    """Everything the scrape step measured, for rows.py."""

    holdings: int
    cadence: Cadence
    registries: dict[str, RegistryFigures] = field(default_factory=dict)
    changes: list[ChangeTrip] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def configured_cadence() -> Cadence:
    """The cadence `impactoost serve scraper` would run with here (IMPACTOOST_… or defaults)."""
    from services.kit.settings import load_settings
    from services.scraper.config import ScraperSettings

    settings = load_settings(ScraperSettings)
    return Cadence(
        interval_seconds=settings.scrape_interval_seconds,
        requests_per_second=settings.scrape_request_rate,
        absent_runs_to_lapse=settings.scrape_absent_runs_to_lapse,
    )


async def measure_scrape(plan: Plan, folder: Path) -> ScrapeFigures:
    """Per repetition a fresh nats-server (the scraper starts with no state): a first and an
    unchanged run of every registry; then the change-to-page trips against running services."""
    from services.demo.sites.scaled import scaled_registries

    figures = ScrapeFigures(plan.scrape_holdings, configured_cadence())
    say(f"scrape: four registries of {plan.scrape_holdings:,} holdings, cadence {figures.cadence}")
    with scaled_registries(plan.scrape_holdings) as sites:
        for rep in range(plan.scrape_repetitions):
            async with nats_server(folder / f"scrape-{rep + 1}") as server:
                first = await scrape_registries(server.url_for("scraper"), sites, folder)
                unchanged = await scrape_registries(server.url_for("scraper"), sites, folder)
            for label in LABELS:
                runs = figures.registries.setdefault(label, RegistryFigures())
                runs.first.append(first[label])
                runs.unchanged.append(unchanged[label])
            say(f"scrape: repetition {rep + 1}: " + _sizes(first, unchanged))
        figures.changes = await measure_changes(plan, folder / "change", sites["pso"])
    figures.details = {"bench_request_rate": BENCH_REQUEST_RATE}
    return figures


def _sizes(first: dict[LabelName, RegistryRun], unchanged: dict[LabelName, RegistryRun]) -> str:
    return "; ".join(
        f"{label} {first[label].bytes_on_wire:,} B then {unchanged[label].bytes_on_wire:,} B"
        for label in LABELS
    )
