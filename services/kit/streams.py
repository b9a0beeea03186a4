"""Streams and durables declared at start-up: created when missing, brought to the contract's
configuration when ours, never touched when someone else made them (a region's mirror or a
stream that sources ours), never deleted."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import math
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import nats
import structlog
from nats.js import JetStreamContext, api
from nats.js.errors import BadRequestError, NotFoundError, ServiceUnavailableError

from contracts.subjects import StreamSpec
from services.kit.jetstream import log_nats_error
from services.kit.nats_access import NatsTarget, connect
from services.kit.nats_users import ServiceUser

log = structlog.get_logger()

_RETENTION = {
    "limits": api.RetentionPolicy.LIMITS,
    "interest": api.RetentionPolicy.INTEREST,
    "workqueue": api.RetentionPolicy.WORK_QUEUE,
}
_STORAGE = {"file": api.StorageType.FILE, "memory": api.StorageType.MEMORY}


API_TIMEOUT_SECONDS = 15.0
MARK = "impactoost"
"""The stream metadata key naming the contract's stream a stream was created from: start-up
changes only streams that carry it (or plain streams of ours from before the mark)."""
# What our StreamSpec declares; everything else of a stream (set by an operator) is kept.
_DECLARED = (
    "subjects",
    "retention",
    "storage",
    "duplicate_window",
    "max_age",
    "max_msgs_per_subject",
    "max_msgs",
    "max_bytes",
    "max_msg_size",
    "discard",
    "num_replicas",
)
_DISCARD = {"old": api.DiscardPolicy.OLD, "new": api.DiscardPolicy.NEW}


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
        max_msgs=spec.max_msgs or -1,
        max_bytes=spec.max_bytes or -1,
        max_msg_size=spec.max_msg_size or -1,
        discard=_DISCARD[spec.discard],
        num_replicas=max(replicas, spec.replicas),
        metadata={MARK: spec.name},
    )


async def ensure_streams(
    nats: NatsTarget,
    specs: Iterable[StreamSpec],
    replicas: int = 1,
    owner: ServiceUser | None = None,
) -> None:
    """Create the streams that are missing and bring ours to the declared configuration
    (never a stream made by someone else, see `ensure_stream`). Each batch consumer brings
    its own durable to its limits when it starts (`align_durable`).

    With an `owner`, only the streams that service uses are touched, and only those it owns
    are updated: its NATS user may create the others when missing, not change them.
    """
    nc = await connect(
        nats,
        connect_timeout=5,
        max_reconnect_attempts=3,
        allow_reconnect=False,
        error_cb=log_nats_error,
    )
    try:
        # Creating a replicated stream waits for its peers to agree: on a loaded cluster
        # that can take longer than nats-py's default of 5 s per API call.
        js = nc.jetstream(timeout=API_TIMEOUT_SECONDS)
        for spec in specs:
            if owner is not None and spec.name not in (*owner.owns, *owner.reads):
                continue
            updates = owner is None or spec.name in owner.owns
            config = stream_config(spec, replicas)
            await _patiently(functools.partial(ensure_stream, js, config, update=updates))
    finally:
        await nc.close()


async def _patiently(call: Callable[[], Awaitable[None]], attempts: int = 4) -> None:
    """Run a JetStream call, asking again while a cluster that lost a node elects new stream
    leaders (a request meanwhile goes unanswered, or finds no responders)."""
    for attempt in range(1, attempts + 1):
        try:
            await call()
            return
        except (nats.errors.TimeoutError, ServiceUnavailableError) as exc:
            if attempt == attempts:
                raise
            log.warning("stream_check_retried", attempt=attempt, error=type(exc).__name__)
            await asyncio.sleep(1.0)


async def ensure_stream(
    js: JetStreamContext, wanted: api.StreamConfig, update: bool = True
) -> None:
    """Create the stream `wanted` names, or (when `update`) update it to `wanted` when it is
    recognisably ours; a stream is never deleted or re-created.

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
    if not update:
        return
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
    """A field's value as comparable: subjects in any order, no limit (None, 0 or -1) as 0,
    enums by value."""
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, float | int) or value is None:
        return round(max(float(value or 0), 0.0), 3)
    return getattr(value, "value", value)


_LIMITS = ("ack_wait", "max_deliver", "max_ack_pending", "inactive_threshold")


async def align_durable(js: JetStreamContext, stream: str, wanted: api.ConsumerConfig) -> None:
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


def consumer_filters(config: api.ConsumerConfig) -> frozenset[str]:
    """The subjects a consumer is filtered on, however its configuration spells them."""
    if config.filter_subjects:
        return frozenset(config.filter_subjects)
    return frozenset([config.filter_subject] if config.filter_subject else [])


async def stream_messages(nats: NatsTarget, stream: str) -> int:
    """How many messages `stream` holds; 0 when it does not exist."""
    nc = await connect(nats, connect_timeout=5, allow_reconnect=False)
    try:
        return int((await nc.jetstream().stream_info(stream)).state.messages)
    except NotFoundError:
        return 0
    finally:
        await nc.close()
