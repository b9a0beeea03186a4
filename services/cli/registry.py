"""`impactoost registry migrate` / `current` / `unresolved` / `merges` / `split`: the registry's
database by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from services.cli.claims import claims_app, hide, show
from services.cli.errors import fail_cleanly

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from contracts.enterprises import EnterpriseEvent
    from services.registry.config import RegistrySettings

registry_app = typer.Typer(
    help=(
        "The registry's database: apply its migrations, show its revision, unplaced holdings "
        "or merges, split a wrong merge; sign-in claims; hide misleading supplements."
    ),
    add_completion=False,
    no_args_is_help=True,
)

registry_app.add_typer(claims_app, name="claims")
registry_app.command()(hide)
registry_app.command()(show)


@registry_app.command()
@fail_cleanly
def migrate() -> None:
    """Upgrade the registry's database (IMPACTOOST_DATABASE_URL) to the newest revision."""
    from services.registry.adapters.database import prepare_database

    engine = _engine()
    try:
        revisions = prepare_database(engine)
    finally:
        engine.dispose()
    before = _describe(revisions.before)
    if revisions.stamped:
        before = "none (tables from before migrations, stamped as 0001)"
    typer.echo(f"revision before: {before}")
    typer.echo(f"revision after: {_describe(revisions.after)}")


@registry_app.command()
@fail_cleanly
def current() -> None:
    """Print the revision the registry's database is at, and the newest revision."""
    from services.registry.adapters.database import current_revision, head_revision

    engine = _engine()
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(f"revision: {_describe(revision)} (newest: {_describe(head_revision())})")


@registry_app.command()
@fail_cleanly
def unresolved() -> None:
    """List the holdings whose place lies in no known municipality, or in several."""
    from sqlmodel import Session

    from services.registry.adapters.repository import unresolved_places

    engine = _engine()
    try:
        with Session(engine) as session:
            found = unresolved_places(session)
    finally:
        engine.dispose()
    if not found:
        typer.echo("no unresolved places")
    for item in found:
        place = item.place or "(no place)"
        typer.echo(f"{item.label}\t{item.holding_id}\t{item.name}\t{place}\t{item.status}")


@registry_app.command()
@fail_cleanly
def merges() -> None:
    """List the holdings that joined an existing enterprise, with the rule that matched."""
    from services.registry.adapters.unit_of_work import SqlUnitOfWork

    engine = _engine()
    try:
        with SqlUnitOfWork(engine) as uow:
            found = uow.merges.list()
    finally:
        engine.dispose()
    if not found:
        typer.echo("no merges")
    for merge in found:
        split = f"\tsplit {merge.split_at:%Y-%m-%d}" if merge.split_at else ""
        holding = f"{merge.label}/{merge.holding_id}"
        typer.echo(
            f"{merge.id}\t{merge.enterprise_id}\t{holding}\t{merge.rule}\t{merge.value}{split}"
        )


@registry_app.command()
@fail_cleanly
def split(
    merge_id: int = typer.Argument(..., help="The merge's id, as `merges` lists it."),
) -> None:
    """Detach a wrongly merged holding into an enterprise of its own, kept apart for good."""
    from contracts.base import utc_now
    from services.cli.errors import UsageError
    from services.kit.dutch import dutch_date_of
    from services.kit.settings import load_settings
    from services.registry.adapters.unit_of_work import SqlUnitOfWork
    from services.registry.config import RegistrySettings
    from services.registry.handlers import SplitRefused, split_merge

    settings = load_settings(RegistrySettings)
    engine = _engine()
    now = utc_now()
    try:
        done = split_merge(
            merge_id,
            SqlUnitOfWork(engine),
            dutch_date_of(now),
            source=settings.source,
            now=now,
            rules=settings.listing_rules(),
        )
    except SplitRefused as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()
    typer.echo(f"split merge {done.merge_id}: {done.label}/{done.holding_id}")
    typer.echo(f"left {done.remaining_id}: {_kind(done.remaining_event)}")
    typer.echo(f"now {done.split_off_id}: {_kind(done.split_off_event)}")


def _kind(event: EnterpriseEvent | None) -> str:
    return f"{event.kind} (version {event.enterprise.version})" if event else "no public change"


def _engine() -> Engine:
    return registry_engine()[0]


def registry_engine() -> tuple[Engine, RegistrySettings]:
    """An engine for the configured URL, with the settings built now (and logging to stderr)."""
    from sqlalchemy.exc import ArgumentError

    from services.kit.logging import configure_logging
    from services.kit.settings import ConfigError, load_settings
    from services.registry.adapters.database import make_engine
    from services.registry.config import RegistrySettings

    settings = load_settings(RegistrySettings)
    configure_logging(settings.log_format, settings.log_level)
    try:
        return make_engine(settings.database_url), settings
    except ArgumentError as exc:
        raise ConfigError(f"IMPACTOOST_DATABASE_URL: {exc}") from None


def _describe(revision: str | None) -> str:
    return revision or "none"
