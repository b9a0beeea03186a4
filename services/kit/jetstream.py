"""JetStream with safe defaults: streams declared idempotently, acked publishes, manual acks.

FastStream's default NATS ack policy terminates a message on the first exception, which
loses it; every subscriber made here acknowledges explicitly, after its effect is committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
from collections.abc import Awaitable, Callable, Iterable
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
from nats.js import JetStreamContext, api
from nats.js.errors import BadRequestError, NotFoundError
from pydantic import ValidationError

from contracts.base import Event
from contracts.subjects import StreamSpec
from services.kit.settings import nats_servers

log = structlog.get_logger()
H = TypeVar("H", bound=Callable[..., Awaitable[None]])

_RETENTION = {
    "limits": api.RetentionPolicy.LIMITS,
    "interest": api.RetentionPolicy.INTEREST,
    "workqueue": api.RetentionPolicy.WORK_QUEUE,
}
_STORAGE = {"file": api.StorageType.FILE, "memory": api.StorageType.MEMORY}


MARK = "impactoost"
"""The stream metadata key naming the contract's stream a stream was created from: start-up
changes only streams that carry it (or plain streams of ours from before the mark)."""
# What our StreamSpec declares; everything else of a stream (set by an operator) is kept.
_DECLARED = ("subjects", "retention", "storage", "duplicate_window", "max_age", "num_replicas")


def stream_config(spec: StreamSpec, replicas: int = 1) -> api.StreamConfig:
    """Translate a contract's stream definition into nats-py's configuration."""
    return api.StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        retention=_RETENTION[spec.retention],
        storage=_STORAGE[spec.storage],
        duplicate_window=spec.duplicate_window_seconds,
        max_age=spec.max_age_days * 86400 if spec.max_age_days else None,
        max_msgs_per_subject=spec.max_msgs_per_subject or -1,  # nats-py's "no limit"
        num_replicas=max(replicas, spec.replicas),
        metadata={MARK: spec.name},
    )


async def ensure_streams(
    nats_url: str,
    specs: Iterable[StreamSpec],
    replicas: int = 1,
    durables: Iterable[tuple[str, ConsumerConfig]] = (),
) -> None:
    """Create the streams that are missing and bring ours to the declared configuration
    (never a stream made by someone else, see `ensure_stream`); likewise the limits of the
    `durables` (stream, configuration), this service's own, that exist already."""
    try:
        nc = await nats.connect(
            nats_servers(nats_url),
            connect_timeout=5,
            max_reconnect_attempts=3,
            allow_reconnect=False,
            error_cb=log_nats_error,
        )
    except nats.errors.NoServersError:
        raise ConnectionError(f"cannot reach NATS at {nats_url}") from None
    try:
        js = nc.jetstream()
        for spec in specs:
            await ensure_stream(js, stream_config(spec, replicas))
        for stream, consumer in durables:
            await align_durable(js, stream, consumer)
    finally:
        await nc.close()


async def ensure_stream(js: JetStreamContext, wanted: api.StreamConfig) -> None:
    """Create the stream `wanted` names, or update it to `wanted` when it is recognisably
    ours; a stream is never deleted or re-created.

    Ours: marked with our `MARK`, or (made before the mark) a plain stream with exactly our
    subjects. A mirror, a stream with sources (a region's stream that sources ours) or one
    marked or shaped otherwise is left as it is, with a warning naming what differs.
    """
    name = wanted.name or ""
    try:
        current = (await js.stream_info(name)).config
    except NotFoundError:
        try:
            await js.add_stream(wanted)
            log.info("stream_created", stream=name)
            return
        except BadRequestError:  # another service made it meanwhile: judge it as found
            current = (await js.stream_info(name)).config
    changes = _stream_changes(current, wanted)
    foreign = _not_ours(current, wanted)
    if foreign:
        log.warning("stream_left_untouched", stream=name, reason=foreign, differs=sorted(changes))
    elif changes:
        await js.update_stream(dataclasses.replace(current, **changes))
        log.info("stream_updated", stream=name, changed=sorted(changes))


