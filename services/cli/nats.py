"""`impactoost nats accounts|permissions` and `impactoost region add|list|consumers`: a
deployment's NATS users, passwords and subscribing regions, kept in its secrets folder."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from services.cli.errors import UsageError, fail_cleanly

nats_app = typer.Typer(
    help="The NATS accounts of a deployment: a user per service, each allowed only what it needs.",
    add_completion=False,
    no_args_is_help=True,
)
region_app = typer.Typer(
    help="Regions that read our enterprise events of the provinces they chose, and nothing else.",
    add_completion=False,
    no_args_is_help=True,
)

Secrets = Annotated[
    Path, typer.Option(help="The deployment's secrets folder (passwords, accounts file)")
]
DEFAULT_SECRETS = Path("deploy/secrets")


@nats_app.command()
@fail_cleanly
def accounts(secrets: Secrets = DEFAULT_SECRETS) -> None:
    """Make the missing passwords and write the accounts file the NATS servers include."""
    from services.kit.nats_deployment import write_accounts

    path = write_accounts(secrets)
    typer.echo(f"wrote {path}; reload each NATS server: nats-server --signal reload")


@nats_app.command()
def permissions() -> None:
    """Print each service user's permissions (what it may publish and subscribe)."""
    from services.kit.nats_config import permissions as of
    from services.kit.nats_users import SERVICE_USERS

    typer.echo(json.dumps({user.name: of(user) for user in SERVICE_USERS}, indent=2))


@region_app.command()
@fail_cleanly
def add(
    name: Annotated[str, typer.Argument(help="The region's name, e.g. noord")],
    provinces: Annotated[str, typer.Option(help="Its provinces, comma-separated")],
    way: Annotated[Literal["import", "leaf"], typer.Option(help="How it connects")] = "import",
    secrets: Secrets = DEFAULT_SECRETS,
    platform_url: Annotated[
        str, typer.Option(help="Our NATS servers as the region reaches them")
    ] = "nats://nats.example.org:4222",
    leaf_url: Annotated[
        str, typer.Option(help="Our leaf node port as the region reaches it")
    ] = "nats-leaf://nats.example.org:7422",
) -> None:
    """Set a region up: its account and password, the accounts file, and its instructions
    (written to region-<name>.txt beside the secrets)."""
    from services.kit.nats_deployment import region_instructions, write_accounts
    from services.kit.nats_regions import Region, load_regions, save_regions

    try:
        region = Region(name, tuple(p for p in provinces.split(",") if p.strip()), way)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    secrets.mkdir(parents=True, exist_ok=True)
    others = [r for r in load_regions(secrets) if r.name != region.name]
    save_regions(secrets, [*others, region])
    path = write_accounts(secrets)
    notes = secrets / f"region-{region.name}.txt"
    notes.write_text(region_instructions(secrets, region, platform_url, leaf_url), "utf-8")
    typer.echo(f"region {region.name}: {', '.join(region.provinces)} by {region.way}")
    typer.echo(f"wrote {path} and {notes}")
    typer.echo(
        "next: reload each NATS server (nats-server --signal reload), then "
        f"`impactoost region consumers {region.name}` as the admin user"
    )


@region_app.command("list")
@fail_cleanly
def list_regions(secrets: Secrets = DEFAULT_SECRETS) -> None:
    """The regions set up, with their provinces and way of connecting."""
    from services.kit.nats_regions import load_regions

    for region in load_regions(secrets):
        typer.echo(f"{region.name}\t{region.way}\t{','.join(region.provinces)}")


@region_app.command()
@fail_cleanly
def consumers(name: str, secrets: Secrets = DEFAULT_SECRETS) -> None:
    """Create (or bring to its provinces) the region's consumers on our streams; connects with
    the IMPACTOOST_NATS_* settings, as the admin user."""
    from services.kit.nats_deployment import ensure_region_consumers
    from services.kit.nats_regions import load_regions
    from services.kit.settings import KitSettings, load_settings

    found = [r for r in load_regions(secrets) if r.name == name]
    if not found:
        raise UsageError(f"no region {name!r} in {secrets}; add it first")
    access = load_settings(KitSettings).nats()
    for made in asyncio.run(ensure_region_consumers(access, found[0])):
        typer.echo(f"consumer {made}")
