"""`impactoost scrape <label>|all --once`, `scrape <label> --record DIR`, `scrape <label>
--check` and `impactoost scrape status`."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from services.cli.errors import UsageError

if TYPE_CHECKING:
    from contracts.labels import LabelName

_BASE_URL = re.compile(r"^https?://[^\s/]+(:\d+)?/?$")


def scrape_label(
    label: str, *, once: bool, base_url: str | None, dry_run: bool, as_json: bool
) -> None:
    """Run one scrape of `label` (or of every label: `all`); exit 1 when a run failed."""
    from services.cli.main import Service, service_settings
    from services.kit.logging import configure_logging
    from services.scraper.main import scrape_once
    from services.scraper.sources import supported_labels

    labels = _check_arguments(label, once, base_url, dry_run, as_json, supported_labels())
    settings = service_settings(Service.scraper)
    configure_logging(settings.log_format, settings.log_level)

    async def run_all() -> list[Any]:
        # Each label is its own host: runs go side by side, each polite towards its own host.
        return list(
            await asyncio.gather(
                *(scrape_once(settings, one, base_url=base_url, dry_run=dry_run) for one in labels)
            )
        )

    outcomes = asyncio.run(run_all())
    _print_outcomes(outcomes, as_json)
    _exit_on_failures(outcomes)


def _print_outcomes(outcomes: list[Any], as_json: bool) -> None:
    from services.scraper.outcome import observation_line

    for outcome in outcomes:
        if as_json:
            for observation in outcome.observations:
                typer.echo(observation_line(observation))
        else:
            typer.echo(json.dumps(outcome.summary(), ensure_ascii=False))


def _exit_on_failures(outcomes: list[Any]) -> None:
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        typer.echo(
            f"impactoost: error: scrape of {outcome.label} failed: {outcome.reason}", err=True
        )
    if failed:
        raise typer.Exit(1)


def record_label(
    label: str, directory: Path, *, base_url: str | None, dry_run: bool, as_json: bool
) -> None:
    """Run `label` once, storing every exchange under `directory`; exit 1 when the run failed."""
    from services.cli.main import Service, service_settings
    from services.kit.logging import configure_logging
    from services.scraper.recorded_runs import check_record_directory, record_run
    from services.scraper.sources import supported_labels

    if label == "all":
        raise UsageError("--record stores one registry's run: give a label, not `all`")
    (one,) = _check_arguments(label, True, base_url, dry_run, as_json, supported_labels())
    try:
        check_record_directory(directory)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    settings = service_settings(Service.scraper)
    configure_logging(settings.log_format, settings.log_level)
    outcome = asyncio.run(record_run(settings, one, directory, base_url=base_url, dry_run=dry_run))
    _print_outcomes([outcome], as_json)
    typer.echo(f"recorded into {directory}", err=True)
    _exit_on_failures([outcome])


def check_label(label: str, *, base_url: str | None, other_options: bool) -> None:
    """Print which page elements `label`'s adapter finds at its registry; exit 1 when an
    essential one is missing. Publishes nothing and never connects to NATS."""
    from services.cli.main import Service, service_settings
    from services.kit.logging import configure_logging
    from services.scraper.check import check_registry
    from services.scraper.sources import supported_labels

    if other_options:
        raise UsageError("--check goes alone (with --base-url at most)")
    if label == "all":
        raise UsageError("--check looks at one registry: give a label, not `all`")
    (one,) = _check_arguments(label, True, base_url, False, False, supported_labels())
    settings = service_settings(Service.scraper)
    configure_logging(settings.log_format, settings.log_level)
    report = asyncio.run(check_registry(settings, one, base_url=base_url))
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


def print_status() -> None:
    """Print, per label, the last successful run, the next run and the last failure."""
    from services.cli.main import Service, service_settings
    from services.scraper.status import read_status

    settings = service_settings(Service.scraper)
    rows = [("label", "last success", "holdings", "counting", "next run", "last failure")]
    for status in asyncio.run(read_status(settings)):
        success, failure = status.last_success, status.last_failure
        rows.append((
            status.label,
            _when(success.finished_at if success else None),
            str(status.holdings) if success else "-",
            str(status.counting) if success else "-",
            _when(status.next_run_at),
            f"{_when(failure.finished_at)}: {failure.reason}" if failure else "-",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[-1]]))


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _check_arguments(
    label: str,
    once: bool,
    base_url: str | None,
    dry_run: bool,
    as_json: bool,
    labels: tuple[LabelName, ...],
) -> tuple[LabelName, ...]:
    if label != "all" and label not in labels:
        choices = ", ".join([*labels, "all", "status"])
        raise UsageError(f"unknown label {label!r}; choose one of: {choices}")
    if not once:
        raise UsageError("add --once (the schedule runs in `impactoost serve scraper`)")
    if as_json and not dry_run:
        raise UsageError("--json prints observations and goes with --dry-run")
    if base_url is not None and label == "all":
        raise UsageError("--base-url names one registry: give a label, not `all`")
    if base_url is not None and not _BASE_URL.match(base_url):
        raise UsageError(f"invalid --base-url {base_url!r}: expected http(s)://host[:port]")
    return tuple(one for one in labels if label in ("all", one))
