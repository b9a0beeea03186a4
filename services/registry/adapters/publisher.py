"""Where enterprise events go: JetStream (acked, deduplicated by event id), or a list in tests."""

from __future__ import annotations

import abc

from faststream.nats import NatsBroker
from pydantic import TypeAdapter

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.signin import SignInGranted
from contracts.subjects import ENTERPRISES_STREAM, stream_of
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
    """Publishes to the stream that holds the subject (ENTERPRISES, or SIGNINS for a granted
    sign-in) with `Nats-Msg-Id` = event id, awaiting the ack.
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
            stream=stream_of(subject),
            timeout=self.timeout,
            direct=True,
        )


class FakePublisher(AbstractPublisher):
    """Keeps what was published; dedupes by event id the way JetStream's window does."""

    def __init__(self) -> None:
        self.published: list[tuple[str, EnterpriseEvent]] = []
        self.sign_ins: list[SignInGranted] = []
        self.duplicates = 0

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        if stream_of(subject) is not ENTERPRISES_STREAM:
            granted = SignInGranted.model_validate_json(payload)
            if granted.event_id not in {g.event_id for g in self.sign_ins}:
                self.sign_ins.append(granted)
            return
        event = ENTERPRISE_EVENT.validate_json(payload)
        assert event.event_id == event_id, "the outbox row's id is its event's"
        if any(e.event_id == event_id for _, e in self.published):
            self.duplicates += 1
            return
        self.published.append((subject, event))

    @property
    def events(self) -> list[EnterpriseEvent]:
        """The enterprise events published, in order."""
        return [event for _, event in self.published]
