"""The durable consumers of NEWS and AGENDA, under the gateway's durable name: each fetched
batch projected in one transaction, in stream order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Engine

from contracts.agenda import AgendaEvent, AnyAgendaEvent
from contracts.news import AnyNewsEvent, NewsEvent
from contracts.subjects import AGENDA_STREAM, ALL_AGENDA_EVENTS, ALL_NEWS_EVENTS, NEWS_STREAM
from services.gateway.hotspot_items.handlers import record_agenda_events, record_news_events
from services.gateway.read_model.projection import Position
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery, HandleBatch
from services.kit.nats_access import NatsTarget

SERVICE = "gateway"
NEWS_EVENTS: TypeAdapter[NewsEvent] = TypeAdapter(AnyNewsEvent)
AGENDA_EVENTS: TypeAdapter[AgendaEvent] = TypeAdapter(AnyAgendaEvent)
E = TypeVar("E", NewsEvent, AgendaEvent)


def news_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[NewsEvent]:
    """Published, updated and withdrawn news of every hotspot -> the news table."""
    spec = BatchConsumerSpec(
        stream=NEWS_STREAM,
        subject=ALL_NEWS_EVENTS,
        durable=durable,
        service=SERVICE,
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title="gateway/on_news_event",
        description="Hotspots' news published, updated and withdrawn -> the news pages and feeds",
    )
    handle = _handler(engine, writing, NEWS_STREAM.name, record_news_events)
    return BatchConsumer(nats, spec, NEWS_EVENTS.validate_json, handle, schema=AnyNewsEvent)


def agenda_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[AgendaEvent]:
    """Scheduled, changed and cancelled agenda items of every hotspot -> the agenda table."""
    spec = BatchConsumerSpec(
        stream=AGENDA_STREAM,
        subject=ALL_AGENDA_EVENTS,
        durable=durable,
        service=SERVICE,
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title="gateway/on_agenda_event",
        description="Hotspots' agenda items scheduled, changed and cancelled -> the agenda "
        "pages and calendar feeds",
    )
    handle = _handler(engine, writing, AGENDA_STREAM.name, record_agenda_events)
    return BatchConsumer(nats, spec, AGENDA_EVENTS.validate_json, handle, schema=AnyAgendaEvent)


def _handler(
    engine: Engine,
    writing: asyncio.Lock,
    stream: str,
    record: Callable[[Engine, Sequence[tuple[E, Position]]], list[bool | Exception]],
) -> HandleBatch[E]:
    async def handle(deliveries: Sequence[Delivery[E]]) -> list[Exception | None]:
        ordered = sorted(deliveries, key=lambda d: d.stream_sequence)
        batch = [(d.item, Position(stream, d.stream_sequence)) for d in ordered]
        async with writing:
            results = await asyncio.to_thread(record, engine, batch)
        recorded: dict[int, Any] = dict(zip(map(id, ordered), results, strict=True))
        return [r if isinstance(r := recorded[id(d)], Exception) else None for d in deliveries]

    return handle
