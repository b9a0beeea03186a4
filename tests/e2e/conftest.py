"""Helpers for end-to-end tests: the platform as processes, and JetStream introspection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import nats


async def consumer_settled(nats_url: str, stream: str, durable: str) -> bool:
    """Whether a durable consumer exists and has nothing pending or unacknowledged."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(stream, durable)
    except nats.js.errors.NotFoundError:
        return False
    finally:
        await nc.close()
    return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0


async def stream_messages(nats_url: str, stream: str) -> int:
    """How many messages a stream holds."""
    nc = await nats.connect(nats_url)
    try:
        return (await nc.jetstream().stream_info(stream)).state.messages
    finally:
        await nc.close()


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 60.0, what: str = "condition"
) -> None:
    """Await `check()` until it is true, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
