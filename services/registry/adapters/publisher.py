"""Where enterprise events go: JetStream (acked, deduplicated by event id), or a list in tests."""

from __future__ import annotations

import abc

import nats
from faststream.nats import NatsBroker
from nats.js import errors as js_errors
from pydantic import TypeAdapter

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.signin import SignInGranted
from contracts.subjects import ENTERPRISE_STATES_STREAM, ENTERPRISES_STREAM, stream_of
from services.kit.deadletters import DeadLetter, put_dead_letter
from services.kit.jetstream import publish_json
from services.kit.publications import UndeclaredSubject, check_declared
from services.registry.publications import PUBLICATIONS

ENTERPRISE_EVENT: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)
# Room for the headers (Nats-Msg-Id, content type, expected stream): the server's max_payload
# counts them, and a message over it makes the server close the connection.
HEADER_ROOM = 1024
# Failures of the connection or the server, not of the message: publishing again later may
# succeed. Every other error NATS raises about a publish is the message's own.
TRANSIENT: tuple[type[BaseException], ...] = (
    TimeoutError,
    OSError,
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError,
    nats.errors.StaleConnectionError,
    nats.errors.OutboundBufferLimitError,
    js_errors.NoStreamResponseError,
    js_errors.ServiceUnavailableError,
    js_errors.ServerError,
)


class Unpublishable(Exception):
    """The message can never be published as it is (too large, refused by the stream):
    trying again would fail again."""


class AbstractPublisher(abc.ABC):
    """Publishes one enterprise event, as the outbox stores it, and returns only once it is
    stored; puts what can never be published in the dead-letter stream."""

    @abc.abstractmethod
    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        """Publish the event whose JSON is `payload` on `subject`; raises Unpublishable when
        it never can be, anything else when it cannot be confirmed now."""

    @abc.abstractmethod
    async def dead_letter(self, letter: DeadLetter) -> None:
        """Store `letter` in the dead-letter stream; raises when it cannot be confirmed."""


class JetStreamPublisher(AbstractPublisher):
    """Publishes to the stream that holds the subject (ENTERPRISES, ENTERPRISE_STATES, or
    SIGNINS for a granted sign-in) with `Nats-Msg-Id` = event id, awaiting the ack.
    The payload goes out as stored: it was validated when it was made, in the transaction
    that queued it."""

    def __init__(self, broker: NatsBroker, timeout: float = 5.0) -> None:
        self.broker = broker
        self.timeout = timeout

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        try:
            check_declared(PUBLICATIONS, subject)
        except UndeclaredSubject as exc:
            raise Unpublishable(str(exc)) from exc
        data = payload.encode()
        limit = self.broker.connection.max_payload - HEADER_ROOM
        if len(data) > limit:
            raise Unpublishable(f"{len(data)} bytes, above the server's limit of {limit}")
        try:
            await publish_json(
                self.broker,
                subject,
                data,
                event_id,
                stream=stream_of(subject),
                timeout=self.timeout,
                direct=True,
            )
        except TRANSIENT:
            raise
        except nats.errors.Error as exc:
            raise Unpublishable(f"{type(exc).__name__}: {exc}") from exc

    async def dead_letter(self, letter: DeadLetter) -> None:
        js = self.broker.connection.jetstream()
        await put_dead_letter(js, letter, timeout=self.timeout)


class FakePublisher(AbstractPublisher):
    """Keeps what was published; dedupes by message id the way JetStream's window does.

    `published` holds the ENTERPRISES events, `states` what ENTERPRISE_STATES received;
    a payload above `max_bytes` is Unpublishable."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.dead_letters: list[DeadLetter] = []
        self.published: list[tuple[str, EnterpriseEvent]] = []
        self.states: list[tuple[str, EnterpriseEvent]] = []
        self.sign_ins: list[SignInGranted] = []
        self.duplicates = 0
        self._seen: set[str] = set()

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        if self.max_bytes is not None and len(payload.encode()) > self.max_bytes:
            raise Unpublishable(f"{len(payload.encode())} bytes, above {self.max_bytes}")
        stream = stream_of(subject)
        if stream is ENTERPRISES_STREAM:
            self._keep(self.published, subject, event_id, payload)
        elif stream is ENTERPRISE_STATES_STREAM:
            self._keep(self.states, subject, event_id, payload)
        else:
            granted = SignInGranted.model_validate_json(payload)
            if granted.event_id not in {g.event_id for g in self.sign_ins}:
                self.sign_ins.append(granted)

    async def dead_letter(self, letter: DeadLetter) -> None:
        if letter.dead_letter_id not in {d.dead_letter_id for d in self.dead_letters}:
            self.dead_letters.append(letter)

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
