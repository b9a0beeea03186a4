"""Where enterprise events go: JetStream (acked, deduplicated by event id), or a list in tests."""

from __future__ import annotations

import abc

from faststream.nats import NatsBroker

from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ENTERPRISES_STREAM
from services.kit.jetstream import publish_event


class AbstractPublisher(abc.ABC):
    """Publishes one enterprise event and returns only once it is stored."""

    @abc.abstractmethod
    async def publish(self, subject: str, event: EnterpriseEvent) -> None:
        """Publish `event` on `subject`; raises when it cannot be confirmed."""


class JetStreamPublisher(AbstractPublisher):
    """Publishes to the ENTERPRISES stream with `Nats-Msg-Id` = event id, awaiting the ack."""

    def __init__(self, broker: NatsBroker, timeout: float = 5.0) -> None:
        self.broker = broker
        self.timeout = timeout

    async def publish(self, subject: str, event: EnterpriseEvent) -> None:
        await publish_event(
            self.broker, subject, event, stream=ENTERPRISES_STREAM, timeout=self.timeout
        )


class FakePublisher(AbstractPublisher):
    """Keeps what was published; dedupes by event id the way JetStream's window does."""

    def __init__(self) -> None:
        self.published: list[tuple[str, EnterpriseEvent]] = []
        self.duplicates = 0

    async def publish(self, subject: str, event: EnterpriseEvent) -> None:
        if any(e.event_id == event.event_id for _, e in self.published):
            self.duplicates += 1
            return
        self.published.append((subject, event))

    @property
    def events(self) -> list[EnterpriseEvent]:
        """The published events, in order."""
        return [event for _, event in self.published]
