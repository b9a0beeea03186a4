"""`impactoost demo`: run the demo platform; `impactoost demo advance`: its next step, now."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from services.cli.errors import fail_cleanly

demo_app = typer.Typer(
    help="Run the whole platform on embedded defaults with demo label registries.",
    add_completion=False,
)

DataDir = Annotated[Path, typer.Option(help="Where the demo keeps data")]


@demo_app.callback(invoke_without_command=True)
@fail_cleanly
def demo(
    ctx: typer.Context,
    data_dir: DataDir = Path("var/demo"),
    port: Annotated[int, typer.Option(help="Port of the buyers' web page")] = 8000,
) -> None:
    """Run the whole platform on embedded defaults with demo label registries and a timeline."""
    if ctx.invoked_subcommand is not None:
        return
    from services.demo.run import run_platform

    raise typer.Exit(run_platform(data_dir=data_dir, gateway_port=port, demo_sites=True))


@demo_app.command()
@fail_cleanly
def advance(data_dir: DataDir = Path("var/demo")) -> None:
    """Move the running demo's registries to the next step of its timeline, and scrape them."""
    from services.demo.control import NoDemoRunning, describe, request_advance

    try:
        answer = asyncio.run(request_advance(data_dir))
    except NoDemoRunning as exc:
        typer.echo(f"impactoost: error: {exc}", err=True)
        raise typer.Exit(1) from None
    for line in describe(answer):
        typer.echo(line)
