"""Where enterprise events go: JetStream (acked, deduplicated by event id), or a list in tests."""

from __future__ import annotations

import abc

from faststream.nats import NatsBroker
from pydantic import TypeAdapter

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.subjects import ENTERPRISES_STREAM
from services.kit.jetstream import publish_json

ENTERPRISE_EVENT: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)


class AbstractPublisher(abc.ABC):
    """Publishes one enterprise event, as the outbox stores it, and returns only once it is
    stored."""

    @abc.abstractmethod
    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        """Publish the event whose JSON is `payload` on `subject`; raises when it cannot be
        confirmed."""


class JetStreamPublisher(AbstractPublisher):
    """Publishes to the ENTERPRISES stream with `Nats-Msg-Id` = event id, awaiting the ack.
    The payload goes out as stored: it was validated when it was made, in the transaction
    that queued it."""

    def __init__(self, broker: NatsBroker, timeout: float = 5.0) -> None:
        self.broker = broker
        self.timeout = timeout

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        await publish_json(
            self.broker,
            subject,
            payload.encode(),
            event_id,
            stream=ENTERPRISES_STREAM,
            timeout=self.timeout,
            direct=True,
        )


class FakePublisher(AbstractPublisher):
    """Keeps what was published; dedupes by event id the way JetStream's window does."""

    def __init__(self) -> None:
        self.published: list[tuple[str, EnterpriseEvent]] = []
        self.duplicates = 0

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        event = ENTERPRISE_EVENT.validate_json(payload)
        assert event.event_id == event_id, "the outbox row's id is its event's"
        if any(e.event_id == event_id for _, e in self.published):
            self.duplicates += 1
            return
        self.published.append((subject, event))

    @property
    def events(self) -> list[EnterpriseEvent]:
        """The published events, in order."""
        return [event for _, event in self.published]
