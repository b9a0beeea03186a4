"""Pruning processed ids with fakes: only ids the durable acknowledged and older than the
horizon go; the same deliveries handled again after pruning change nothing; ids without a
sequence go once no stream can hold their event."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contracts.labels import LabelEvent
from services.kit.batches import Delivery
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.housekeeping import UNSEQUENCED_KEEP, prune_processed
from tests.unit.registry.factories import MORNING, TODAY, Clock, granted, observation
from tests.unit.registry.running import start_registry

pytestmark = pytest.mark.unit


def holder(n: int) -> LabelEvent:
    obs = observation(
        f"PSO-2024-{n:04d}", kvk=(f"0612{n:04d}",), website=f"https://holder{n}.example.nl/"
    )
    return granted(obs)


def delivered(event: LabelEvent, sequence: int) -> Delivery[LabelEvent]:
    return Delivery(event, sequence, 1, "impact.v1.labels.pso.granted", event.event_id)


def factory(database: FakeDatabase) -> FakeUnitOfWork:
    return FakeUnitOfWork(database)


async def test_deliveries_handled_again_after_pruning_change_nothing() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    deliveries = [delivered(holder(n), n + 1) for n in range(3)]
    assert await registry.record_label_batch(deliveries) == [None, None, None]
    rows = len(database.outbox)
    later = MORNING + timedelta(days=31)
    assert prune_processed(lambda: factory(database), later, 30, {"LABELS": 3}) == 3
    assert database.processed == set() and database.pruned_through == {"LABELS": 3}
    assert await registry.record_label_batch(deliveries) == [None, None, None]
    assert database.processed == set() and len(database.outbox) == rows
    fresh = delivered(holder(3), 4)
    assert await registry.record_label_batch([fresh]) == [None]
    assert database.processed == {fresh.item.event_id}
    assert len(database.outbox) == rows + 2  # its listing, and it as the state


async def test_only_ids_at_or_below_the_floor_and_past_the_horizon_are_pruned() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    await registry.record_label_batch([delivered(holder(n), n + 1) for n in range(4)])

    def prune(now: datetime, floor: int) -> int:
        return prune_processed(lambda: factory(database), now, 30, {"LABELS": floor}, batch=1)

    assert prune(MORNING + timedelta(days=29), 4) == 0
    assert prune(MORNING + timedelta(days=31), 2) == 2
    assert database.pruned_through == {"LABELS": 2} and len(database.processed) == 2
    assert prune(MORNING + timedelta(days=31), 1) == 0
    assert database.pruned_through == {"LABELS": 2}  # never lowered


def test_ids_without_a_sequence_go_once_no_stream_holds_their_event() -> None:
    database = FakeDatabase()
    record_label_event(holder(0), FakeUnitOfWork(database), TODAY, source="test", now=MORNING)

    def prune(now: datetime) -> int:
        return prune_processed(lambda: factory(database), now, 30, {})

    assert prune(MORNING + timedelta(days=31)) == 0
    assert prune(MORNING + UNSEQUENCED_KEEP + timedelta(days=1)) == 1
    assert database.processed == set()


async def test_the_time_checks_delete_published_outbox_rows_after_their_retention() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock, outbox_keep_days=7)
    await registry.record_label_batch([delivered(holder(0), 1)])
    assert await registry.relay.publish_pending() == 2
    clock.now += timedelta(days=6)
    await registry.pass_time()
    assert len(database.outbox) == 2
    clock.now += timedelta(days=2)
    await registry.pass_time()
    assert database.outbox == []
    assert (await registry.relay_health()).backlog == 0
