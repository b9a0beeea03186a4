"""The registry's inbound edge: one durable consumer for every label event, taken in batches.

Label events arrive in bursts (a scrape publishes hundreds at once). The consumer hands each
fetched batch to the registry whole, which records it in one transaction in stream order, so
it runs on the kit's batch consumer rather than FastStream's one task per message. FastStream
still carries the registry's outbound side, and documents both channels (AsyncAPI).
"""

from __future__ import annotations

from collections.abc import Sequence

from faststream.nats import NatsRouter
from pydantic import TypeAdapter

from contracts.enterprises import EnterpriseEvent
from contracts.labels import AnyLabelEvent, LabelEvent
from contracts.subjects import ALL_ENTERPRISE_EVENTS, ALL_LABEL_EVENTS, LABELS_STREAM
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.jetstream import durable_subscriber
from services.registry.bootstrap import Registry

LABEL_EVENTS: TypeAdapter[LabelEvent] = TypeAdapter(AnyLabelEvent)
DURABLE = "registry-labels"


def label_consumer(registry: Registry) -> BatchConsumer[LabelEvent]:
    """The durable consumer of every label event, feeding `registry` batch by batch."""
    settings = registry.settings
    spec = BatchConsumerSpec(
        stream=LABELS_STREAM,
        subject=ALL_LABEL_EVENTS,
        durable=DURABLE,
        batch_size=settings.label_batch_size,
        ack_wait_seconds=settings.ack_wait_seconds,
    )

    async def handle(deliveries: Sequence[Delivery[LabelEvent]]) -> Sequence[Exception | None]:
        return await registry.record_label_batch(deliveries)

    return BatchConsumer(settings.nats_url, spec, LABEL_EVENTS.validate_json, handle)


def build_router(registry: Registry, *, for_documents: bool = False) -> NatsRouter:
    """The enterprise events' publisher; `for_documents` adds the label consumer as a
    subscriber that only the AsyncAPI document sees (the running consumer is
    `label_consumer`)."""
    router = NatsRouter()
    if for_documents:

        async def on_label_event(event: AnyLabelEvent) -> None:
            raise RuntimeError("documents the label consumer; never subscribed")

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
