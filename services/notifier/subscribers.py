"""The notifier's edge: one durable consumer of every enterprise event."""

from __future__ import annotations

from faststream.nats import NatsRouter
from faststream.nats.annotations import NatsMessage

from contracts.enterprises import AnyEnterpriseEvent
from contracts.subjects import ALL_ENTERPRISE_EVENTS, ENTERPRISES_STREAM
from services.kit.jetstream import durable_subscriber
from services.notifier.bootstrap import Notifier
from services.notifier.handlers import send_enterprise_mail

DURABLE = "notifier-mail"


def build_router(notifier: Notifier, *, ack_wait_seconds: float = 30.0) -> NatsRouter:
    """A router whose subscriber mails each enterprise event (listed, updated, delisted,
    recertification due) once."""
    router = NatsRouter()

    @durable_subscriber(
        router,
        ALL_ENTERPRISE_EVENTS,
        stream=ENTERPRISES_STREAM,
        durable=DURABLE,
        ack_wait_seconds=ack_wait_seconds,
        title="notifier-mail:on_enterprise_event",
        description="Mails the enterprise when it is listed, updated or delisted, and when "
        "a label it needs is due for recertification.",
    )
    async def on_enterprise_event(event: AnyEnterpriseEvent, msg: NatsMessage) -> None:
        sequence = msg.raw_message.metadata.sequence.stream
        await send_enterprise_mail(event, notifier, sequence)

    return router
