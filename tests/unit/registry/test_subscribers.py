"""The label event subscriber, in memory: parse, record, ack; bad payloads are rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts.labels import LabelEvent
from contracts.subjects import label_subject
from services.kit.batches import Delivery
from services.registry.adapters.publisher import FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.main import asyncapi_json
from services.registry.subscribers import label_consumer
from tests.unit.registry.factories import MORNING, changed, granted, observation

pytestmark = pytest.mark.unit


def _registry(database: FakeDatabase, publisher: FakePublisher) -> Registry:
    return bootstrap(
        RegistrySettings(),
        uow_factory=lambda: FakeUnitOfWork(database),
        publisher=publisher,
        clock=lambda: MORNING,
    )


def _delivery(event: LabelEvent, sequence: int, deliveries: int = 1) -> Delivery[LabelEvent]:
    subject = label_subject("pso", event.kind)
    return Delivery(event, sequence, deliveries, subject, event.event_id)


async def test_a_batch_is_recorded_once_and_its_listing_relayed() -> None:
    database, publisher = FakeDatabase(), FakePublisher()
    registry = _registry(database, publisher)
    event = granted(observation())
    batch = [_delivery(event, 1), _delivery(event, 2, deliveries=2)]  # a redelivered copy
    assert await registry.record_label_batch(batch) == [None, None]
    assert database.processed == {event.event_id}
    assert await registry.relay.publish_pending() == 2  # the listing, and it as the state
    assert [e.kind for e in publisher.events] == ["listed"]
    assert [e.kind for _, e in publisher.states] == ["listed"]


@pytest.mark.parametrize("renamed_last", [True, False])
async def test_a_batch_is_applied_in_stream_order_whatever_order_it_came_in(
    renamed_last: bool,
) -> None:
    database = FakeDatabase()
    registry = _registry(database, FakePublisher())
    # Seen at the same moment, so only the stream order tells which came last.
    first = observation(name="De Fietser")
    renamed = changed(observation(name="De Groene Fietser"), first, MORNING)
    sequences = (7, 8) if renamed_last else (8, 7)
    batch = [_delivery(renamed, sequences[1]), _delivery(granted(first), sequences[0])]
    assert await registry.record_label_batch(batch) == [None, None]
    (enterprise,) = database.enterprises.values()
    assert enterprise.published is not None
    assert enterprise.published.name == ("De Groene Fietser" if renamed_last else "De Fietser")


def test_the_label_consumer_reads_every_label_event_in_configured_batches() -> None:
    settings = RegistrySettings(label_batch_size=25, ack_wait_seconds=12)
    registry = bootstrap(settings, uow_factory=FakeUnitOfWork, publisher=FakePublisher())
    consumer = label_consumer(registry)
    config = consumer.spec.consumer_config()
    assert (config.durable_name, config.filter_subject) == (
        "registry-labels",
        "impact.v1.labels.*.*",
    )
    assert (consumer.spec.batch_size, config.ack_wait) == (25, 12)
    event = granted(observation())
    assert consumer.decode(event.model_dump_json().encode()) == event
    with pytest.raises(ValidationError):
        consumer.decode(json.dumps({"kind": "granted"}).encode())


def test_asyncapi_document_names_every_channel_the_registry_reads_and_writes() -> None:
    document = json.loads(asyncapi_json(RegistrySettings()))
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {
        "impact.v1.labels.*.*",
        "impact.v1.enterprises.*.*.*",
        "impact.v1.states.*.*.*",
        "impact.v1.supplements.submitted",
        "impact.v1.signin.requested",
        "impact.v1.signin.granted",
        "impactoost.deadletters.registry.*",
        "impactoost.health.registry",
    }


def test_database_defaults_to_sqlite_in_the_data_directory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IMPACTOOST_DATABASE_URL", raising=False)
    settings = RegistrySettings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path}/registry.db"
    given = RegistrySettings(database_url="postgresql+psycopg://u@h/db")
    assert given.database_url == "postgresql+psycopg://u@h/db"
