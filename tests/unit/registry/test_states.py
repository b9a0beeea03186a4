"""The present beside the history: every enterprise event that tells a new state is queued
again, in the same transaction, under its enterprise's state subject, where ENTERPRISE_STATES
keeps only the latest; a reminder repeats a state and is not."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseDelisted, EnterpriseEvent
from contracts.subjects import ENTERPRISE_STATES_STREAM, STREAMS, state_subject, stream_of
from contracts.supplements import Supplement, SupplementSubmitted
from services.kit.streams import stream_config
from services.registry import self_service
from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import ENTERPRISE_EVENT, FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.moves import events_of
from tests.unit.registry.factories import (
    MORNING,
    TODAY,
    Clock,
    at,
    changed,
    granted,
    lapsed,
    observation,
)
from tests.unit.registry.running import enterprise_rows, queued, start_registry, state_rows

pytestmark = pytest.mark.unit

TWENTE = "impact.v1.states.overijssel.twente"


def _states(database: FakeDatabase) -> list[tuple[str, EnterpriseEvent]]:
    return [(m.subject, ENTERPRISE_EVENT.validate_json(m.payload)) for m in state_rows(database)]


def _supplemented_and_hidden(database: FakeDatabase, enterprise_id: str) -> None:
    """The enterprise adds a description; an operator hides it."""
    submitted = SupplementSubmitted(
        event_id=deterministic_id("supplement", enterprise_id),
        occurred_at=at(3),
        source="gateway",
        enterprise_id=enterprise_id,
        submitted_by="inkoop@kringlooptwente.nl",
        supplement=Supplement(description="Wij herstellen fietsen."),
    )
    uow = FakeUnitOfWork(database)
    assert self_service.record_supplement(submitted, uow, TODAY, source="test", now=at(3))
    assert self_service.hide_fields(
        enterprise_id,
        ("description",),
        "Misleidend.",
        FakeUnitOfWork(database),
        TODAY,
        source="test",
        now=at(4),
    )


async def test_each_event_that_tells_a_new_state_is_queued_again_under_its_state_subject() -> None:
    database = FakeDatabase()
    registry = start_registry(database, Clock())
    first = observation(place="Hengelo")
    await registry.record_label_event(granted(first))
    renamed = observation(place="Hengelo", name="De Groene Fietser")
    await registry.record_label_event(changed(renamed, first, at(1)))
    enterprise_id = queued(database)[-1].enterprise.enterprise_id
    _supplemented_and_hidden(database, enterprise_id)
    await registry.record_label_event(lapsed(renamed, at(48)))

    kinds = ["listed", "updated", "updated", "supplement_hidden", "delisted"]
    assert [e.kind for e in queued(database)] == kinds
    assert [(s, e.kind) for s, e in _states(database)] == [
        (f"{TWENTE}.{enterprise_id}", kind) for kind in kinds
    ]
    # Each state row is committed right after its event, in the same transaction.
    assert [m.subject.split(".")[2] for m in database.outbox] == ["enterprises", "states"] * 5


async def test_a_reminder_repeats_a_state_and_is_not_queued_as_one() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=20)
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(observation(valid_until=end)))
    clock.set(TODAY + timedelta(days=1))
    assert await start_registry(database, clock).pass_time() == 1
    assert [e.kind for e in queued(database)] == ["listed", "recertification_due"]
    assert [e.kind for _, e in _states(database)] == ["listed"]


async def test_a_move_leaves_a_delisting_under_the_old_state_subject_a_listing_at_the_new() -> None:
    database = FakeDatabase()
    registry = start_registry(database, Clock())
    before = observation(place="Hengelo")
    await registry.record_label_event(granted(before))
    moved = await registry.record_label_event(changed(observation(place="Arnhem"), before, at(1)))
    enterprise_id = events_of(moved)[0].enterprise.enterprise_id
    assert [(s, e.kind, e.enterprise.version) for s, e in _states(database)[1:]] == [
        (f"{TWENTE}.{enterprise_id}", "delisted", 2),
        (f"impact.v1.states.gelderland.midden-gelderland.{enterprise_id}", "listed", 3),
    ]
    last_at_old = _states(database)[1][1]
    assert isinstance(last_at_old, EnterpriseDelisted) and last_at_old.reason == "moved"
    assert not last_at_old.enterprise.listed


async def test_a_state_row_is_its_event_unchanged_under_a_message_id_of_its_own() -> None:
    database = FakeDatabase()
    await start_registry(database, Clock()).record_label_event(granted(observation()))
    [event_row], [state_row] = enterprise_rows(database), state_rows(database)
    assert state_row.event_id == deterministic_id("state", event_row.event_id)
    assert json.loads(state_row.payload) == json.loads(event_row.payload)


async def test_the_relay_publishes_the_states_to_enterprise_states_once() -> None:
    database, publisher = FakeDatabase(), FakePublisher()
    await start_registry(database, Clock()).record_label_event(granted(observation()))
    relay = OutboxRelay(lambda: FakeUnitOfWork(database), publisher, clock=lambda: MORNING)  # type: ignore[arg-type]
    assert await relay.publish_pending() == 2
    [row] = state_rows(database)
    await publisher.publish(row.subject, row.event_id, row.payload)  # a crash's republish
    assert [e.kind for e in publisher.events] == ["listed"]
    assert [s for s, _ in publisher.states] == [row.subject]
    assert publisher.duplicates == 1


def test_enterprise_states_keeps_one_message_per_enterprise_subject() -> None:
    assert ENTERPRISE_STATES_STREAM in STREAMS
    assert stream_config(ENTERPRISE_STATES_STREAM).max_msgs_per_subject == 1
    subject = state_subject("Fryslân", "Noord-Holland Noord", "7f46b7e6387e7e28")
    assert subject == "impact.v1.states.fryslan.noord-holland-noord.7f46b7e6387e7e28"
    assert stream_of(subject) is ENTERPRISE_STATES_STREAM
    assert state_subject(None, None, "ab12") == "impact.v1.states.onbekend.onbekend.ab12"


@pytest.mark.parametrize("enterprise_id", ["", "ab.12", "ab*", "AB12", "a b"])
def test_a_state_subject_refuses_an_id_that_is_not_one_token(enterprise_id: str) -> None:
    with pytest.raises(ValueError, match="subject token"):
        state_subject("Overijssel", "Twente", enterprise_id)


async def test_a_backfill_queues_each_listed_enterprise_s_state_and_nothing_else() -> None:
    from services.registry.backfill import backfill_states

    database = FakeDatabase()
    registry = start_registry(database, Clock())
    kept, gone = observation(), observation("PSO-2024-0999", kvk=("06999999",), website=None)
    for event in (granted(kept), granted(gone), lapsed(gone, at(2))):
        await registry.record_label_event(event)
    before = len(database.outbox)
    assert backfill_states(lambda: FakeUnitOfWork(database), at(3), source="test") == 1
    added = database.outbox[before:]
    assert [stream_of(m.subject) for m in added] == [ENTERPRISE_STATES_STREAM]
    (event,) = [ENTERPRISE_EVENT.validate_json(m.payload) for m in added]
    assert event.kind == "listed" and event.enterprise.labels[0].holding_id == kept.holding_id
    assert added[0].event_id == deterministic_id("state", event.event_id)
