"""The read model's durable consumers, all under the configured durable name: enterprise
events in batches (a new gateway replays the whole stream), scrape outcomes, and what the
gateway publishes (its AsyncAPI document lists exactly these)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from pydantic import Field, TypeAdapter
from sqlalchemy import Engine

from contracts.alerts import AlertConfirmationRequested, AlertDigestReady
from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.preferences import MailPreferenceChanged
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from contracts.signin import SignInRequested
from contracts.subjects import (
    ALERTS_STREAM,
    ALL_ENTERPRISE_EVENTS,
    ALL_SCRAPE_EVENTS,
    ENTERPRISES_STREAM,
    PREFERENCES_STREAM,
    SCRAPES_STREAM,
    SIGNINS_STREAM,
    SUPPLEMENTS_STREAM,
    alert_subject,
    preference_subject,
    signin_subject,
    supplement_subject,
)
from contracts.supplements import SupplementSubmitted
from services.gateway.handlers import record_enterprise_events, record_scrape_event
from services.gateway.read_model.consuming import recorded_in_stream_order
from services.gateway.read_model.projection import Position
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery, each_delivery
from services.kit.nats_access import NatsTarget
from services.kit.publications import Publication

SERVICE = "gateway"
AnyScrapeEvent = Annotated[ScrapeCompleted | ScrapeFailed, Field(discriminator="kind")]
ENTERPRISE_EVENTS: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)
SCRAPE_EVENTS: TypeAdapter[ScrapeCompleted | ScrapeFailed] = TypeAdapter(AnyScrapeEvent)
SCRAPE_BATCH = 20
PUBLICATIONS = (
    Publication(
        signin_subject("requested"),
        SignInRequested,
        SIGNINS_STREAM,
        "gateway/to_sign_in_requested",
        "Someone asked for a sign-in link on an enterprise's page",
    ),
    Publication(
        supplement_subject(),
        SupplementSubmitted,
        SUPPLEMENTS_STREAM,
        "gateway/to_supplement_submitted",
        "A signed-in enterprise submitted its supplement",
    ),
    Publication(
        preference_subject("mail"),
        MailPreferenceChanged,
        PREFERENCES_STREAM,
        "gateway/to_mail_preference_changed",
        "The holder of a mail preference link stopped or restarted the mails that are not "
        "essential (the page's form or a one-click unsubscribe)",
    ),
    Publication(
        alert_subject("confirmation_requested"),
        AlertConfirmationRequested,
        ALERTS_STREAM,
        "gateway/to_alert_confirmation_requested",
        "Someone asked for an alert: mail the link that confirms it",
    ),
    Publication(
        alert_subject("digest_ready"),
        AlertDigestReady,
        ALERTS_STREAM,
        "gateway/to_alert_digest_ready",
        "An alert's period ended with changes: mail them (never for an empty period)",
    ),
)


def enterprise_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    *,
    nats: NatsTarget,
    durable: str,
    subjects: tuple[str, ...] = (ALL_ENTERPRISE_EVENTS,),
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[EnterpriseEvent]:
    """The durable consumer of ENTERPRISES, filtered on `subjects` (a regional gateway's
    provinces): each fetched batch projected in one transaction, in stream order;
    out-of-order redeliveries are the version guard's job."""
    spec = BatchConsumerSpec(
        stream=ENTERPRISES_STREAM,
        subject=subjects[0],
        subjects=subjects,
        durable=durable,
        service=SERVICE,
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title="gateway/on_enterprise_event",
        description="Listed, updated and delisted enterprises -> read model; "
        "recertification reminders change no state and are skipped",
    )

    handle = recorded_in_stream_order(
        engine, writing, ENTERPRISES_STREAM.name, record_enterprise_events
    )
    return BatchConsumer(
        nats, spec, ENTERPRISE_EVENTS.validate_json, handle, schema=AnyEnterpriseEvent
    )


def scrape_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[ScrapeCompleted | ScrapeFailed]:
    """The durable consumer of SCRAPES: each outcome projected on its own, in stream order
    (a few a day per registry); writes under `writing` like the others, as SQLite wants one
    writer at a time."""
    spec = BatchConsumerSpec(
        stream=SCRAPES_STREAM,
        subject=ALL_SCRAPE_EVENTS,
        durable=durable,
        service=SERVICE,
        batch_size=SCRAPE_BATCH,
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title="gateway/on_scrape_event",
        description="Scrape outcomes -> per-label freshness",
    )

    async def record(delivery: Delivery[ScrapeCompleted | ScrapeFailed]) -> None:
        position = Position(SCRAPES_STREAM.name, delivery.stream_sequence)
        async with writing:
            await asyncio.to_thread(record_scrape_event, engine, delivery.item, position)

    decode = SCRAPE_EVENTS.validate_json
    return BatchConsumer(nats, spec, decode, each_delivery(record), schema=AnyScrapeEvent)
