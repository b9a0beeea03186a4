"""The label event subscriber, in memory: parse, record, ack; bad payloads are rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faststream.nats import TestNatsBroker
from pydantic import ValidationError

from contracts.subjects import label_subject
from services.registry.adapters.publisher import FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.main import asyncapi_json
from services.registry.subscribers import build_router
from tests.unit.registry.factories import MORNING, granted, observation

pytestmark = pytest.mark.unit


def _registry(database: FakeDatabase, publisher: FakePublisher) -> Registry:
    registry = bootstrap(
        RegistrySettings(),
        uow_factory=lambda: FakeUnitOfWork(database),
        publisher=publisher,
        clock=lambda: MORNING,
    )
    registry.broker.include_router(build_router(registry))
    return registry


async def test_label_granted_message_is_recorded_and_its_listing_relayed() -> None:
    database, publisher = FakeDatabase(), FakePublisher()
    registry = _registry(database, publisher)
    event = granted(observation())
    async with TestNatsBroker(registry.broker) as broker:
        await broker.publish(event.model_dump_json(), label_subject("pso", "granted"))
        await broker.publish(event.model_dump_json(), label_subject("pso", "granted"))
    assert database.processed == {event.event_id}
    assert await registry.relay.publish_pending() == 1
    assert [e.kind for e in publisher.events] == ["listed"]


async def test_invalid_label_message_changes_nothing() -> None:
    database = FakeDatabase()
    registry = _registry(database, FakePublisher())
    async with TestNatsBroker(registry.broker) as broker:
        # In memory the error surfaces; on JetStream the kit's ExplicitAck terminates it
        # (tests/integration/test_jetstream_delivery.py).
        with pytest.raises(ValidationError):
            await broker.publish(json.dumps({"kind": "granted"}), label_subject("pso", "granted"))
    assert database.processed == set() and database.outbox == []


def test_asyncapi_document_names_the_label_and_enterprise_channels() -> None:
    document = json.loads(asyncapi_json(RegistrySettings()))
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {"impact.v1.labels.*.*", "impact.v1.enterprises.*.*.*"}


def test_database_defaults_to_sqlite_in_the_data_directory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IMPACTOOST_DATABASE_URL", raising=False)
    settings = RegistrySettings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path}/registry.db"
    given = RegistrySettings(database_url="postgresql+psycopg://u@h/db")
    assert given.database_url == "postgresql+psycopg://u@h/db"
