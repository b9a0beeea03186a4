"""Health over core NATS request/reply: each service answers on `impactoost.health.<service>`
with its report (health.py); the gateway and `impactoost health` ask every service at once.

A service that does not answer in time is reported `unreachable`: asking never raises.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from datetime import datetime

import nats
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import ValidationError

from contracts.base import utc_now
from contracts.subjects import health_subject
from services.kit.health import HealthCheck, ServiceHealth

log = structlog.get_logger()
ASK_TIMEOUT_SECONDS = 0.5


class HealthResponder:
    """Answers health requests for one service on the connection it is started with."""

    def __init__(self, check: HealthCheck) -> None:
        self.check = check
        self._subscription: Subscription | None = None

    @property
    def subject(self) -> str:
        """Where it answers."""
        return health_subject(self.check.service)

    async def start(self, client: Client) -> None:
        """Answer on `client` from now on (a restarted connection replaces the previous
        one's)."""
        await self.stop()

        async def on_request(msg: Msg) -> None:
            report = await self.check.report(client.jetstream())
            try:
                await msg.respond(report.model_dump_json().encode())
            except nats.errors.Error as exc:
                log.warning("health_reply_failed", error=repr(exc))

        self._subscription = await client.subscribe(self.subject, cb=on_request)
        await client.flush()  # the server knows the subscription before this returns

    async def stop(self) -> None:
        """Stop answering (a closed connection has stopped already)."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            with contextlib.suppress(nats.errors.Error):
                await subscription.unsubscribe()


async def ask_health(
    client: Client | None,
    service: str,
    *,
    timeout: float = ASK_TIMEOUT_SECONDS,  # noqa: ASYNC109 - the NATS request's own timeout
    clock: Callable[[], datetime] = utc_now,
) -> ServiceHealth:
    """`service`'s report, or an `unreachable` one saying why it has none."""
    if client is None or not client.is_connected:
        return ServiceHealth.unreachable(service, "not connected to NATS", clock())
    try:
        reply = await client.request(health_subject(service), b"", timeout=timeout)
        return ServiceHealth.model_validate_json(reply.data)
    except nats.errors.NoRespondersError:
        reason = "no answer: not running"
    except (nats.errors.TimeoutError, TimeoutError):
        reason = f"no answer within {timeout:g} s"
    except ValidationError:
        reason = "its answer is not a health report"
    except nats.errors.Error as exc:
        reason = f"not asked: {type(exc).__name__}"
    return ServiceHealth.unreachable(service, reason, clock())


async def ask_all(
    client: Client | None,
    services: Iterable[str],
    *,
    timeout: float = ASK_TIMEOUT_SECONDS,  # noqa: ASYNC109 - the NATS request's own timeout
    clock: Callable[[], datetime] = utc_now,
) -> list[ServiceHealth]:
    """Every service's report, asked concurrently, in the order given."""
    asks = (ask_health(client, s, timeout=timeout, clock=clock) for s in services)
    return list(await asyncio.gather(*asks))
