"""The registry's inbound edge: one durable consumer for every label event."""

from __future__ import annotations

from typing import Annotated

from faststream.nats import NatsRouter
from faststream.nats.annotations import NatsMessage
from nats.errors import NotJSMessageError
from pydantic import Field

from contracts.enterprises import EnterpriseEvent
from contracts.labels import LabelEvent
from contracts.subjects import ALL_ENTERPRISE_EVENTS, ALL_LABEL_EVENTS, LABELS_STREAM
from services.kit.jetstream import durable_subscriber
from services.registry.bootstrap import Registry

LABEL_EVENT = Annotated[LabelEvent, Field(discriminator="kind")]
DURABLE = "registry-labels"


def build_router(registry: Registry) -> NatsRouter:
    """Subscribers bound to `registry`. FastStream hands every message of a fetched batch to
    its own task; the registry commits the batch's events in one transaction, in stream order
    (see commit_groups.py for the exception, and why it does no harm)."""
    router = NatsRouter()

    async def on_label_event(event: LABEL_EVENT, msg: NatsMessage) -> None:
        await registry.record_label_event(event, _stream_sequence(msg))

    subscriber = durable_subscriber(
        router,
        ALL_LABEL_EVENTS,
        stream=LABELS_STREAM,
        durable=DURABLE,
        batch_size=registry.settings.label_batch_size,
        ack_wait_seconds=registry.settings.ack_wait_seconds,
        title="on_label_event",
        description="LabelGranted / LabelChanged / LabelLapsed",
    )
    subscriber(on_label_event)
    router.publisher(
        ALL_ENTERPRISE_EVENTS,
        title="to_enterprise_event",
        schema=EnterpriseEvent,
        description="EnterpriseListed / EnterpriseUpdated / EnterpriseDelisted / "
        "EnterpriseRecertificationDue, published from the outbox to "
        "impact.v1.enterprises.<province>.<region>.<kind>",
    )
    return router


def _stream_sequence(msg: NatsMessage) -> int:
    """The message's place in the stream (0 where there is none, as under a test broker)."""
    try:
        return int(msg.raw_message.metadata.sequence.stream)
    except (NotJSMessageError, AttributeError, TypeError, ValueError):
        return 0
