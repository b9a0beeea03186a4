"""The outbox relay: publishes committed enterprise events in order, then marks them sent.

It is woken right after each commit and also polls, so rows left behind by a crash between
commit and publish go out after the restart. The registry's own units of work hand it the
rows each commit wrote, with their ids: when they follow on from the last row it knows to be
done, it publishes them without reading them back (an event's second hop starts a database
read sooner); anything else (a gap: rows another process wrote, a failed pass, a restart)
makes it read the table as before, and it reads at least every poll interval. Two relays
running at once are harmless: both may publish a row, and JetStream drops the second copy by
its `Nats-Msg-Id`.

A row JetStream can never take (Unpublishable: too large, refused by its stream) is given up
on: a dead letter describing it goes to the operator, the row is marked, and the rows behind
it go out. Any other failure (the server away, a timeout) ends the pass, and the next one
starts again at the same row, so the order holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime

import structlog

from contracts.subjects import stream_of
from services.kit.deadletters import DeadLetter
from services.kit.nats_users import REGISTRY
from services.registry.adapters.messages import OutboxMessage
from services.registry.adapters.publisher import AbstractPublisher, Unpublishable
from services.registry.adapters.unit_of_work import AbstractUnitOfWork

OUTBOX_CONSUMER = "outbox"
# Rows handed over and not yet taken, at most: past that the oldest are dropped, and the gap
# they leave makes the relay read the table.
HANDED_MAX = 10_000

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
        self._handed: deque[OutboxMessage] = deque(maxlen=HANDED_MAX)
        self._done_through: int | None = None
        """Every row up to this id is published or given up on (None: unknown, read)."""
        self._read_at = -float("inf")

    def wake(self) -> None:
        """Ask for a pass now (called after a commit that wrote outbox rows)."""
        self._wakeup.set()

    def hand_over(self, messages: Sequence[OutboxMessage]) -> None:
        """Take rows just committed, with their ids (safe from any thread; the writer wakes
        the relay after)."""
        self._handed.extend(messages)

    async def publish_pending(self) -> int:
        """Publish every unpublished row in commit order; returns how many were published.

        Rows are published one by one, each acknowledged before the next (order), and marked
        published together, one commit per batch: a crash in between republishes a few rows,
        which JetStream drops as duplicates of their `Nats-Msg-Id`.
        """
        async with self._lock:
            published = 0
            while not self._stopping:
                batch, was_read = await self._next_batch()
                done: list[int] = []
                settled = False
                try:
                    for message in batch:
                        try:
                            await self._publish(message)
                        except Unpublishable as exc:
                            await self._give_up(message, str(exc))
                        else:
                            done.append(message.id)
                    settled = True
                finally:
                    # Rows are done once marked: until then, handed rows do not follow on.
                    known, self._done_through = self._done_through, None
                    if done:
                        await asyncio.to_thread(self._mark_published, done)
                    if settled:
                        self._done_through = batch[-1].id if batch else known
                published += len(done)
                if (was_read and len(batch) < self.batch_size) or not (was_read or self._handed):
                    break
            if published:
                log.info("enterprise_events_published", events=published)
            return published

    async def _next_batch(self) -> tuple[list[OutboxMessage], bool]:
        """The rows handed over, when they follow on from the last row done; else the
        pending rows read from the table (and whether they were read)."""
        handed = self._take_handed()
        if handed:
            return handed, False
        self._read_at = time.monotonic()
        batch, last_id = await asyncio.to_thread(self._pending)
        if not batch:
            self._done_through = last_id
        return batch, True

    def _take_handed(self) -> list[OutboxMessage]:
        done_through = self._done_through
        if done_through is None or time.monotonic() - self._read_at > self.poll_seconds:
            self._handed.clear()
            return []
        taken: list[OutboxMessage] = []
        while self._handed and len(taken) < self.batch_size:
            message = self._handed[0]
            if message.id <= done_through:  # already published by a pass that read it
                self._handed.popleft()
            elif message.id == done_through + 1:
                taken.append(self._handed.popleft())
                done_through += 1
            else:  # a gap: rows this relay was not handed; they are read with these
                break
        if not taken:
            self._handed.clear()
        return taken

    async def _publish(self, message: OutboxMessage) -> None:
        await self.publisher.publish(message.subject, message.event_id, message.payload)
        # At debug: a burst of thousands would otherwise spend much of its time logging.
        log.debug("enterprise_event_published", subject=message.subject, event_id=message.event_id)

    async def _give_up(self, message: OutboxMessage, reason: str) -> None:
        """Tell the operator (a dead letter, stored before the row is marked: should the
        dead-letter stream be away, the row stays and the pass ends), then mark the row."""
        await self.publisher.dead_letter(unpublishable_letter(message, reason))
        await asyncio.to_thread(self._mark_given_up, message.id, reason)
        log.error(
            "outbox_row_given_up",
            subject=message.subject,
            event_id=message.event_id,
            size=len(message.payload.encode()),
            reason=reason,
        )

    def _mark_given_up(self, message_id: int, reason: str) -> None:
        with self.uow_factory() as uow:
            uow.outbox.mark_given_up(message_id, self.clock(), reason)
            uow.commit()

    def _pending(self) -> tuple[list[OutboxMessage], int]:
        """The oldest pending rows; with none, the highest id (every row up to it is done)."""
        with self.reader() as uow:
            batch = uow.outbox.pending(self.batch_size)
            return batch, (0 if batch else uow.outbox.last_id())

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


def unpublishable_letter(message: OutboxMessage, reason: str) -> DeadLetter:
    """The dead letter for a row given up on: a short description, never the payload (which
    is what could not be published)."""
    size = len(message.payload.encode())
    body = {"event_id": message.event_id, "subject": message.subject, "size": size}
    try:
        stream: str | None = stream_of(message.subject).name
    except ValueError:
        stream = None
    return DeadLetter(
        service=REGISTRY.name,
        consumer=OUTBOX_CONSUMER,
        kind="unpublishable",
        reason=reason,
        subject=message.subject,
        body=json.dumps({**body, "error": reason}).encode(),
        headers={"Nats-Msg-Id": message.event_id, "content-type": "application/json"},
        stream=stream,
    )
