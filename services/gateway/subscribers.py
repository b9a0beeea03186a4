"""The read model's durable subscribers: one per stream, both under the configured durable."""

from __future__ import annotations

import asyncio
from typing import Annotated

from faststream.nats import NatsRouter
from faststream.nats.annotations import NatsMessage
from pydantic import Field
from sqlalchemy import Engine

from contracts.enterprises import EnterpriseEvent
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from contracts.subjects import (
    ALL_ENTERPRISE_EVENTS,
    ALL_SCRAPE_EVENTS,
    ENTERPRISES_STREAM,
    SCRAPES_STREAM,
)
from services.gateway.handlers import record_enterprise_event, record_scrape_event
from services.gateway.read_model.projection import Position
from services.kit.jetstream import durable_subscriber

AnyEnterpriseEvent = Annotated[EnterpriseEvent, Field(discriminator="kind")]
AnyScrapeEvent = Annotated[ScrapeCompleted | ScrapeFailed, Field(discriminator="kind")]


def build_router(engine: Engine, *, durable: str, ack_wait_seconds: float = 30.0) -> NatsRouter:
    """Subscribers that feed the read model in `engine` from ENTERPRISES and SCRAPES.

    The two subscribers run side by side; one writer at a time suits SQLite (a single writer
    anyway). Out-of-order delivery (redeliveries, larger batches) is the version guard's job.
    """
    router = NatsRouter()
    writing = asyncio.Lock()

    @durable_subscriber(
        router,
        ALL_ENTERPRISE_EVENTS,
        stream=ENTERPRISES_STREAM,
        durable=durable,
        ack_wait_seconds=ack_wait_seconds,
        title="gateway/on_enterprise_event",
        description="Listed, updated and delisted enterprises -> read model; "
        "recertification reminders change no state and are skipped",
    )
    async def on_enterprise_event(event: AnyEnterpriseEvent, msg: NatsMessage) -> None:
        async with writing:
            await asyncio.to_thread(record_enterprise_event, engine, event, _position(msg))

    @durable_subscriber(
        router,
        ALL_SCRAPE_EVENTS,
        stream=SCRAPES_STREAM,
        durable=durable,
        ack_wait_seconds=ack_wait_seconds,
        title="gateway/on_scrape_event",
        description="Scrape outcomes -> per-label freshness",
    )
    async def on_scrape_event(event: AnyScrapeEvent, msg: NatsMessage) -> None:
        async with writing:
            await asyncio.to_thread(record_scrape_event, engine, event, _position(msg))

    return router


def _position(msg: NatsMessage) -> Position:
    metadata = msg.raw_message.metadata
    return Position(stream=metadata.stream, seq=metadata.sequence.stream)
