"""A registry wired to fakes around a shared in-memory database, as each test restarts it."""

from __future__ import annotations

from typing import Any

from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ENTERPRISE_STATES_STREAM, ENTERPRISES_STREAM, stream_of
from services.registry.adapters.messages import OutboxMessage
from services.registry.adapters.publisher import ENTERPRISE_EVENT, FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.regions import BundledResolver
from tests.unit.registry.factories import Clock


def start_registry(database: FakeDatabase, clock: Clock, **settings: Any) -> Registry:
    """A registry process as it starts: its settings, the bundled place data, the database."""
    return bootstrap(
        RegistrySettings(pdok_base_url="", **settings),
        uow_factory=lambda: FakeUnitOfWork(database),
        publisher=FakePublisher(),
        clock=clock,
        resolver=BundledResolver(),
    )


def enterprise_rows(database: FakeDatabase) -> list[OutboxMessage]:
    """The outbox rows bound for ENTERPRISES (not their copies for ENTERPRISE_STATES)."""
    return [m for m in database.outbox if stream_of(m.subject) is ENTERPRISES_STREAM]


def state_rows(database: FakeDatabase) -> list[OutboxMessage]:
    """The outbox rows bound for ENTERPRISE_STATES, oldest first."""
    return [m for m in database.outbox if stream_of(m.subject) is ENTERPRISE_STATES_STREAM]


def queued(database: FakeDatabase, kind: str | None = None) -> list[EnterpriseEvent]:
    """The enterprise events in the outbox, oldest first; only those of `kind` if given."""
    events = [ENTERPRISE_EVENT.validate_json(m.payload) for m in enterprise_rows(database)]
    return [e for e in events if kind is None or e.kind == kind]
