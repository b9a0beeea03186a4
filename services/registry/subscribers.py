"""The registry's inbound edge: one durable consumer for every label event."""

from __future__ import annotations

from typing import Annotated

from faststream.nats import NatsRouter
from pydantic import Field

from contracts.enterprises import EnterpriseEvent
from contracts.labels import LabelEvent
from contracts.subjects import ALL_ENTERPRISE_EVENTS, ALL_LABEL_EVENTS, LABELS_STREAM
from services.kit.jetstream import durable_subscriber
from services.registry.bootstrap import Registry

LABEL_EVENT = Annotated[LabelEvent, Field(discriminator="kind")]
DURABLE = "registry-labels"


def build_router(registry: Registry) -> NatsRouter:
    """Subscribers bound to `registry`; label events are handled one at a time, in stream
    order, so events about one holding apply in the order the scraper published them."""
    router = NatsRouter()

    async def on_label_event(event: LABEL_EVENT) -> None:
        await registry.record_label_event(event)

    # FastStream hands every message of a fetched batch to its own task: fetching one at a
    # time is what keeps the handling sequential, in stream order.
    subscriber = durable_subscriber(
        router,
        ALL_LABEL_EVENTS,
        stream=LABELS_STREAM,
        durable=DURABLE,
        batch_size=1,
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
