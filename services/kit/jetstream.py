"""JetStream with safe defaults: acked publishes with message ids, retried.

Consuming is the batch consumer's (batches.py); streams and durables are declared in
streams.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import nats
import structlog
from faststream.nats import (
    NatsBroker,
    PubAck,
)
from nats.js import api
from pydantic import ValidationError

from contracts.base import Event
from contracts.subjects import StreamSpec
from services.kit.nats_access import NatsTarget, access_of

log = structlog.get_logger()
H = TypeVar("H", bound=Callable[..., Awaitable[None]])


async def log_nats_error(exc: Exception) -> None:
    # nats-py's default callback prints a full traceback for every failed connect attempt.
    log.warning("nats_error", error=f"{type(exc).__name__}: {exc}")


def make_broker(nats: NatsTarget, *, graceful_timeout: float = 20.0) -> NatsBroker:
    """A broker for publishing (and the scraper's command requests) that reconnects forever
    and drains in-flight handlers on shutdown. Streams are consumed by the kit's batch
    consumer (batches.py), never by FastStream subscribers."""
    return NatsBroker(
        **access_of(nats).broker_options(),
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
