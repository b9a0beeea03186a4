"""The pruner: a background task that prunes processed event ids (see `pruning`) every
`interval`, each stream up to what its durable has acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from contracts.subjects import ENTERPRISES_STREAM, PREFERENCES_STREAM
from services.kit.consumer_state import consumer_state
from services.kit.nats_access import NatsTarget, connect
from services.kit.nats_users import NOTIFIER_MAIL, NOTIFIER_PREFERENCES
from services.notifier.bootstrap import Notifier
from services.notifier.config import NotifierSettings
from services.notifier.pruning import prune_processed

log = structlog.get_logger()

PRUNED_DURABLES: tuple[tuple[str, str], ...] = (
    (ENTERPRISES_STREAM.name, NOTIFIER_MAIL),
    (PREFERENCES_STREAM.name, NOTIFIER_PREFERENCES),
)
"""The streams whose processed ids the notifier keeps, each with the durable that reads it."""


class ProcessedPruner:
    """Runs `prune_once` every `interval` seconds between `start` and `stop`."""

    def __init__(
        self,
        engine: Engine,
        nats: NatsTarget,
        *,
        horizon: timedelta,
        clock: Callable[[], datetime],
        interval: float = 3600.0,
        durables: tuple[tuple[str, str], ...] = PRUNED_DURABLES,
    ) -> None:
        self.engine, self.nats, self.horizon, self.clock = engine, nats, horizon, clock
        self.interval, self.durables = interval, durables
        self._task: asyncio.Task[None] | None = None

    async def prune_once(self) -> int:
        """Prune every stream's ids older than the horizon at or below its durable's ack
        floor; a durable the server does not know (yet) prunes nothing. How many."""
        before = self.clock() - self.horizon
        client = await connect(self.nats)
        try:
            js = client.jetstream()
            pruned = 0
            for stream, durable in self.durables:
                try:
                    state = await consumer_state(js, stream, durable)
                except NotFoundError:
                    continue
                pruned += await asyncio.to_thread(
                    prune_processed, self.engine, stream, state.ack_floor, before
                )
        finally:
            await client.close()
        if pruned:
            log.info("processed_ids_pruned", ids=pruned)
        return pruned

    async def start(self) -> None:
        """Start the background task (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notifier-pruner")

    async def stop(self) -> None:
        """Stop the background task; a prune in progress is one transaction per stream."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.prune_once()
            except Exception as exc:  # the server or database away: the next round tries
                log.warning("prune_failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(self.interval)


def processed_pruner(notifier: Notifier, settings: NotifierSettings) -> ProcessedPruner:
    """The pruner of the notifier's database, as the settings configure it."""
    return ProcessedPruner(
        notifier.deliveries.engine,
        settings.nats(),
        horizon=timedelta(hours=settings.notifier_processed_keep_hours),
        clock=notifier.clock,
        interval=settings.notifier_prune_interval_seconds,
    )
