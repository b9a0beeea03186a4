"""The registry's inbound edge: one durable consumer for every label event, taken in batches.

Label events arrive in bursts (a scrape publishes hundreds at once). The consumer hands each
fetched batch to the registry whole, which records it in one transaction in stream order, so
it runs on the kit's batch consumer rather than FastStream's one task per message. FastStream
still carries the registry's outbound side, and documents both channels (AsyncAPI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from faststream.nats import NatsRouter
from pydantic import Field, TypeAdapter

from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseSupplementHidden,
    EnterpriseUpdated,
)
from contracts.labels import AnyLabelEvent, LabelEvent
from contracts.signin import SignInGranted, SignInRequested
from contracts.subjects import (
    ALL_ENTERPRISE_EVENTS,
    ALL_ENTERPRISE_STATES,
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
from services.kit.jetstream import durable_subscriber
from services.kit.nats_users import REGISTRY_LABELS, REGISTRY_SIGNINS, REGISTRY_SUPPLEMENTS
from services.registry.bootstrap import Registry

LABEL_EVENTS: TypeAdapter[LabelEvent] = TypeAdapter(AnyLabelEvent)
DURABLE = REGISTRY_LABELS
SUPPLEMENTS_DURABLE = REGISTRY_SUPPLEMENTS
SIGNINS_DURABLE = REGISTRY_SIGNINS
FEW = 20
# What ENTERPRISE_STATES holds: the kinds that tell a new state (handlers.STATE_KINDS).
EnterpriseStateEvent = Annotated[
    EnterpriseListed | EnterpriseUpdated | EnterpriseDelisted | EnterpriseSupplementHidden,
    Field(discriminator="kind"),
]


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

    return BatchConsumer(settings.nats(), spec, LABEL_EVENTS.validate_json, handle)


def supplement_consumer(registry: Registry) -> BatchConsumer[SupplementSubmitted]:
    """The durable consumer of supplements enterprises submit through the gateway."""
    spec = _few(registry, SUPPLEMENTS_STREAM, supplement_subject(), SUPPLEMENTS_DURABLE)
    decode = SupplementSubmitted.model_validate_json
    handle = one_at_a_time(registry.record_supplement)
    return BatchConsumer(registry.settings.nats(), spec, decode, handle)


def sign_in_consumer(registry: Registry) -> BatchConsumer[SignInRequested]:
    """The durable consumer of sign-in requests: the registry decides who is trusted."""
    spec = _few(registry, SIGNINS_STREAM, signin_subject("requested"), SIGNINS_DURABLE)
    decode = SignInRequested.model_validate_json
    handle = one_at_a_time(registry.decide_sign_in)
    return BatchConsumer(registry.settings.nats(), spec, decode, handle)


def _few(registry: Registry, stream: StreamSpec, subject: str, durable: str) -> BatchConsumerSpec:
    """A consumer of events that come one by one (people's requests), in small batches."""
    return BatchConsumerSpec(
        stream=stream,
        subject=subject,
        durable=durable,
        batch_size=FEW,
        ack_wait_seconds=registry.settings.ack_wait_seconds,
    )


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
            inbox=registry.settings.nats().inbox_prefix,
            batch_size=registry.settings.label_batch_size,
            ack_wait_seconds=registry.settings.ack_wait_seconds,
            title="on_label_event",
            description="LabelGranted / LabelChanged / LabelLapsed",
        )
        subscriber(on_label_event)
        _document_self_service(router, registry)
    router.publisher(
        ALL_ENTERPRISE_EVENTS,
        title="to_enterprise_event",
        schema=EnterpriseEvent,
        description="EnterpriseListed / EnterpriseUpdated / EnterpriseDelisted / "
        "EnterpriseRecertificationDue / EnterpriseSupplementHidden, published from the outbox "
        "to impact.v1.enterprises.<province>.<region>.<kind>",
    )
    router.publisher(
        ALL_ENTERPRISE_STATES,
        title="to_enterprise_state",
        schema=EnterpriseStateEvent,
        description="Each enterprise's latest EnterpriseListed / EnterpriseUpdated / "
        "EnterpriseDelisted / EnterpriseSupplementHidden, published from the outbox beside "
        "its enterprise event to impact.v1.states.<province>.<region>.<enterprise_id> "
        "(ENTERPRISE_STATES keeps one message per subject: the present)",
    )
    router.publisher(
        signin_subject("granted"),
        title="to_sign_in_granted",
        schema=SignInGranted,
        description="A sign-in the registry trusts (or an operator approved), from the outbox",
    )
    return router


def _document_self_service(router: NatsRouter, registry: Registry) -> None:
    """The supplement and sign-in consumers as subscribers only the AsyncAPI document sees
    (the running ones are `supplement_consumer` and `sign_in_consumer`)."""
    ack_wait = registry.settings.ack_wait_seconds

    async def on_supplement_submitted(event: SupplementSubmitted) -> None:
        raise RuntimeError("documents the supplement consumer; never subscribed")

    async def on_sign_in_requested(event: SignInRequested) -> None:
        raise RuntimeError("documents the sign-in consumer; never subscribed")

    for handler, subject, stream, durable in (
        (on_supplement_submitted, supplement_subject(), SUPPLEMENTS_STREAM, SUPPLEMENTS_DURABLE),
        (on_sign_in_requested, signin_subject("requested"), SIGNINS_STREAM, SIGNINS_DURABLE),
    ):
        durable_subscriber(
            router,
            subject,
            stream=stream,
            durable=durable,
            inbox=registry.settings.nats().inbox_prefix,
            batch_size=FEW,
            ack_wait_seconds=ack_wait,
            title=handler.__name__,
            description=handler.__doc__ or handler.__name__,
        )(handler)
