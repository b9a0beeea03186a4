"""A listed enterprise that moves to another province or region: a delisting under the old
subject, then a listing under the new, so every subscriber's filter sees it leave or arrive."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseDelisted, EnterpriseListed, EnterpriseUpdated
from services.gateway.handlers import record_enterprise_event
from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.queries import get_enterprise
from services.registry.adapters.unit_of_work import FakeDatabase
from services.registry.bootstrap import Registry
from services.registry.moves import Moved, Outcome, events_of
from tests.unit.registry.factories import MORNING, Clock, at, changed, granted, observation
from tests.unit.registry.running import enterprise_rows, queued, start_registry

pytestmark = pytest.mark.unit


async def _moved_from(place: str, to: str) -> tuple[FakeDatabase, Outcome]:
    """An enterprise listed at `place` whose registry then names `to`."""
    database = FakeDatabase()
    registry: Registry = start_registry(database, Clock())
    before = observation(place=place)
    await registry.record_label_event(granted(before))
    outcome = await registry.record_label_event(changed(observation(place=to), before, at(1)))
    return database, outcome


async def test_a_move_to_another_province_is_a_delisting_there_and_a_listing_here() -> None:
    database, outcome = await _moved_from("Hengelo", "Arnhem")
    assert isinstance(outcome, Moved)
    assert [m.subject for m in enterprise_rows(database)] == [
        "impact.v1.enterprises.overijssel.twente.listed",
        "impact.v1.enterprises.overijssel.twente.delisted",
        "impact.v1.enterprises.gelderland.midden-gelderland.listed",
    ]
    first, left, arrived = queued(database)
    assert isinstance(left, EnterpriseDelisted) and isinstance(arrived, EnterpriseListed)
    assert (left.reason, left.lapsed_label, left.lapsed_on) == ("moved", None, None)
    assert (left.enterprise.version, arrived.enterprise.version) == (2, 3)
    assert (left.enterprise.place, left.enterprise.province) == ("Hengelo", "Overijssel")
    assert not left.enterprise.listed and left.enterprise.listed_since is None
    assert (arrived.enterprise.place, arrived.enterprise.region) == ("Arnhem", "Midden-Gelderland")
    assert arrived.enterprise.listed
    assert arrived.enterprise.listed_since == first.enterprise.listed_since == MORNING
    assert left.occurred_at == arrived.occurred_at == at(1)


async def test_a_moves_events_have_ids_that_follow_from_the_enterprise_and_version() -> None:
    database, outcome = await _moved_from("Hengelo", "Arnhem")
    again, _ = await _moved_from("Hengelo", "Arnhem")
    left, arrived = events_of(outcome)
    enterprise_id = left.enterprise.enterprise_id
    assert left.event_id == deterministic_id(enterprise_id, 2, "delisted")
    assert arrived.event_id == deterministic_id(enterprise_id, 3, "listed")
    assert [m.payload for m in database.outbox] == [m.payload for m in again.outbox]


async def test_a_move_to_another_region_of_the_same_province_is_a_move_too() -> None:
    database, outcome = await _moved_from("Enschede", "Zwolle")
    assert isinstance(outcome, Moved)
    assert [m.subject for m in enterprise_rows(database)][1:] == [
        "impact.v1.enterprises.overijssel.twente.delisted",
        "impact.v1.enterprises.overijssel.regio-zwolle.listed",
    ]


async def test_a_move_within_one_region_is_an_update_under_its_subject() -> None:
    database, outcome = await _moved_from("Enschede", "Hengelo")
    assert isinstance(outcome, EnterpriseUpdated)
    assert {"place", "municipality"} <= set(outcome.changes)
    assert [m.subject for m in enterprise_rows(database)][-1] == (
        "impact.v1.enterprises.overijssel.twente.updated"
    )


async def test_a_label_verified_again_at_the_same_place_queues_nothing() -> None:
    database, outcome = await _moved_from("Hengelo", "Hengelo")
    assert outcome is None
    assert [e.kind for e in queued(database)] == ["listed"]


async def test_a_gateway_shows_the_moved_enterprise_at_its_new_place_in_either_order() -> None:
    database, _ = await _moved_from("Hengelo", "Arnhem")
    listed, left, arrived = queued(database)
    for order in ((listed, left, arrived), (listed, arrived, left)):
        engine = make_engine("sqlite://")
        create_tables(engine)
        for event in order:
            record_enterprise_event(engine, event)
        with Session(engine) as session:
            view = get_enterprise(session, listed.enterprise.enterprise_id)
        assert view is not None and (view.place, view.province) == ("Arnhem", "Gelderland")
