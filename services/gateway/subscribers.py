"""The read model's durable consumers, both under the configured durable name: enterprise
events in batches (a new gateway replays the whole stream), scrape outcomes one by one."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Annotated

from faststream.nats import NatsRouter
from faststream.nats.annotations import NatsMessage
from pydantic import Field, TypeAdapter
from sqlalchemy import Engine

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.preferences import MailPreferenceChanged
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from contracts.signin import SignInLinkIssued, SignInRequested
from contracts.subjects import (
    ALL_ENTERPRISE_EVENTS,
    ALL_SCRAPE_EVENTS,
    ENTERPRISES_STREAM,
    SCRAPES_STREAM,
    SIGNINS_STREAM,
    preference_subject,
    signin_subject,
    supplement_subject,
)
from contracts.supplements import SupplementSubmitted
from services.gateway.handlers import record_enterprise_events, record_scrape_event
from services.gateway.read_model.projection import Position
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.jetstream import durable_subscriber
from services.kit.nats_access import NatsTarget

AnyScrapeEvent = Annotated[ScrapeCompleted | ScrapeFailed, Field(discriminator="kind")]
ENTERPRISE_EVENTS: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)


def enterprise_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    *,
    nats: NatsTarget,
    durable: str,
    subjects: tuple[str, ...] = (ALL_ENTERPRISE_EVENTS,),
    ack_wait_seconds: float = 30.0,
) -> BatchConsumer[EnterpriseEvent]:
    """The durable consumer of ENTERPRISES, filtered on `subjects` (a regional gateway's
    provinces): each fetched batch projected in one transaction, in stream order;
    out-of-order redeliveries are the version guard's job."""
    spec = BatchConsumerSpec(
        stream=ENTERPRISES_STREAM,
        subject=subjects[0],
        subjects=subjects,
        durable=durable,
        ack_wait_seconds=ack_wait_seconds,
    )

    async def handle(deliveries: Sequence[Delivery[EnterpriseEvent]]) -> list[Exception | None]:
        ordered = sorted(deliveries, key=lambda d: d.stream_sequence)
        batch = [(d.item, Position(ENTERPRISES_STREAM.name, d.stream_sequence)) for d in ordered]
        async with writing:
            results = await asyncio.to_thread(record_enterprise_events, engine, batch)
        recorded = dict(zip(map(id, ordered), results, strict=True))
        return [r if isinstance(r := recorded[id(d)], Exception) else None for d in deliveries]

    return BatchConsumer(nats, spec, ENTERPRISE_EVENTS.validate_json, handle)


def build_router(
    engine: Engine,
    writing: asyncio.Lock,
    *,
    durable: str,
    inbox: str,
    ack_wait_seconds: float = 30.0,
    for_documents: bool = False,
) -> NatsRouter:
    """The scrape outcomes' subscriber; `for_documents` adds the enterprise events' consumer
    as a subscriber only the AsyncAPI document sees (the running one is
    `enterprise_consumer`). Both write under `writing`: one writer at a time suits SQLite."""
    router = NatsRouter()

    if for_documents:

        @durable_subscriber(
            router,
            ALL_ENTERPRISE_EVENTS,
            stream=ENTERPRISES_STREAM,
            durable=durable,
            inbox=inbox,
            ack_wait_seconds=ack_wait_seconds,
            title="gateway/on_enterprise_event",
            description="Listed, updated and delisted enterprises -> read model; "
            "recertification reminders change no state and are skipped",
        )
        async def on_enterprise_event(event: AnyEnterpriseEvent) -> None:
            raise RuntimeError("documents the enterprise consumer; never subscribed")

        _document_self_service(router, durable, inbox, ack_wait_seconds)

    @durable_subscriber(
        router,
        ALL_SCRAPE_EVENTS,
        stream=SCRAPES_STREAM,
        durable=durable,
        inbox=inbox,
        ack_wait_seconds=ack_wait_seconds,
        title="gateway/on_scrape_event",
        description="Scrape outcomes -> per-label freshness",
    )
    async def on_scrape_event(event: AnyScrapeEvent, msg: NatsMessage) -> None:
        async with writing:
            await asyncio.to_thread(record_scrape_event, engine, event, _position(msg))

    return router


def _document_self_service(
    router: NatsRouter, durable: str, inbox: str, ack_wait_seconds: float
) -> None:
    """The sign-in link consumer (services/gateway/signin/consumer.py) as a subscriber only
    the AsyncAPI document sees, and what the sign-in and edit forms publish."""

    @durable_subscriber(
        router,
        signin_subject("link_issued"),
        stream=SIGNINS_STREAM,
        durable=durable,
        inbox=inbox,
        ack_wait_seconds=ack_wait_seconds,
        title="gateway/on_sign_in_link_issued",
        description="Hashes of mailed sign-in links -> the gateway's own link table",
    )
    async def on_sign_in_link_issued(event: SignInLinkIssued) -> None:
        raise RuntimeError("documents the sign-in link consumer; never subscribed")

    router.publisher(
        signin_subject("requested"),
        title="gateway/to_sign_in_requested",
        schema=SignInRequested,
        description="Someone asked for a sign-in link on an enterprise's page",
    )
    router.publisher(
        supplement_subject(),
        title="gateway/to_supplement_submitted",
        schema=SupplementSubmitted,
        description="A signed-in enterprise submitted its supplement",
    )
    router.publisher(
        preference_subject("mail"),
        title="gateway/to_mail_preference_changed",
        schema=MailPreferenceChanged,
        description="The holder of a mail preference link stopped or restarted the mails "
        "that are not essential (the page's form or a one-click unsubscribe)",
    )


def _position(msg: NatsMessage) -> Position:
    metadata = msg.raw_message.metadata
    return Position(stream=metadata.stream, seq=metadata.sequence.stream)
