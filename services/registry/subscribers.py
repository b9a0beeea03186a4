"""The registry's edges: one durable consumer for every label event, taken in batches, the
consumers of supplements and sign-in requests, and what its outbox publishes.

Label events arrive in bursts (a scrape publishes hundreds at once). The consumer hands each
fetched batch to the registry whole, which records it in one transaction in stream order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import Field, TypeAdapter

from contracts.enterprises import (
    AnyEnterpriseEvent,
    EnterpriseDelisted,
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
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
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
from services.kit.publications import Publication
from services.registry.bootstrap import Registry

SERVICE = "registry"
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


PUBLICATIONS = (
    Publication(
        ALL_ENTERPRISE_EVENTS,
        AnyEnterpriseEvent,
        ENTERPRISES_STREAM,
        "registry/to_enterprise_event",
        "EnterpriseListed / EnterpriseUpdated / EnterpriseDelisted / "
        "EnterpriseRecertificationDue / EnterpriseSupplementHidden, published from the outbox "
        "to impact.v1.enterprises.<province>.<region>.<kind>",
    ),
    Publication(
        ALL_ENTERPRISE_STATES,
        EnterpriseStateEvent,
        ENTERPRISE_STATES_STREAM,
        "registry/to_enterprise_state",
        "Each enterprise's latest EnterpriseListed / EnterpriseUpdated / EnterpriseDelisted / "
        "EnterpriseSupplementHidden, published from the outbox beside its enterprise event to "
        "impact.v1.states.<province>.<region>.<enterprise_id> (ENTERPRISE_STATES keeps one "
        "message per subject: the present)",
    ),
    Publication(
        signin_subject("granted"),
        SignInGranted,
        SIGNINS_STREAM,
        "registry/to_sign_in_granted",
        "A sign-in the registry trusts (or an operator approved), from the outbox",
    ),
)
