"""JetStream with safe defaults: acked publishes with message ids, manual acks, retries.

FastStream's default NATS ack policy terminates a message on the first exception, which
loses it; every subscriber made here acknowledges explicitly, after its effect is committed.
Streams and durables are declared in streams.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import nats
import structlog
from faststream import AckPolicy, BaseMiddleware
from faststream.message import StreamMessage
from faststream.nats import (
    ConsumerConfig,
    JStream,
    NatsBroker,
    NatsMessage,
    PubAck,
    PullSub,
)
from faststream.nats.broker.registrator import NatsRegistrator
from nats.js import api
from pydantic import ValidationError

from contracts.base import Event
from contracts.subjects import StreamSpec
from services.kit.nats_access import NatsTarget, access_of

log = structlog.get_logger()
H = TypeVar("H", bound=Callable[..., Awaitable[None]])


def durables_of(broker: NatsBroker) -> list[tuple[str, ConsumerConfig]]:
    """The (stream, configuration) of every durable JetStream subscriber of `broker`."""
    found = []
    for subscriber in broker.subscribers:
        stream, config = getattr(subscriber, "stream", None), getattr(subscriber, "config", None)
        if stream is not None and getattr(config, "durable_name", None):
            found.append((stream.name, cast("ConsumerConfig", config)))
    return found


async def log_nats_error(exc: Exception) -> None:
    # nats-py's default callback prints a full traceback for every failed connect attempt.
    log.warning("nats_error", error=f"{type(exc).__name__}: {exc}")


def make_broker(
    nats: NatsTarget,
    *,
    graceful_timeout: float = 20.0,
    retry_delay: float = 2.0,
) -> NatsBroker:
    """A broker that acks explicitly, reconnects forever and drains in-flight handlers on
    shutdown."""
    return NatsBroker(
        **access_of(nats).broker_options(),
        middlewares=[explicit_ack(retry_delay)],
        graceful_timeout=graceful_timeout,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        error_cb=log_nats_error,
        logger=None,
    )


async def publish_event(
    broker: NatsBroker,
    subject: str,
    event: Event,
    *,
    stream: StreamSpec,
    timeout: float = 5.0,  # noqa: ASYNC109 - the NATS request's own timeout
    attempts: int = 6,
) -> PubAck:
    """Publish to JetStream and wait for its ack, retrying with the same `Nats-Msg-Id`."""
    payload = event.model_dump_json().encode()
    return await publish_json(
        broker, subject, payload, event.event_id, stream=stream, timeout=timeout, attempts=attempts
    )


async def publish_json(
    broker: NatsBroker,
    subject: str,
    payload: bytes,
    event_id: str,
    *,
    stream: StreamSpec,
    timeout: float = 5.0,  # noqa: ASYNC109 - the NATS request's own timeout
    attempts: int = 6,
    direct: bool = False,
) -> PubAck | api.PubAck:
    """Publish an event already serialised (`payload`, its JSON) to JetStream and wait for
    its ack, retrying with the same `Nats-Msg-Id`.

    Retrying is safe: the stream's duplicate window drops a re-sent id and says so in the ack.
    `direct` publishes on the broker's connection with nats-py, past FastStream's publish
    middlewares and producer: for a hot path that needs none of them (they cost about as much
    as the publish itself), and never under a test broker.
    """
    headers = {"Nats-Msg-Id": event_id, "content-type": "application/json"}
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            if direct:
                js = broker.connection.jetstream()
                ack = await js.publish(
                    subject, payload, timeout=timeout, stream=stream.name, headers=headers
                )
            else:
                ack = await broker.publish(
                    payload, subject, headers=headers, stream=stream.name, timeout=timeout
                )
            log.debug(
                "event_published",
                subject=subject,
                event_id=event_id,
                duplicate=ack.duplicate,
                seq=ack.seq,
            )
            return ack
        except (
            TimeoutError,
            nats.errors.TimeoutError,
            nats.errors.NoRespondersError,
            nats.errors.ConnectionClosedError,
        ) as exc:
            if attempt == attempts:
                raise
            log.warning(
                "publish_retried",
                subject=subject,
                event_id=event_id,
                attempt=attempt,
                error=type(exc).__name__,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


def consumer_config(
    batch_size: int, ack_wait_seconds: float, max_deliver: int = -1, **fields: Any
) -> ConsumerConfig:
    """A durable consumer's limits: the ack wait, redelivery without end, and room for a few
    fetched batches awaiting their acks."""
    return ConsumerConfig(
        ack_wait=ack_wait_seconds,
        max_deliver=max_deliver,
        max_ack_pending=max(batch_size * 4, 64),
        **fields,
    )


def durable_subscriber(
    registrator: NatsRegistrator,
    subject: str,
    *,
    stream: StreamSpec,
    durable: str,
    inbox: str,
    batch_size: int = 1,
    ack_wait_seconds: float = 30.0,
    max_deliver: int = -1,
    **kwargs: Any,
) -> Callable[[H], H]:
    """A durable pull subscriber; the broker's `ExplicitAck` acks after the handler returns.

    FastStream runs the messages of one pull batch concurrently, so `batch_size` above 1
    gives up ordering: keep 1 wherever events about one entity must apply in order. `inbox`
    is the connection's inbox prefix (`NatsAccess.inbox_prefix`): FastStream would otherwise
    pull into `_INBOX.`, which no user may subscribe to.
    """
    subscriber = registrator.subscriber(
        subject,
        stream=JStream(stream.name, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=batch_size, timeout=2.0),
        config=consumer_config(batch_size, ack_wait_seconds, max_deliver),
        ack_policy=AckPolicy.MANUAL,
        decoder=_json_body,
        inbox_prefix=f"{inbox}.".encode(),
        **kwargs,
    )
    return cast("Callable[[H], H]", subscriber)


async def _json_body(msg: StreamMessage[Any]) -> Any:
    """Every event on our streams is JSON, whatever content-type its publisher declared."""
    return json.loads(msg.body)


def is_unknown_kind(exc: Exception) -> bool:
    """Whether a payload failed only because its `kind` is one this code does not know: a
    kind a newer publisher added, which a v1 reader acknowledges and skips (compatibility
    rules, docs/compatibility.md); a missing or malformed `kind` is no such thing."""
    if not isinstance(exc, ValidationError):
        return False
    errors = exc.errors()
    return bool(errors) and all(
        error["type"] == "union_tag_invalid"
        and isinstance(error["input"], dict)
        and isinstance(error["input"].get("kind"), str)
        and re.fullmatch(r"[a-z][a-z0-9_]*", error["input"]["kind"]) is not None
        for error in errors
    )


class ExplicitAck(BaseMiddleware):
    """Acknowledge a JetStream message only after its handler returned.

    An invalid payload is terminated (it would fail forever), one of a kind this code does not
    know is acknowledged and skipped; any other exception is
    negatively acknowledged, and redelivery backs off with the delivery count. The subject
    and event id are bound to every log line written while the handler runs.
    """

    retry_delay: float = 2.0
    max_retry_delay: float = 60.0

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        raw = msg.raw_message
        if not str(getattr(raw, "reply", "")).startswith("$JS.ACK"):
            return await call_next(msg)
        context = {"subject": raw.subject, "event_id": (raw.headers or {}).get("Nats-Msg-Id")}
        with structlog.contextvars.bound_contextvars(**context):
            try:
                result = await call_next(msg)
            except (ValidationError, ValueError) as exc:
                if is_unknown_kind(exc):
                    log.debug("event_kind_skipped")
                    await msg.ack()
                    return None
                # Malformed JSON or a payload that fails its schema would fail forever.
                log.error("event_rejected", reason=f"invalid payload: {type(exc).__name__}")
                await msg.reject()
                return None
            except Exception as exc:
                await _retry_later(
                    cast("NatsMessage", msg), exc, self.retry_delay, self.max_retry_delay
                )
                return None
            await msg.ack()
            return result


def explicit_ack(retry_delay: float = 2.0, max_retry_delay: float = 60.0) -> type[ExplicitAck]:
    """An `ExplicitAck` middleware with its own redelivery back-off."""
    return type(
        "ExplicitAck",
        (ExplicitAck,),
        {"retry_delay": retry_delay, "max_retry_delay": max_retry_delay},
    )


async def _retry_later(msg: NatsMessage, exc: Exception, base: float, cap: float) -> None:
    await retry_later(lambda delay: msg.nack(delay=delay), _delivery_count(msg), exc, base, cap)


async def retry_later(
    nak: Callable[[float], Awaitable[None]],
    deliveries: int,
    exc: Exception,
    base: float,
    cap: float,
) -> None:
    """Log a failed handling of a message delivered `deliveries` times (in full the first
    time), and `nak` it with a back-off that doubles per delivery, from `base` up to `cap`."""
    delay = min(base * 2 ** (deliveries - 1), cap)
    if deliveries == 1:
        log.error("event_handling_failed", redelivery_in_seconds=delay, exc_info=exc)
    else:
        log.warning(
            "event_handling_failed_again",
            deliveries=deliveries,
            redelivery_in_seconds=delay,
            error=f"{type(exc).__name__}: {exc}",
        )
    await nak(delay)


def _delivery_count(msg: StreamMessage[Any]) -> int:
    try:
        return max(1, int(msg.raw_message.metadata.num_delivered))
    except (AttributeError, TypeError, ValueError):
        return 1
