"""Where the gateway's requests go: JetStream (acked, deduplicated by event id), or a list in
tests. A page that cannot publish says so; it never pretends the request went out."""

from __future__ import annotations

import abc
from collections.abc import Sequence

import structlog
from faststream.nats import NatsBroker

from contracts.base import Event
from contracts.subjects import StreamSpec
from services.kit.jetstream import publish_event
from services.kit.publications import Publication, check_declared

log = structlog.get_logger()


class PublishUnavailable(Exception):
    """NATS did not confirm the event: nothing can be promised to the visitor."""


class AbstractPublisher(abc.ABC):
    """Publishes one event and returns only once the stream stored it."""

    @abc.abstractmethod
    async def publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        """Publish `event` on `subject`; raises PublishUnavailable when it is not confirmed."""


class JetStreamPublisher(AbstractPublisher):
    """Publishes with the feed's broker, once it is connected; a visitor waits at most a
    couple of attempts, not the minute a background publisher would."""

    def __init__(
        self,
        broker: NatsBroker,
        publications: Sequence[Publication],
        timeout: float = 5.0,
        attempts: int = 2,
    ) -> None:
        self.broker = broker
        self.publications = publications
        self.timeout = timeout
        self.attempts = attempts

    async def publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        check_declared(self.publications, subject)
        if not await self.broker.ping(timeout=min(self.timeout, 1.0)):
            log.warning("publish_unavailable", subject=subject, reason="not connected")
            raise PublishUnavailable(subject)
        try:
            await publish_event(
                self.broker,
                subject,
                event,
                stream=stream,
                timeout=self.timeout,
                attempts=self.attempts,
            )
        except Exception as exc:
            log.warning(
                "publish_unavailable", subject=subject, error=f"{type(exc).__name__}: {exc}"
            )
            raise PublishUnavailable(subject) from exc
        log.info("event_published", subject=subject, event_id=event.event_id)


class FakePublisher(AbstractPublisher):
    """Keeps what was published, deduplicated by event id as the stream's window does;
    `available` false plays NATS being down."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Event]] = []
        self.available = True

    async def publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        if not self.available:
            raise PublishUnavailable(subject)
        if all(e.event_id != event.event_id for _, e in self.published):
            self.published.append((subject, event))

    @property
    def events(self) -> list[Event]:
        """The events published, in order."""
        return [event for _, event in self.published]
