"""The composition root: settings, database, publisher and clock wired into one registry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from faststream.nats import NatsBroker
from sqlalchemy import Engine

from contracts.base import utc_now
from contracts.enterprises import EnterpriseEvent
from contracts.labels import LabelEvent
from services.kit import failpoints
from services.kit.jetstream import make_broker
from services.registry import handlers
from services.registry.adapters.database import make_engine, prepare_database
from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import AbstractPublisher, JetStreamPublisher
from services.registry.adapters.unit_of_work import AbstractUnitOfWork, SqlUnitOfWork
from services.registry.config import RegistrySettings

AFTER_COMMIT = "registry.after_commit"


@dataclass
class Registry:
    """Everything the registry's subscribers and start-up hooks need, built once."""

    settings: RegistrySettings
    broker: NatsBroker
    uow_factory: Callable[[], AbstractUnitOfWork]
    relay: OutboxRelay
    clock: Callable[[], datetime]
    engine: Engine | None = None

    def today(self) -> date:
        """The date the listing rule is applied for (UTC)."""
        return self.clock().astimezone(UTC).date()

    async def record_label_event(self, event: LabelEvent) -> EnterpriseEvent | None:
        """Commit the event's effect, then wake the relay; the caller acks afterwards."""
        outcome = await asyncio.to_thread(
            handlers.record_label_event,
            event,
            self.uow_factory(),
            self.today(),
            source=self.settings.source,
            now=self.clock(),
        )
        failpoints.hit(AFTER_COMMIT, self.settings.failpoints)
        if outcome is not None:
            self.relay.wake()
        return outcome

    async def prepare_database(self) -> None:
        """Create or upgrade the schema (no-op with a fake unit of work)."""
        if self.engine is not None:
            await asyncio.to_thread(prepare_database, self.engine)

    def close(self) -> None:
        """Release the database connections."""
        if self.engine is not None:
            self.engine.dispose()


def bootstrap(
    settings: RegistrySettings,
    uow_factory: Callable[[], AbstractUnitOfWork] | None = None,
    publisher: AbstractPublisher | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Registry:
    """Wire the registry; real adapters unless fakes are given. Nothing connects here."""
    clock = clock or utc_now
    broker = make_broker(settings.nats_url)
    engine = None
    if uow_factory is None:
        engine = make_engine(settings.database_url)
        uow_factory = _sql_uow_factory(engine)
    publisher = publisher or JetStreamPublisher(broker, settings.publish_timeout_seconds)
    relay = OutboxRelay(
        uow_factory,
        publisher,
        clock=clock,
        poll_seconds=settings.outbox_poll_seconds,
        batch_size=settings.outbox_batch_size,
    )
    return Registry(
        settings=settings,
        broker=broker,
        uow_factory=uow_factory,
        relay=relay,
        clock=clock,
        engine=engine,
    )


def _sql_uow_factory(engine: Engine) -> Callable[[], AbstractUnitOfWork]:
    def factory() -> AbstractUnitOfWork:
        return SqlUnitOfWork(engine)

    return factory
