"""The one way every service consumes a stream: a durable JetStream pull consumer that hands
its use case whole fetched batches.

FastStream runs one task per message, through its decoding, dependency injection and
middlewares: about a millisecond of Python per message here, which alone caps a consumer at
a quarter of what JetStream delivers, and its ack policies decide from the exception's type.
Every consumer here takes a batch as it came instead (a use case that handles events one by
one wraps its handler in `one_at_a_time`). The rules, the same for all:
- a message is acked only after the commit that holds its effect;
- one whose body is not JSON, or fails its schema, is dead-lettered and terminated at once
  (a kind this code does not know is acked and skipped: the compatibility rules);
- one whose handling fails is negatively acked with a back-off that doubles per delivery,
  and on its last delivery (`max_deliver`) dead-lettered and terminated; one whose handling
  never ended (the process died holding it on its last delivery) is delivered once more
  (the server's max_deliver is one higher) and dead-lettered unhandled;
- a dead letter is acked by its stream before the original is terminated; if it cannot be
  stored, the original is kept and retried.
Nothing is dropped silently, and no poisoned message holds up the ones behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

import nats
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api
from nats.js.errors import FetchTimeoutError
from pydantic import ValidationError

from contracts.deadletters import DeadLetterKind
from contracts.subjects import DEADLETTERS_STREAM, StreamSpec
from services.kit.deadletters import DeadLetter, put_dead_letter
from services.kit.jetstream import is_unknown_kind, log_nats_error
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
    headers: Mapping[str, str] = field(default_factory=dict)
    stored_at: datetime | None = None
    """When the stream stored the message."""


def one_at_a_time(handle: Callable[[Item], Awaitable[None]]) -> HandleBatch[Item]:
    """A batch handler for events that each stand alone (people's requests): each is handled
    on its own, in stream order; per delivery None once handled, or the error it raised (the
    consumer logs it and retries that one later)."""

    async def handle_delivery(delivery: Delivery[Item]) -> None:
        await handle(delivery.item)

    return each_delivery(handle_delivery)


def each_delivery(handle: Callable[[Delivery[Item]], Awaitable[None]]) -> HandleBatch[Item]:
    """`one_at_a_time` for a handler that needs the delivery (its stream sequence, say)."""

    async def handle_batch(deliveries: Sequence[Delivery[Item]]) -> list[Exception | None]:
        results: dict[int, Exception | None] = {}
        for delivery in sorted(deliveries, key=lambda d: d.stream_sequence):
            try:
                await handle(delivery)
            except Exception as exc:
                results[id(delivery)] = exc
            else:
                results[id(delivery)] = None
        return [results[id(d)] for d in deliveries]

    return handle_batch


@dataclass(frozen=True)
class BatchConsumerSpec:
    """Which messages a batch consumer reads, how JetStream redelivers them, and where its
    dead letters go."""

    stream: StreamSpec
    subject: str
    durable: str
    service: str
    """The service that runs it: its dead letters go to
    `impactoost.deadletters.<service>.<durable>`."""
    # Several filter subjects (nats-server 2.10+), read instead of `subject` when given.
    subjects: tuple[str, ...] = ()
    batch_size: int = 100
    ack_wait_seconds: float = 30.0
    max_deliver: int = 12
    """Deliveries before a failing message is dead-lettered: with the default back-off,
    about 25 minutes of retrying, enough to outlast a database or mail server restart."""
    retry_delay_seconds: float = 2.0
    max_retry_delay_seconds: float = 300.0
    inactive_threshold_seconds: float | None = None
    """When set, the server deletes the durable after this long without a reader: for a
    subscriber whose durable name is a setting (a renamed one would otherwise stay for
    ever, holding its messages)."""
    # How long one pull request waits on an idle stream; a message that arrives meanwhile is
    # handed over at once, so this bounds only how often an idle consumer asks again.
    idle_wait_seconds: float = 5.0
    # What (title, schema) the AsyncAPI document says it takes.
    title: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if self.max_deliver < 2:
            raise ValueError("max_deliver must allow at least one retry")

    @property
    def filters(self) -> tuple[str, ...]:
        """The subjects the durable is filtered on."""
        return self.subjects or (self.subject,)

    def retry_delay(self, deliveries: int) -> float:
        """The wait before delivery number `deliveries + 1`, doubling per delivery."""
        return float(
            min(self.retry_delay_seconds * 2 ** (deliveries - 1), self.max_retry_delay_seconds)
        )

    def consumer_config(self) -> api.ConsumerConfig:
        """The durable's configuration: explicit acks and finite deliveries.

        The back-off is ours (each failure is negatively acked with `retry_delay`), not the
        server's `backoff` list: with one set, nats-server checks for redeliveries only at
        its steps, so a short negative-ack delay waited for the next step. A message whose
        ack never came (a process that died holding it) comes back after the ack wait.
        The server delivers a message once more than `max_deliver`: that delivery only puts
        it in the dead-letter stream, so even a message whose handling never ended is given
        up on visibly instead of being left unacked for ever."""
        one = len(self.filters) == 1
        return api.ConsumerConfig(
            durable_name=self.durable,
            filter_subject=self.filters[0] if one else None,
            filter_subjects=None if one else list(self.filters),
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait_seconds,
            max_deliver=self.max_deliver + 1,
            # Room for a few fetched batches awaiting their acks.
            max_ack_pending=max(self.batch_size * 4, 64),
            inactive_threshold=self.inactive_threshold_seconds,
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
        *,
        schema: object = None,
    ) -> None:
        self.nats = nats
        self.spec = spec
        self.decode = decode
        self.handle = handle
        self.schema = schema
        """The model or annotated union it takes, for its AsyncAPI document."""
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
            except Exception:  # settling failed (NATS gone): redelivered after the ack wait
                log.exception("batch_not_settled", messages=len(msgs))
                await asyncio.sleep(1.0)
            finally:
                self._handling = False

    async def consume(self, msgs: Sequence[Msg]) -> None:
        """Decode, record and settle one fetched batch."""
        readable: list[tuple[Msg, Delivery[Item]]] = []
        for msg in msgs:
            delivery = await self._read(msg)
            if delivery is not None:
                readable.append((msg, delivery))
        # Tried max_deliver times, the last without an answer: given up on unhandled.
        overdue = [msg for msg, d in readable if d.deliveries > self.spec.max_deliver]
        for msg in overdue:
            await self._give_up(msg, "exhausted", "its handling never finished")
        readable = [(m, d) for m, d in readable if d.deliveries <= self.spec.max_deliver]
        if not readable:
            return
        deliveries = [delivery for _, delivery in readable]
        try:
            results: Sequence[Exception | None] = await self.handle(deliveries)
        except Exception as exc:  # a bug in the handler: every message of the batch failed
            log.exception("batch_failed", messages=len(deliveries))
            results = [exc] * len(deliveries)
        for (msg, delivery), result in zip(readable, results, strict=True):
            if result is None:
                await msg.ack()
            else:
                await self._failed(msg, delivery, result)

    async def _read(self, msg: Msg) -> Delivery[Item] | None:
        try:
            item = self.decode(msg.data)
        except ValueError as exc:  # not JSON, or a payload failing its schema
            if is_unknown_kind(exc):
                log.debug("event_kind_skipped", subject=msg.subject)
                await msg.ack()
                return None
            kind: DeadLetterKind = "undecodable" if _not_json(exc) else "invalid"
            await self._give_up(msg, kind, _summary(exc))
            return None
        metadata, headers = msg.metadata, msg.headers or {}
        return Delivery(
            item=item,
            stream_sequence=metadata.sequence.stream,
            deliveries=max(1, metadata.num_delivered),
            subject=msg.subject,
            msg_id=headers.get("Nats-Msg-Id"),
            headers=headers,
            stored_at=metadata.timestamp,
        )

    async def _failed(self, msg: Msg, delivery: Delivery[Item], exc: Exception) -> None:
        context = {"subject": delivery.subject, "event_id": delivery.msg_id}
        with structlog.contextvars.bound_contextvars(**context):
            if delivery.deliveries >= self.spec.max_deliver:
                await self._give_up(msg, "exhausted", _summary(exc))
                return
            delay = self.spec.retry_delay(delivery.deliveries)
            if delivery.deliveries == 1:
                log.error("event_handling_failed", redelivery_in_seconds=delay, exc_info=exc)
            else:
                log.warning(
                    "event_handling_failed_again",
                    deliveries=delivery.deliveries,
                    max_deliver=self.spec.max_deliver,
                    redelivery_in_seconds=delay,
                    error=_summary(exc),
                )
            await msg.nak(delay=delay)

    async def _give_up(self, msg: Msg, kind: DeadLetterKind, reason: str) -> None:
        """Dead-letter `msg`, then terminate it; kept (redelivered later) if the dead-letter
        stream did not take it."""
        metadata = msg.metadata
        if metadata.stream == DEADLETTERS_STREAM.name:
            # A dead letter its reader gave up on stays where it is (`impactoost dlq list`):
            # no letter about a letter.
            log.error("dead_letter_not_taken", sequence=metadata.sequence.stream, reason=reason)
            await msg.term()
            return
        letter = DeadLetter(
            service=self.spec.service,
            consumer=self.spec.durable,
            kind=kind,
            reason=reason,
            subject=msg.subject,
            body=msg.data,
            headers=dict(msg.headers or {}),
            stream=metadata.stream,
            sequence=metadata.sequence.stream,
            deliveries=metadata.num_delivered,
        )
        client = self._client or msg._client  # the connection the message came on
        try:
            await put_dead_letter(client.jetstream(), letter)
        except Exception:  # the dead letter is not stored: keep the message, try again later
            await msg.nak(delay=self.spec.retry_delay(max(1, metadata.num_delivered)))
            return
        await msg.term()


def _not_json(exc: ValueError) -> bool:
    """Whether the body was not JSON at all (or not UTF-8), rather than JSON of the wrong shape."""
    if isinstance(exc, ValidationError):
        return any(error["type"] == "json_invalid" for error in exc.errors())
    return isinstance(exc, UnicodeDecodeError) or type(exc).__name__ == "JSONDecodeError"


def _summary(exc: BaseException) -> str:
    """The error in one line, without its traceback or the offending input (which may be
    long, or name someone)."""
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in error['loc']) or '(body)'}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)[:5]
        ]
        return f"{exc.title}: {exc.error_count()} error(s): " + "; ".join(parts)
    return f"{type(exc).__name__}: {exc}"
