"""The outbox relay with fakes: order, marking, retry after a failed publish, start/stop."""

from __future__ import annotations

import asyncio

import pytest

from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.handlers import record_label_event
from tests.unit.registry.factories import MORNING, TODAY, at, granted, lapsed, observation

pytestmark = pytest.mark.unit


class FlakyPublisher(FakePublisher):
    """Fails its first `failures` publishes, like a NATS server that is briefly away."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def publish(self, subject: str, event_id: str, payload: str) -> None:
        if self.failures:
            self.failures -= 1
            raise TimeoutError("no ack")
        await super().publish(subject, event_id, payload)


def _database_with_three_events() -> FakeDatabase:
    database = FakeDatabase()
    obs = observation()
    for event in (granted(obs), lapsed(obs, at(1)), granted(obs, at(2), episode=2)):
        record_label_event(event, FakeUnitOfWork(database), TODAY, source="test")
    return database


def _relay(database: FakeDatabase, publisher: FakePublisher, **kwargs: float) -> OutboxRelay:
    return OutboxRelay(lambda: FakeUnitOfWork(database), publisher, clock=lambda: MORNING, **kwargs)  # type: ignore[arg-type]


async def test_relay_publishes_in_commit_order_and_marks_rows_published() -> None:
    database, publisher = _database_with_three_events(), FakePublisher()
    relay = _relay(database, publisher)
    assert await relay.publish_pending() == 6  # each event, and each beside as a state
    assert [e.kind for e in publisher.events] == ["listed", "delisted", "listed"]
    assert [e.enterprise.version for e in publisher.events] == [1, 2, 3]
    assert [e.enterprise.version for _, e in publisher.states] == [1, 2, 3]
    assert all(m.published_at == MORNING for m in database.outbox)
    assert await relay.publish_pending() == 0


async def test_failed_publish_keeps_the_row_for_the_next_pass() -> None:
    database, publisher = _database_with_three_events(), FlakyPublisher(failures=1)
    relay = _relay(database, publisher)
    with pytest.raises(TimeoutError):
        await relay.publish_pending()
    assert all(m.published_at is None for m in database.outbox)
    assert await relay.publish_pending() == 6
    assert [e.enterprise.version for e in publisher.events] == [1, 2, 3]
    assert publisher.duplicates == 0


async def test_running_relay_publishes_when_woken_and_stops_cleanly() -> None:
    database, publisher = FakeDatabase(), FakePublisher()
    relay = _relay(database, publisher, poll_seconds=60)
    relay.start()
    record_label_event(granted(observation()), FakeUnitOfWork(database), TODAY, source="test")
    relay.wake()
    for _ in range(100):
        if publisher.events:
            break
        await asyncio.sleep(0.01)
    await relay.stop()
    assert [e.kind for e in publisher.events] == ["listed"]


async def test_running_relay_retries_by_polling_after_a_failure() -> None:
    database, publisher = _database_with_three_events(), FlakyPublisher(failures=1)
    relay = _relay(database, publisher, poll_seconds=0.05)
    relay.start()
    for _ in range(100):
        if len(publisher.events) == 3:
            break
        await asyncio.sleep(0.02)
    await relay.stop()
    assert [e.enterprise.version for e in publisher.events] == [1, 2, 3]
