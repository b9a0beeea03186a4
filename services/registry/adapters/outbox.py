"""The outbox relay: publishes committed enterprise events in order, then marks them sent.

It is woken right after each commit and also polls, so rows left behind by a crash between
commit and publish go out after the restart. Two relays running at once are harmless: both
may publish a row, and JetStream drops the second copy by its `Nats-Msg-Id`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog

from services.registry.adapters.messages import OutboxMessage
from services.registry.adapters.publisher import AbstractPublisher
from services.registry.adapters.unit_of_work import AbstractUnitOfWork

log = structlog.get_logger()


class OutboxRelay:
    """Moves outbox rows to the publisher, oldest first, one acknowledged event at a time."""

    def __init__(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        publisher: AbstractPublisher,
        *,
        clock: Callable[[], datetime],
        poll_seconds: float = 3.0,
        batch_size: int = 100,
        reader: Callable[[], AbstractUnitOfWork] | None = None,
    ) -> None:
        """`reader` makes the units of work that only look for pending rows (by default
        `uow_factory`): on SQLite, one that takes no write lock keeps the relay from holding
        up the commits of label events."""
        self.uow_factory = uow_factory
        self.reader = reader or uow_factory
        self.publisher = publisher
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Ask for a pass now (called after a commit that wrote outbox rows)."""
        self._wakeup.set()

    async def publish_pending(self) -> int:
        """Publish every unpublished row in commit order; returns how many were published.

        Rows are published one by one, each acknowledged before the next (order), and marked
        published together, one commit per batch: a crash in between republishes a few rows,
        which JetStream drops as duplicates of their `Nats-Msg-Id`.
        """
        async with self._lock:
            published = 0
            while not self._stopping:
                batch = await asyncio.to_thread(self._pending)
                done: list[int] = []
                try:
                    for message in batch:
                        await self._publish(message)
                        done.append(message.id)
                finally:
                    if done:
                        await asyncio.to_thread(self._mark_published, done)
                published += len(done)
                if len(batch) < self.batch_size:
                    break
            if published:
                log.info("enterprise_events_published", events=published)
            return published

    async def _publish(self, message: OutboxMessage) -> None:
        await self.publisher.publish(message.subject, message.event_id, message.payload)
        # At debug: a burst of thousands would otherwise spend much of its time logging.
        log.debug("enterprise_event_published", subject=message.subject, event_id=message.event_id)

    def _pending(self) -> list[OutboxMessage]:
        with self.reader() as uow:
            return uow.outbox.pending(self.batch_size)

    def _mark_published(self, message_ids: list[int]) -> None:
        with self.uow_factory() as uow:
            uow.outbox.mark_published(message_ids, self.clock())
            uow.commit()

    async def run(self) -> None:
        """Pass after pass until stopped: on every wake-up, and every `poll_seconds`."""
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self.publish_pending()
            except Exception:
                log.exception("outbox_relay_failed", retry_in_seconds=self.poll_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)

    def start(self) -> None:
        """Run the relay as a background task of the running event loop (once)."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="registry-outbox-relay")
        log.info("outbox_relay_started", poll_seconds=self.poll_seconds)

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Let the current publish finish (up to `grace_seconds`), then end the task."""
        self._stopping = True
        self.wake()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        log.info("outbox_relay_stopped")
