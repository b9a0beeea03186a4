"""`impactoost health`: every service's health report in a few lines; exits non-zero when
any is degraded or unreachable (for a cron job or a monitoring probe)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from services.cli.errors import fail_cleanly

if TYPE_CHECKING:
    from services.kit.health import ServiceHealth
    from services.kit.nats_access import NatsAccess


@fail_cleanly
def health(
    timeout: Annotated[
        float, typer.Option(min=0.05, max=30.0, help="Seconds to wait for each service")
    ] = 0.5,
) -> None:
    """Ask every service for its health over NATS, as the IMPACTOOST_NATS_USER (`admin` or
    `gateway`); exit 1 unless all are ok."""
    from services.kit.settings import KitSettings, load_settings

    access = load_settings(KitSettings).nats()
    reports = asyncio.run(_ask_every_service(access, timeout))
    for report in reports:
        typer.echo(describe(report))
    if any(report.status != "ok" for report in reports):
        raise typer.Exit(1)


async def _ask_every_service(access: NatsAccess, wait: float) -> list[ServiceHealth]:
    from services.kit.health_requests import ask_all
    from services.kit.nats_access import connect
    from services.kit.nats_users import SERVICE_USERS

    client = await connect(access, allow_reconnect=False, connect_timeout=5)
    try:
        return await ask_all(client, [u.name for u in SERVICE_USERS], timeout=wait)
    finally:
        await client.close()


def describe(report: ServiceHealth) -> str:
    """A report in a few lines: status, durables, dead letters, relay, problems."""
    lines = [f"{report.service}: {report.status}"]
    for c in report.consumers:
        lines.append(
            f"  {c.durable} on {c.stream}: {c.pending} pending, {c.ack_pending} awaiting ack, "
            f"{c.redelivered} redelivered"
        )
    if report.dead_letters is not None:
        lines.append(f"  dead letters: {report.dead_letters}")
    if (relay := report.relay) is not None:
        age = relay.oldest_age_seconds
        oldest = f", oldest {age:.0f} s old" if age is not None else ""
        given_up = f", {relay.given_up} given up" if relay.given_up else ""
        lines.append(f"  outbox relay: {relay.backlog} unpublished{oldest}{given_up}")
    lines += [f"  problem: {problem}" for problem in report.problems]
    return "\n".join(lines)