def _not_ours(current: api.StreamConfig, wanted: api.StreamConfig) -> str | None:
    """Why the existing stream `current` is someone else's; None when it is ours."""
    if current.mirror is not None:
        return f"mirrors {current.mirror.name}"
    if current.sources:
        return "sources " + ", ".join(str(source.name) for source in current.sources)
    mark = (current.metadata or {}).get(MARK)
    if mark is not None and mark != wanted.name:
        return f"marked as {mark}"
    if mark is None and set(current.subjects or ()) != set(wanted.subjects or ()):
        return "not made by impactoost: other subjects"
    return None


def _stream_changes(current: api.StreamConfig, wanted: api.StreamConfig) -> dict[str, Any]:
    """The declared fields (and our metadata mark) in which `current` differs from `wanted`."""
    changes = {
        name: getattr(wanted, name)
        for name in _DECLARED
        if _normal(getattr(current, name)) != _normal(getattr(wanted, name))
    }
    metadata = {**(current.metadata or {}), **(wanted.metadata or {})}
    if metadata != (current.metadata or {}):
        changes["metadata"] = metadata
    return changes


def _normal(value: Any) -> Any:
    """A field's value as comparable: subjects in any order, no limit as 0, enums by value."""
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, float | int) or value is None:
        return round(float(value or 0), 3)
    return getattr(value, "value", value)


_LIMITS = ("ack_wait", "max_deliver", "max_ack_pending")


async def align_durable(js: JetStreamContext, stream: str, wanted: ConsumerConfig) -> None:
    """Give an existing durable the limits of `wanted` (ack wait, deliveries, acks pending)
    and, when `wanted` names one, its filter.

    nats-py binds a durable that exists as it is, so without this a changed setting (say
    IMPACTOOST_ACK_WAIT_SECONDS) would never reach a consumer made before the change. These
    can be changed in place; a durable not there yet is made by its subscriber. Only the
    durable named in `wanted`, which the caller owns, is ever touched.
    """
    try:
        current = (await js.consumer_info(stream, wanted.durable_name or "")).config
    except NotFoundError:
        return
    changes: dict[str, Any] = {
        name: getattr(wanted, name)
        for name in _LIMITS
        if getattr(wanted, name) is not None
        and not math.isclose(getattr(current, name) or 0, getattr(wanted, name))
    }
    if consumer_filters(wanted) and consumer_filters(current) != consumer_filters(wanted):
        changes["filter_subject"] = wanted.filter_subject
        changes["filter_subjects"] = wanted.filter_subjects
    if changes:
        # Same name: the server updates the consumer in place (create-or-update).
        await js.add_consumer(stream, config=dataclasses.replace(current, **changes))
        log.info("durable_limits_updated", stream=stream, durable=wanted.durable_name, **changes)


def consumer_filters(config: ConsumerConfig) -> frozenset[str]:
    """The subjects a consumer is filtered on, however its configuration spells them."""
    if config.filter_subjects:
        return frozenset(config.filter_subjects)
    return frozenset([config.filter_subject] if config.filter_subject else [])


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
    nats_url: str,
    *,
    graceful_timeout: float = 20.0,
    retry_delay: float = 2.0,
) -> NatsBroker:
    """A broker that acks explicitly, reconnects forever and drains in-flight handlers on
    shutdown."""
    return NatsBroker(
        nats_servers(nats_url),
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
    batch_size: int = 1,
    ack_wait_seconds: float = 30.0,
    max_deliver: int = -1,
    **kwargs: Any,
) -> Callable[[H], H]:
    """A durable pull subscriber; the broker's `ExplicitAck` acks after the handler returns.

    FastStream runs the messages of one pull batch concurrently, so `batch_size` above 1
    gives up ordering: keep 1 wherever events about one entity must apply in order.
    """
    subscriber = registrator.subscriber(
        subject,
        stream=JStream(stream.name, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=batch_size, timeout=2.0),
        config=consumer_config(batch_size, ack_wait_seconds, max_deliver),
        ack_policy=AckPolicy.MANUAL,
        decoder=_json_body,
        **kwargs,
    )
    return cast("Callable[[H], H]", subscriber)


async def _json_body(msg: StreamMessage[Any]) -> Any:
    """Every event on our streams is JSON, whatever content-type its publisher declared."""
    return json.loads(msg.body)


class ExplicitAck(BaseMiddleware):
    """Acknowledge a JetStream message only after its handler returned.

    An invalid payload is terminated (it would fail forever); any other exception is
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
