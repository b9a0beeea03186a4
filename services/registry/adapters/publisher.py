"""Where enterprise events go: JetStream (acked, deduplicated by event id), or a list in tests."""

from __future__ import annotations

import abc

from faststream.nats import NatsBroker
from pydantic import TypeAdapter

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.signin import SignInGranted
from contracts.subjects import ENTERPRISE_STATES_STREAM, ENTERPRISES_STREAM, stream_of
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
    """Publishes to the stream that holds the subject (ENTERPRISES, ENTERPRISE_STATES, or
    SIGNINS for a granted sign-in) with `Nats-Msg-Id` = event id, awaiting the ack.
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
    """Keeps what was published; dedupes by message id the way JetStream's window does.

    `published` holds the ENTERPRISES events, `states` what ENTERPRISE_STATES received."""

    def __init__(self) -> None:
        self.published: list[tuple[str, EnterpriseEvent]] = []
        self.states: list[tuple[str, EnterpriseEvent]] = []
        self.sign_ins: list[SignInGranted] = []
        self.duplicates = 0
        self._seen: set[str] = set()

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        stream = stream_of(subject)
        if stream is ENTERPRISES_STREAM:
            self._keep(self.published, subject, event_id, payload)
        elif stream is ENTERPRISE_STATES_STREAM:
            self._keep(self.states, subject, event_id, payload)
        else:
            granted = SignInGranted.model_validate_json(payload)
            if granted.event_id not in {g.event_id for g in self.sign_ins}:
                self.sign_ins.append(granted)

    def _keep(
        self, into: list[tuple[str, EnterpriseEvent]], subject: str, event_id: str, payload: str
    ) -> None:
        if event_id in self._seen:
            self.duplicates += 1
            return
        self._seen.add(event_id)
        into.append((subject, ENTERPRISE_EVENT.validate_json(payload)))

    @property
    def events(self) -> list[EnterpriseEvent]:
        """The enterprise events published, in order."""
        return [event for _, event in self.published]
