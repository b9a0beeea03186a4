"""The outbox relay with fakes: a row that can never be published is given up on (a dead
letter, the row marked) and the rows behind it go out; its health; published rows deleted
after their retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from contracts import deadletters as dead
from contracts.subjects import enterprise_subject
from services.kit.deadletters import DeadLetter
from services.registry.adapters.messages import OutboxMessage
from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.housekeeping import forget_published, relay_health
from tests.unit.registry.factories import MORNING, TODAY, at, granted, lapsed, observation

pytestmark = pytest.mark.unit

LIMIT = 8_000
BIG_SUBJECT = enterprise_subject("Overijssel", "Twente", "updated")


def _database_with_a_big_row_first() -> FakeDatabase:
    """A row too large for the publisher, then three events (six rows) behind it."""
    database = FakeDatabase()
    database.outbox.append(
        OutboxMessage(
            id=1,
            event_id="big-event-0001",
            subject=BIG_SUBJECT,
            payload='{"kvk": "' + "1" * (LIMIT * 2) + '"}',
            created_at=MORNING,
        )
    )
    obs = observation()
    for event in (granted(obs), lapsed(obs, at(1)), granted(obs, at(2), episode=2)):
        record_label_event(event, FakeUnitOfWork(database), TODAY, source="test")
    return database


class DeadLettersAway(FakePublisher):
    """Publishes as JetStream would, but the dead-letter stream does not answer."""

    async def dead_letter(self, letter: DeadLetter) -> None:
        raise TimeoutError("no ack from DEADLETTERS")


def _relay(database: FakeDatabase, publisher: FakePublisher) -> OutboxRelay:
    return OutboxRelay(lambda: FakeUnitOfWork(database), publisher, clock=lambda: at(3))


async def test_an_unpublishable_row_is_given_up_and_the_rows_behind_it_go_out() -> None:
    database, publisher = _database_with_a_big_row_first(), FakePublisher(max_bytes=LIMIT)
    relay = _relay(database, publisher)
    assert await relay.publish_pending() == 6
    assert [e.enterprise.version for e in publisher.events] == [1, 2, 3]
    [letter] = publisher.dead_letters
    assert (letter.kind, letter.service, letter.consumer) == ("unpublishable", "registry", "outbox")
    assert letter.subject == BIG_SUBJECT and letter.original_id == "big-event-0001"
    body = json.loads(letter.body)
    assert body["event_id"] == "big-event-0001" and body["subject"] == BIG_SUBJECT
    assert body["size"] == len(database.outbox[0].payload) and "bytes" in body["error"]
    assert len(letter.body) < 1000  # a description, not the payload
    assert letter.headers_out(MORNING)[dead.REASON] == body["error"]
    big = database.outbox[0]
    assert big.dead_at == at(3) and big.published_at is None
    assert big.dead_reason is not None and "bytes" in big.dead_reason
    assert await relay.publish_pending() == 0
    assert len(publisher.dead_letters) == 1


async def test_a_dead_letter_stream_that_does_not_answer_keeps_the_row_and_the_order() -> None:
    database = _database_with_a_big_row_first()
    away = DeadLettersAway(max_bytes=LIMIT)
    with pytest.raises(TimeoutError):
        await _relay(database, away).publish_pending()
    assert away.events == []  # nothing overtakes the row still waiting for its dead letter
    assert all(m.dead_at is None and m.published_at is None for m in database.outbox)
    publisher = FakePublisher(max_bytes=LIMIT)
    assert await _relay(database, publisher).publish_pending() == 6
    assert [e.enterprise.version for e in publisher.events] == [1, 2, 3]
    assert len(publisher.dead_letters) == 1


async def test_relay_health_counts_the_backlog_its_oldest_row_and_rows_given_up() -> None:
    database = _database_with_a_big_row_first()
    before = relay_health(FakeUnitOfWork(database), at(3))
    assert (before.backlog, before.given_up) == (7, 0)
    assert before.oldest_unpublished_at == MORNING
    assert before.oldest_age_seconds == 3 * 3600
    await _relay(database, FakePublisher(max_bytes=LIMIT)).publish_pending()
    after = relay_health(FakeUnitOfWork(database), at(4))
    assert (after.backlog, after.oldest_unpublished_at, after.given_up) == (0, None, 1)
    assert after.oldest_age_seconds == 0


async def test_published_rows_are_deleted_after_their_retention_in_batches() -> None:
    database = _database_with_a_big_row_first()
    await _relay(database, FakePublisher(max_bytes=LIMIT)).publish_pending()
    obs = observation("PSO-2024-0999", kvk=("06999999",), website="https://other.example.nl/")
    record_label_event(granted(obs, at(4)), FakeUnitOfWork(database), TODAY, source="test")
    factory = lambda: FakeUnitOfWork(database)  # noqa: E731
    assert forget_published(factory, at(3) + timedelta(days=6), keep_days=7) == 0
    assert forget_published(factory, at(3) + timedelta(days=8), keep_days=7, batch=4) == 6
    # Left: the row given up on (kept as long as its dead letter) and the unpublished ones.
    assert database.outbox[0].event_id == "big-event-0001"
    assert len(database.outbox) == 3
    assert forget_published(factory, at(3) + timedelta(days=31), keep_days=7) == 1
    assert relay_health(FakeUnitOfWork(database), at(4)).backlog == 2
