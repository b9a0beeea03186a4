"""The raw baseline consumer, run as its own process like a service:
`python -m services.bench.raw_consumer URL STREAM DURABLE COUNT BATCH`.

It pull-fetches and acks COUNT messages from an existing durable and does nothing else, so
the benchmark measures what JetStream and nats-py alone cost per message.
"""

from __future__ import annotations

import asyncio
import sys

import nats
from nats.errors import TimeoutError as NatsTimeout


async def consume(url: str, stream: str, durable: str, count: int, batch: int) -> None:
    """Fetch up to `batch` at a time and ack each message, until `count` are acked."""
    client = await nats.connect(url, connect_timeout=5, allow_reconnect=False)
    try:
        subscription = await client.jetstream().pull_subscribe_bind(durable, stream)
        acked = 0
        while acked < count:
            try:
                messages = await subscription.fetch(batch, timeout=2)
            except NatsTimeout:
                continue
            for message in messages:
                await message.ack()
                acked += 1
        await client.flush()
    finally:
        await client.close()


def main(argv: list[str]) -> None:
    """Entry point: positional arguments as in the module's docstring."""
    url, stream, durable, count, batch = argv
    asyncio.run(consume(url, stream, durable, int(count), int(batch)))


if __name__ == "__main__":
    main(sys.argv[1:])
