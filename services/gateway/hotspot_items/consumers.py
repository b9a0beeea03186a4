"""The durable consumers of NEWS and AGENDA, under the gateway's durable name: each fetched
batch projected in one transaction, in stream order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Engine

from contracts.agenda import AgendaEvent, AnyAgendaEvent
from contracts.news import AnyNewsEvent, NewsEvent
from contracts.subjects import (
    AGENDA_STREAM,
    ALL_AGENDA_EVENTS,
    ALL_NEWS_EVENTS,
    NEWS_STREAM,
    StreamSpec,
)
from services.gateway.hotspot_items.handlers import record_agenda_events, record_news_events
from services.gateway.read_model.consuming import RecordBatch, recorded_in_stream_order
from services.kit.batches import BatchConsumer, BatchConsumerSpec
from services.kit.nats_access import NatsTarget

SERVICE = "gateway"
E = TypeVar("E", NewsEvent, AgendaEvent)


@dataclass(frozen=True)
class ItemStream(Generic[E]):
    """What sets the news consumer and the agenda consumer apart."""

    stream: StreamSpec
    subject: str
    events: TypeAdapter[E]
    schema: object
    record: RecordBatch[E]
    title: str
    description: str


NEWS_ITEMS = ItemStream[NewsEvent](
    NEWS_STREAM,
    ALL_NEWS_EVENTS,
    TypeAdapter(AnyNewsEvent),
    AnyNewsEvent,
    record_news_events,
    title="gateway/on_news_event",
    description="Hotspots' news published, updated and withdrawn -> the news pages and feeds",
)
AGENDA_ITEMS = ItemStream[AgendaEvent](
    AGENDA_STREAM,
    ALL_AGENDA_EVENTS,
    TypeAdapter(AnyAgendaEvent),
    AnyAgendaEvent,
    record_agenda_events,
    title="gateway/on_agenda_event",
    description="Hotspots' agenda items scheduled, changed and cancelled -> the agenda "
    "pages and calendar feeds",
)


def item_consumer(
    items: ItemStream[E],
    engine: Engine,
    writing: asyncio.Lock,
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[E]:
    """The hotspots' news (`NEWS_ITEMS`) or agenda (`AGENDA_ITEMS`) -> its table."""
    spec = BatchConsumerSpec(
        stream=items.stream,
        subject=items.subject,
        durable=durable,
        service=SERVICE,
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title=items.title,
        description=items.description,
    )
    handle = recorded_in_stream_order(engine, writing, items.stream.name, items.record)
    return BatchConsumer(nats, spec, items.events.validate_json, handle, schema=items.schema)
