"""JetStream plumbing of the benchmarks: pipelined publishing, waiting for a durable's acks,
scratch streams for the raw baselines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.base import Event

# Publishes in flight at once: enough to keep the server busy, so publishing never limits.
PUBLISH_WINDOW = 256
POLL_SECONDS = 0.005


@dataclass(frozen=True)
class Message:
    """One payload to publish, with the id JetStream deduplicates by."""

    subject: str
    payload: bytes
    msg_id: str

    @classmethod
    def of(cls, subject: str, event: Event) -> Message:
        """An event as the services publish it: JSON, `Nats-Msg-Id` = event id."""
        return cls(subject, event.model_dump_json().encode(), event.event_id)


async def connect(url: str, inbox_prefix: str = "_INBOX") -> Client:
    """A plain nats-py connection that gives up at once when the server is gone."""
    return await nats.connect(
        url, connect_timeout=5, allow_reconnect=False, inbox_prefix=inbox_prefix
    )


async def publish_all(js: JetStreamContext, messages: Sequence[Message]) -> int:
    """Publish every message, awaiting each ack, `PUBLISH_WINDOW` at a time; the highest
    stream sequence acknowledged."""
    window = asyncio.Semaphore(PUBLISH_WINDOW)

    async def one(message: Message) -> int:
        async with window:
            headers = {"Nats-Msg-Id": message.msg_id, "content-type": "application/json"}
            ack = await js.publish(message.subject, message.payload, timeout=30, headers=headers)
            return int(ack.seq)

    sequences = await asyncio.gather(*(one(m) for m in messages))
    return max(sequences, default=0)


async def wait_for_acks(
    js: JetStreamContext, stream: str, durable: str, last_seq: int, within: float
) -> float:
    """Poll the durable until everything up to `last_seq` is acknowledged; the moment it was
    seen (`time.perf_counter`). Its consumer acks only after committing, so this is when
    the last effect was committed."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        info = await js.consumer_info(stream, durable)
        if info.ack_floor is not None and (info.ack_floor.stream_seq or 0) >= last_seq:
            return time.perf_counter()
        await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError(f"{durable} on {stream} did not ack up to {last_seq} in {within:.0f}s")


async def wait_for_pull(js: JetStreamContext, stream: str, durable: str, within: float) -> None:
    """Wait until the durable exists and a pull request is waiting on it: its consumer runs."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        try:
            info = await js.consumer_info(stream, durable)
        except NotFoundError:
            info = None
        if info is not None and (info.num_waiting or 0) > 0:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no consumer {durable} pulling from {stream} within {within:.0f}s")
