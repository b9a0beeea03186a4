"""`impactoost scrape <label> --once`: one run, printed as a summary or as observations."""

from __future__ import annotations

import asyncio
import json
import re

import typer

from services.cli.errors import UsageError

_BASE_URL = re.compile(r"^https?://[^\s/]+(:\d+)?/?$")


def scrape_label(
    label: str, *, once: bool, base_url: str | None, dry_run: bool, as_json: bool
) -> None:
    """Run one scrape of `label`; exit 1 when the run failed."""
    from services.cli.main import Service, service_settings
    from services.kit.logging import configure_logging
    from services.scraper.main import scrape_once
    from services.scraper.outcome import observation_line
    from services.scraper.sources import supported_labels

    _check_arguments(label, once, base_url, dry_run, as_json, supported_labels())
    settings = service_settings(Service.scraper)
    configure_logging(settings.log_format, settings.log_level)
    outcome = asyncio.run(
        scrape_once(
            settings,
            label,  # type: ignore[arg-type]
            base_url=base_url,
            dry_run=dry_run,
        )
    )
    if as_json:
        for observation in outcome.observations:
            typer.echo(observation_line(observation))
    else:
        typer.echo(json.dumps(outcome.summary(), ensure_ascii=False))
    if not outcome.ok:
        typer.echo(f"impactoost: error: scrape of {label} failed: {outcome.reason}", err=True)
        raise typer.Exit(1)


def _check_arguments(
    label: str,
    once: bool,
    base_url: str | None,
    dry_run: bool,
    as_json: bool,
    labels: tuple[str, ...] | list[str],
) -> None:
    if label not in labels:
        raise UsageError(f"unknown label {label!r}; choose one of: {', '.join(labels)}")
    if not once:
        raise UsageError("add --once (the schedule runs in `impactoost serve scraper`)")
    if as_json and not dry_run:
        raise UsageError("--json prints observations and goes with --dry-run")
    if base_url is not None and not _BASE_URL.match(base_url):
        raise UsageError(f"invalid --base-url {base_url!r}: expected http(s)://host[:port]")
