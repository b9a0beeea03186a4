"""`impactoost registry claims …`, `hide` and `show`: the operator's side of enterprises
completing their own listing. Each command writes the registry's database in one
transaction; the running registry's outbox relay publishes what it queued."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from services.cli.errors import fail_cleanly

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from contracts.supplements import SupplementField
    from services.registry.adapters.unit_of_work import AbstractUnitOfWork
    from services.registry.config import RegistrySettings

claims_app = typer.Typer(
    help="Sign-ins asked for at addresses the registry does not trust: list, approve, reject.",
    add_completion=False,
    invoke_without_command=True,
)


@claims_app.callback()
@fail_cleanly
def pending(ctx: typer.Context) -> None:
    """List the claims waiting for a decision (id, enterprise, name, address, asked at)."""
    if ctx.invoked_subcommand is not None:
        return
    from services.registry.adapters.unit_of_work import SqlUnitOfWork

    engine, _ = _engine()
    try:
        with SqlUnitOfWork(engine) as uow:
            found = uow.claims.pending()
            names = {c.enterprise_id: _name(uow, c.enterprise_id) for c in found}
    finally:
        engine.dispose()
    if not found:
        typer.echo("no claims waiting")
    for claim in found:
        asked = f"{claim.requested_at:%Y-%m-%d %H:%M} UTC"
        typer.echo(
            f"{claim.id}\t{claim.enterprise_id}\t{names[claim.enterprise_id]}\t{claim.email}\t{asked}"
        )


@claims_app.command()
@fail_cleanly
def approve(claim_id: int = typer.Argument(..., help="The claim's id, as listed.")) -> None:
    """Trust the address for its enterprise once: a sign-in link is mailed to it."""
    typer.echo(f"approved claim {claim_id}: a sign-in link goes to {_decide(claim_id, True)}")


@claims_app.command()
@fail_cleanly
def reject(claim_id: int = typer.Argument(..., help="The claim's id, as listed.")) -> None:
    """Refuse the claim: nothing is sent."""
    typer.echo(f"rejected claim {claim_id} ({_decide(claim_id, False)})")


@fail_cleanly
def hide(
    enterprise_id: str = typer.Argument(..., help="The enterprise's id."),
    field: list[str] = typer.Option(  # noqa: B008 - typer's way to declare an option
        [],
        "--field",
        help="A field to hide (description, categories, keywords, delivery_areas, contact, "
        "website); repeatable; none: the whole supplement.",
    ),
    reason: str = typer.Option(..., "--reason", help="Why, in Dutch: the enterprise is told."),
) -> None:
    """Hide a misleading supplement, or some of its fields; the enterprise is mailed why."""
    from contracts.supplements import SUPPLEMENT_FIELDS

    fields = _fields(field) or SUPPLEMENT_FIELDS
    changed = _hide(enterprise_id, fields, reason)
    shown = "buyers no longer see it" if changed else "not visible to buyers now"
    typer.echo(f"hidden for {enterprise_id}: {', '.join(fields)} ({shown})")


@fail_cleanly
def show(enterprise_id: str = typer.Argument(..., help="The enterprise's id.")) -> None:
    """Show every hidden field of the supplement again."""
    _hide(enterprise_id, (), None)
    typer.echo(f"nothing hidden for {enterprise_id} any more")


def _fields(names: list[str]) -> tuple[SupplementField, ...]:
    from contracts.supplements import SUPPLEMENT_FIELDS
    from services.cli.errors import UsageError

    unknown = [name for name in names if name not in SUPPLEMENT_FIELDS]
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r}; one of {', '.join(SUPPLEMENT_FIELDS)}")
    return tuple(name for name in SUPPLEMENT_FIELDS if name in names)


def _hide(enterprise_id: str, fields: tuple[SupplementField, ...], reason: str | None) -> bool:
    from contracts.base import utc_now
    from services.cli.errors import UsageError
    from services.kit.dutch import dutch_date_of
    from services.registry.adapters.unit_of_work import SqlUnitOfWork
    from services.registry.self_service import Refused, hide_fields

    engine, settings = _engine()
    now = utc_now()
    try:
        return hide_fields(
            enterprise_id,
            fields,
            reason,
            SqlUnitOfWork(engine),
            dutch_date_of(now),
            source=settings.source,
            now=now,
            rules=settings.listing_rules(),
        )
    except Refused as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()


def _decide(claim_id: int, approve: bool) -> str:
    from contracts.base import utc_now
    from services.cli.errors import UsageError
    from services.registry.adapters.unit_of_work import SqlUnitOfWork
    from services.registry.self_service import Refused, decide_claim

    engine, settings = _engine()
    try:
        return decide_claim(
            claim_id, approve, SqlUnitOfWork(engine), source=settings.source, now=utc_now()
        )
    except Refused as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()


def _name(uow: AbstractUnitOfWork, enterprise_id: str) -> str:
    enterprise = uow.enterprises.get(enterprise_id)
    published = enterprise.published if enterprise else None
    return published.name if published else "(unknown)"


def _engine() -> tuple[Engine, RegistrySettings]:
    from services.cli.registry import registry_engine

    return registry_engine()
