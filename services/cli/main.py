"""`impactoost`: run the platform, one service, one scrape, or write the AsyncAPI documents.

Each command builds its settings at call time and imports the service it needs lazily, so a
command never pays for (or breaks on) services it does not use.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from services.cli.demo import demo_app
from services.cli.dlq import dlq_app
from services.cli.errors import UsageError, fail_cleanly
from services.cli.health import health
from services.cli.nats import nats_app, region_app
from services.cli.registry import registry_app

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="impactoost: enterprises listed only while they hold a social label.",
)


class Service(StrEnum):
    """The four services."""

    scraper = "scraper"
    registry = "registry"
    notifier = "notifier"
    gateway = "gateway"


_SETTINGS = {
    Service.scraper: "ScraperSettings",
    Service.registry: "RegistrySettings",
    Service.notifier: "NotifierSettings",
    Service.gateway: "GatewaySettings",
}


def service_settings(service: Service, **overrides: Any) -> Any:
    """Build a service's settings from the environment (and overrides)."""
    from services.kit.settings import load_settings

    config = importlib.import_module(f"services.{service.value}.config")
    return load_settings(getattr(config, _SETTINGS[service]), **overrides)


@app.command()
@fail_cleanly
def serve(service: Service) -> None:
    """Run one service as its own process until SIGINT or SIGTERM."""
    from services.kit.logging import configure_logging

    settings = service_settings(service)
    configure_logging(settings.log_format, settings.log_level)
    main = importlib.import_module(f"services.{service.value}.main")
    asyncio.run(main.serve(settings))


app.command()(health)
app.add_typer(demo_app, name="demo")
app.add_typer(registry_app, name="registry")
app.add_typer(nats_app, name="nats")
app.add_typer(region_app, name="region")
app.add_typer(dlq_app, name="dlq")


@app.command()
@fail_cleanly
def up(
    data_dir: Annotated[Path, typer.Option(help="Where the platform keeps its data")] = Path("var"),
    port: Annotated[int, typer.Option(help="Port of the buyers' web page")] = 8000,
) -> None:
    """Run the whole platform against the configured real label registries."""
    from services.demo.run import run_platform

    raise typer.Exit(run_platform(data_dir=data_dir, gateway_port=port, demo_sites=False))


@app.command()
@fail_cleanly
def scrape(
    label: Annotated[str, typer.Argument(help="pso, codeso, senl, cedris, all, status, or feeds")],
    once: Annotated[bool, typer.Option("--once", help="Run one scrape and exit")] = False,
    base_url: Annotated[str | None, typer.Option(help="Registry base URL")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Publish nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One observation per line")] = False,
    record: Annotated[
        Path | None,
        typer.Option(help="Run once and store every request and answer in this directory"),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Show which page elements the adapter finds; no NATS"),
    ] = False,
    hotspot: Annotated[
        str | None, typer.Option(help="With `feeds`: only this hotspot's feeds (its slug)")
    ] = None,
    feed: Annotated[
        str | None, typer.Option(help="With `feeds`: only its `news` or its `agenda` feed")
    ] = None,
) -> None:
    """Scrape label registries once, record a run, check a registry's pages, show each
    registry's status (`scrape status`), or read the hotspots' feeds once (`scrape feeds`)."""
    from services.cli.scrape import check_label, print_status, record_label, scrape_label
    from services.cli.scrape_feeds import scrape_feeds

    if label == "feeds" or hotspot is not None or feed is not None:
        unusable = bool(base_url or as_json or record or check)
        scrape_feeds(label, hotspot, feed, once=once, dry_run=dry_run, other_options=unusable)
        return
    if label == "status":
        print_status()
        return
    if check:
        check_label(label, base_url=base_url, other_options=bool(record or dry_run or as_json))
        return
    if record is not None:
        record_label(label, record, base_url=base_url, dry_run=dry_run, as_json=as_json)
        return
    scrape_label(label, once=once, base_url=base_url, dry_run=dry_run, as_json=as_json)


@app.command()
@fail_cleanly
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Smaller run, under two minutes")] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Run only these (see `make help`); all when not given"),
    ] = None,
    copy_to: Annotated[
        Path | None,
        typer.Option("--copy-to", help="Also write the report here when every benchmark ran"),
    ] = None,
) -> None:
    """Run the benchmarks on their own servers; print the table, write <data dir>/bench/*.json."""
    from services.bench.plan import STEP_NAMES
    from services.bench.runner import run_bench

    unknown = sorted(set(only or ()) - set(STEP_NAMES))
    if unknown:
        raise UsageError(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(STEP_NAMES)}")
    raise typer.Exit(run_bench(quick=quick, only=set(only) if only else None, copy_to=copy_to))


@app.command("bench-table")
@fail_cleanly
def bench_table(
    report: Annotated[
        Path | None,
        typer.Argument(help="A run's JSON report; the newest in <data dir>/bench when not given"),
    ] = None,
    readme: Annotated[
        Path | None,
        typer.Option(help="Replace the table between this file's bench-table markers"),
    ] = None,
) -> None:
    """Print a benchmark run's table, or write it into the README."""
    from services.bench.readme import load_report, newest_report, replace_section, section
    from services.kit.settings import KitSettings, load_settings

    try:
        path = report or newest_report(load_settings(KitSettings).data_dir / "bench")
        generated = section(load_report(path))
        if readme is None:
            print(generated, end="")
            return
        readme.write_text(replace_section(readme.read_text("utf-8"), generated), "utf-8")
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    print(f"{readme}: table of {path} written")


@app.command()
@fail_cleanly
def asyncapi(
    write: Annotated[Path | None, typer.Option(help="Write <service>.json files here")] = None,
) -> None:
    """Print (or write) each service's AsyncAPI document."""
    from services.cli.specs import asyncapi_documents

    documents = asyncapi_documents()
    if write is None:
        for name, text in documents.items():
            typer.echo(f"# {name}\n{text}")
        return
    write.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (write / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {write / f'{name}.json'}")


def run() -> None:
    """Console-script entry point."""
    sys.exit(app())
