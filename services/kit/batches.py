"""A durable JetStream pull consumer that hands its use case whole fetched batches.

FastStream runs one task per message, through its decoding, dependency injection and
middlewares: about a millisecond of Python per message here, which alone caps a consumer at
a quarter of what JetStream delivers. A consumer whose use case commits a batch in one
transaction takes the batch as it came instead. The guarantees are the kit's usual ones:
every message is acked only after the commit that holds its effect; one that fails is
negatively acked and redelivered with a back-off; one that can never be read is terminated
(never silently dropped: it is logged with its subject and id).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import nats
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api
from nats.js.errors import FetchTimeoutError

from contracts.subjects import StreamSpec
from services.kit.jetstream import consumer_config, is_unknown_kind, log_nats_error, retry_later
from services.kit.nats_access import NatsTarget, connect
from services.kit.streams import align_durable

log = structlog.get_logger()
Item = TypeVar("Item")

Decode = Callable[[bytes], Item]
"""Turns a message body into what the use case takes; raises ValueError (pydantic's
ValidationError is one) for a body that can never be read."""
HandleBatch = Callable[[Sequence["Delivery[Item]"]], Awaitable[Sequence[Exception | None]]]
"""Records a batch; returns per delivery None (done: ack) or the error (retry later)."""


@dataclass(frozen=True)
class Delivery(Generic[Item]):
    """One readable message of a fetched batch."""

    item: Item
    stream_sequence: int
    deliveries: int
    subject: str
    msg_id: str | None


def one_at_a_time(handle: Callable[[Item], Awaitable[None]]) -> HandleBatch[Item]:
    """A batch handler for events that each stand alone (people's requests): each is handled
    on its own, in stream order; per delivery None once handled, or the error it raised (the
    consumer logs it and retries that one later)."""

    async def handle_batch(deliveries: Sequence[Delivery[Item]]) -> list[Exception | None]:
        results: dict[int, Exception | None] = {}
        for delivery in sorted(deliveries, key=lambda d: d.stream_sequence):
            try:
                await handle(delivery.item)
            except Exception as exc:
                results[id(delivery)] = exc
            else:
                results[id(delivery)] = None
        return [results[id(d)] for d in deliveries]

    return handle_batch


@dataclass(frozen=True)
class BatchConsumerSpec:
    """Which messages a batch consumer reads, and how JetStream redelivers them."""

    stream: StreamSpec
    subject: str
    durable: str
    # Several filter subjects (nats-server 2.10+), read instead of `subject` when given.
    subjects: tuple[str, ...] = ()
    batch_size: int = 100
    ack_wait_seconds: float = 30.0
    retry_delay_seconds: float = 2.0
    max_retry_delay_seconds: float = 60.0
    # How long one pull request waits on an idle stream; a message that arrives meanwhile is
    # handed over at once, so this bounds only how often an idle consumer asks again.
    idle_wait_seconds: float = 5.0

    @property
    def filters(self) -> tuple[str, ...]:
        """The subjects the durable is filtered on."""
        return self.subjects or (self.subject,)

    def consumer_config(self) -> api.ConsumerConfig:
        """The durable's configuration, as the kit's FastStream subscribers declare theirs."""
        one = len(self.filters) == 1
        return consumer_config(
            self.batch_size,
            self.ack_wait_seconds,
            durable_name=self.durable,
            filter_subject=self.filters[0] if one else None,
            filter_subjects=None if one else list(self.filters),
            ack_policy=api.AckPolicy.EXPLICIT,
        )


class BatchConsumer(Generic[Item]):
    """Fetches up to `spec.batch_size` messages at a time and hands the readable ones to
    `handle` in stream order; runs as a background task between `start` and `stop`."""

    def __init__(
        self,
        nats: NatsTarget,
        spec: BatchConsumerSpec,
        decode: Decode[Item],
        handle: HandleBatch[Item],
    ) -> None:
        self.nats = nats
        self.spec = spec
        self.decode = decode
        self.handle = handle
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._handling = False

    async def start(self) -> None:
        """Connect (reconnecting for ever after), bind the durable and start consuming."""
        if self._task is not None:
            return
        self._client = await connect(
            self.nats,
            connect_timeout=5,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            error_cb=log_nats_error,
        )
        try:
            js, config = self._client.jetstream(), self.spec.consumer_config()
            await align_durable(js, self.spec.stream.name, config)
            subscription = await js.pull_subscribe(
                self.spec.filters[0],
                durable=self.spec.durable,
                stream=self.spec.stream.name,
                config=config,
            )
        except Exception:
            client, self._client = self._client, None
            await client.close()
            raise
        self._stopping = False
        self._task = asyncio.create_task(self._run(subscription), name=self.spec.durable)
        log.info(
            "batch_consumer_started", durable=self.spec.durable, subjects=list(self.spec.filters)
        )

    async def stop(self, grace_seconds: float = 20.0) -> None:
        """Let the batch in hand finish (up to `grace_seconds`), then disconnect; a pull
        request still waiting is abandoned. Messages fetched but not acked are redelivered
        after the ack wait."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            if self._handling:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), grace_seconds)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()
        log.info("batch_consumer_stopped", durable=self.spec.durable)

    async def _run(self, subscription: nats.js.JetStreamContext.PullSubscription) -> None:
        while not self._stopping:
            try:
                msgs = await subscription.fetch(
                    self.spec.batch_size, timeout=self.spec.idle_wait_seconds
                )
            except (TimeoutError, FetchTimeoutError):
                continue
            except Exception as exc:  # disconnected: nats-py reconnects, we ask again
                log.warning("batch_fetch_failed", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(1.0)
                continue
            self._handling = True
            try:
                await self.consume(msgs)
            except Exception:  # a bug in the handler: the batch is redelivered after ack wait
                log.exception("batch_failed", messages=len(msgs))
            finally:
                self._handling = False

    async def consume(self, msgs: Sequence[Msg]) -> None:
        """Decode, record and settle one fetched batch."""
        readable: list[tuple[Msg, Delivery[Item]]] = []
        for msg in msgs:
            delivery = await self._read(msg)
            if delivery is not None:
                readable.append((msg, delivery))
        if not readable:
            return
        results = await self.handle([delivery for _, delivery in readable])
        for (msg, delivery), result in zip(readable, results, strict=True):
            if result is None:
                await msg.ack()
            else:
                await self._retry_later(msg, delivery, result)

    async def _read(self, msg: Msg) -> Delivery[Item] | None:
        headers = msg.headers or {}
        try:
            item = self.decode(msg.data)
        except ValueError as exc:  # malformed JSON or a payload failing its schema
            if is_unknown_kind(exc):
                log.debug("event_kind_skipped", subject=msg.subject)
                await msg.ack()
                return None
            log.error(
                "event_rejected",
                subject=msg.subject,
                event_id=headers.get("Nats-Msg-Id"),
                reason=f"invalid payload: {type(exc).__name__}",
            )
            await msg.term()
            return None
        metadata = msg.metadata
        return Delivery(
            item=item,
            stream_sequence=metadata.sequence.stream,
            deliveries=max(1, metadata.num_delivered),
            subject=msg.subject,
            msg_id=headers.get("Nats-Msg-Id"),
        )

    async def _retry_later(self, msg: Msg, delivery: Delivery[Item], exc: Exception) -> None:
        context = {"subject": delivery.subject, "event_id": delivery.msg_id}
        with structlog.contextvars.bound_contextvars(**context):
            await retry_later(
                lambda delay: msg.nak(delay=delay),
                delivery.deliveries,
                exc,
                self.spec.retry_delay_seconds,
                self.spec.max_retry_delay_seconds,
            )
