"""The platform's health as `/healthz` shows it: the gateway's own report and every other
service's, asked over NATS at most once per `cache_seconds`, so that the endpoint stays as
cheap under load as a liveness check (it is the benchmarks' baseline)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faststream.exceptions import IncorrectState
from faststream.nats import NatsBroker
from nats.aio.client import Client

from services.kit.health import HealthCheck, ServiceHealth
from services.kit.health_requests import ASK_TIMEOUT_SECONDS, ask_all
from services.kit.nats_users import GATEWAY, SERVICE_USERS

OTHER_SERVICES = tuple(u.name for u in SERVICE_USERS if u is not GATEWAY)


@dataclass(frozen=True)
class Gathered:
    """The gateway's report and the other services', taken together."""

    own: ServiceHealth
    services: list[ServiceHealth]


class PlatformHealth:
    """Gathers the reports; concurrent requests for a stale result share one gathering."""

    def __init__(
        self,
        check: HealthCheck,
        broker: NatsBroker,
        *,
        services: Sequence[str] = OTHER_SERVICES,
        timeout: float = ASK_TIMEOUT_SECONDS,
        cache_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.check = check
        self._broker = broker
        self._services = tuple(services)
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._cached: tuple[float, Gathered] | None = None
        self._gathering: asyncio.Task[Gathered] | None = None

    async def current(self) -> Gathered:
        """The reports, gathered now unless the last ones are younger than the cache."""
        if self._cached is not None:
            taken, gathered = self._cached
            if self._monotonic() - taken < self._cache_seconds:
                return gathered
        if self._gathering is None or self._gathering.done():
            self._gathering = asyncio.create_task(self._gather(), name="platform-health")
        # Shielded: one client giving up must not cancel the others' shared gathering.
        return await asyncio.shield(self._gathering)

    async def _gather(self) -> Gathered:
        client = self._connection()
        own, services = await asyncio.gather(
            self.check.report(client.jetstream() if client is not None else None),
            ask_all(client, self._services, timeout=self._timeout, clock=self.check.clock),
        )
        gathered = Gathered(own=own, services=services)
        self._cached = (self._monotonic(), gathered)
        return gathered

    def _connection(self) -> Client | None:
        try:
            client = self._broker.connection
        except IncorrectState:  # not started yet
            return None
        return client if client is not None and client.is_connected else None
