"""The registry's edges: one durable consumer for every label event, taken in batches, the
consumers of supplements and sign-in requests, and what its outbox publishes.

Label events arrive in bursts (a scrape publishes hundreds at once). The consumer hands each
fetched batch to the registry whole, which records it in one transaction in stream order.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter

from contracts.labels import AnyLabelEvent, LabelEvent
from contracts.signin import SignInRequested
from contracts.subjects import (
    ALL_LABEL_EVENTS,
    LABELS_STREAM,
    SIGNINS_STREAM,
    SUPPLEMENTS_STREAM,
    StreamSpec,
    signin_subject,
    supplement_subject,
)
from contracts.supplements import SupplementSubmitted
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery, one_at_a_time
from services.kit.nats_users import REGISTRY_LABELS, REGISTRY_SIGNINS, REGISTRY_SUPPLEMENTS
from services.registry.bootstrap import Registry

SERVICE = "registry"
LABEL_EVENTS: TypeAdapter[LabelEvent] = TypeAdapter(AnyLabelEvent)
DURABLE = REGISTRY_LABELS
SUPPLEMENTS_DURABLE = REGISTRY_SUPPLEMENTS
SIGNINS_DURABLE = REGISTRY_SIGNINS
FEW = 20


def label_consumer(registry: Registry) -> BatchConsumer[LabelEvent]:
    """The durable consumer of every label event, feeding `registry` batch by batch."""
    settings = registry.settings
    spec = BatchConsumerSpec(
        stream=LABELS_STREAM,
        subject=ALL_LABEL_EVENTS,
        durable=DURABLE,
        service=SERVICE,
        batch_size=settings.label_batch_size,
        ack_wait_seconds=settings.ack_wait_seconds,
        title="registry-labels:on_label_event",
        description="LabelGranted / LabelChanged / LabelLapsed: who holds which label, "
        "hence who is listed",
    )

    async def handle(deliveries: Sequence[Delivery[LabelEvent]]) -> Sequence[Exception | None]:
        return await registry.record_label_batch(deliveries)

    decode = LABEL_EVENTS.validate_json
    return BatchConsumer(settings.nats(), spec, decode, handle, schema=AnyLabelEvent)


def supplement_consumer(registry: Registry) -> BatchConsumer[SupplementSubmitted]:
    """The durable consumer of supplements enterprises submit through the gateway."""
    spec = _few(
        registry,
        SUPPLEMENTS_STREAM,
        supplement_subject(),
        SUPPLEMENTS_DURABLE,
        "An enterprise's own data, kept beside (never deciding) its listing",
    )
    decode = SupplementSubmitted.model_validate_json
    handle = one_at_a_time(registry.record_supplement)
    nats = registry.settings.nats()
    return BatchConsumer(nats, spec, decode, handle, schema=SupplementSubmitted)


def sign_in_consumer(registry: Registry) -> BatchConsumer[SignInRequested]:
    """The durable consumer of sign-in requests: the registry decides who is trusted."""
    spec = _few(
        registry,
        SIGNINS_STREAM,
        signin_subject("requested"),
        SIGNINS_DURABLE,
        "Someone asked for a sign-in link: granted only to an address the registry trusts",
    )
    decode = SignInRequested.model_validate_json
    handle = one_at_a_time(registry.decide_sign_in)
    nats = registry.settings.nats()
    return BatchConsumer(nats, spec, decode, handle, schema=SignInRequested)


def _few(
    registry: Registry, stream: StreamSpec, subject: str, durable: str, description: str
) -> BatchConsumerSpec:
    """A consumer of events that come one by one (people's requests), in small batches."""
    return BatchConsumerSpec(
        stream=stream,
        subject=subject,
        durable=durable,
        service=SERVICE,
        batch_size=FEW,
        ack_wait_seconds=registry.settings.ack_wait_seconds,
        title=f"{durable}:{stream.name}",
        description=description,
    )
