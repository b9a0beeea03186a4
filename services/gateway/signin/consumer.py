"""The link hashes' consumers: issued links from SIGNINS into a link book's own table, under
the gateway's durable name (with a suffix per kind of link); expired links and sessions are
purged with every batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Engine

from contracts.subjects import SIGNINS_STREAM
from services.gateway.signin.book import IssuedLink, LinkBook
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.nats_access import NatsTarget

E = TypeVar("E", bound=IssuedLink)


@dataclass(frozen=True)
class IssuedLinks(Generic[E]):
    """One kind of issued link: its event and subject, the book that keeps it, and how its
    consumer is named and described."""

    book: LinkBook[Any]
    schema: type[E]
    subject: str
    durable_suffix: str
    title: str
    description: str


def link_consumer(
    issued: IssuedLinks[E],
    engine: Engine,
    writing: asyncio.Lock,
    now: Callable[[], datetime],
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[E]:
    """The durable consumer of one kind of issued link; a batch is recorded in one
    transaction."""
    spec = BatchConsumerSpec(
        stream=SIGNINS_STREAM,
        subject=issued.subject,
        durable=f"{durable}{issued.durable_suffix}",
        service="gateway",
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title=issued.title,
        description=issued.description,
    )
    book = issued.book

    async def handle(deliveries: Sequence[Delivery[E]]) -> list[Exception | None]:
        events = [d.item for d in sorted(deliveries, key=lambda d: d.stream_sequence)]
        try:
            async with writing:
                await asyncio.to_thread(book.record, engine, events, now())
                await asyncio.to_thread(book.purge_expired, engine, now())
        except Exception as exc:
            return [exc for _ in deliveries]
        return [None for _ in deliveries]

    decode = TypeAdapter(issued.schema).validate_json
    return BatchConsumer(nats, spec, decode, handle, schema=issued.schema)
