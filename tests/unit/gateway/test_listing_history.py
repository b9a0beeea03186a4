"""The read model's listing history: since when and why an enterprise is not listed, and
every time one joined, returned or left (the history behind alerts and regional charts)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseDelisted, EnterpriseListed
from services.gateway.handlers import record_enterprise_event
from services.gateway.read_model.tables import EnterpriseRow, ListingChangeRow
from tests.unit.gateway.events import (
    VERIFIED,
    delisted,
    holding,
    listed,
    moved_away,
    state,
    updated,
)

pytestmark = pytest.mark.unit


def _changes(engine: Engine) -> list[tuple[str, int, str, str | None, str | None]]:
    with Session(engine) as session:
        rows = session.exec(
            select(ListingChangeRow).order_by(col(ListingChangeRow.occurred_at))
        ).all()
        return [(r.enterprise_id, r.version, r.change, r.reason, r.region) for r in rows]


def _row(engine: Engine, enterprise_id: str = "e1") -> EnterpriseRow:
    with Session(engine) as session:
        row = session.get(EnterpriseRow, enterprise_id)
        assert row is not None
        return row


def test_a_first_listing_joins_a_lapse_leaves_and_a_relisting_returns(engine: Engine) -> None:
    lapse = delisted(version=2)
    for event in (listed(version=1), lapse, listed(version=3)):
        record_enterprise_event(engine, event)
    assert _changes(engine) == [
        ("e1", 1, "joined", None, "Twente"),
        ("e1", 2, "left", "label_lapsed", "Twente"),
        ("e1", 3, "returned", None, "Twente"),
    ]


def test_a_delisted_enterprise_says_since_when_and_why(engine: Engine) -> None:
    lapse = delisted(version=2)
    record_enterprise_event(engine, listed(version=1))
    record_enterprise_event(engine, lapse)
    row = _row(engine)
    assert (row.listed, row.delisted_at, row.delisted_reason) == (
        False,
        lapse.occurred_at,
        "label_lapsed",
    )
    assert (row.lapsed_label, row.lapsed_on) == ("pso", date(2026, 3, 13))


def test_an_update_while_delisted_keeps_the_delisting_date(engine: Engine) -> None:
    lapse = delisted(version=2)
    later = updated(version=3, listed=False, labels=(holding(counts=False),), name="Nieuwe naam")
    for event in (listed(version=1), lapse, later):
        record_enterprise_event(engine, event)
    row = _row(engine)
    assert (row.name, row.delisted_at, row.delisted_reason) == (
        "Nieuwe naam",
        lapse.occurred_at,
        "label_lapsed",
    )
    assert [change for _, _, change, _, _ in _changes(engine)] == ["joined", "left"]


def test_relisting_clears_the_delisting(engine: Engine) -> None:
    for event in (listed(version=1), delisted(version=2), listed(version=3)):
        record_enterprise_event(engine, event)
    row = _row(engine)
    assert (row.listed, row.delisted_at, row.delisted_reason, row.lapsed_on) == (
        True,
        None,
        None,
        None,
    )


def test_leaving_the_region_is_recorded_with_its_reason(engine: Engine) -> None:
    record_enterprise_event(engine, listed(version=1))
    record_enterprise_event(engine, moved_away(version=2))
    assert _changes(engine)[-1][2:4] == ("left", "outside_region")
    assert _row(engine).lapsed_label is None


def test_a_move_leaves_the_old_region_and_joins_the_new_one(engine: Engine) -> None:
    record_enterprise_event(engine, listed(version=1))
    old = state(version=2, listed=False)
    new = state(version=3, region="Achterhoek", place="Doetinchem", municipality="Doetinchem")
    at = VERIFIED + timedelta(days=30)
    record_enterprise_event(
        engine,
        EnterpriseDelisted(
            event_id=deterministic_id("e1", 2, "delisted"),
            occurred_at=at,
            source="test",
            enterprise=old,
            reason="moved",
        ),
    )
    record_enterprise_event(
        engine,
        EnterpriseListed(
            event_id=deterministic_id("e1", 3, "listed"),
            occurred_at=at,
            source="test",
            enterprise=new,
        ),
    )
    assert _changes(engine)[1:] == [
        ("e1", 2, "left", "moved", "Twente"),
        ("e1", 3, "joined", "moved", "Achterhoek"),
    ]


def test_stale_and_repeated_events_record_no_change(engine: Engine) -> None:
    first = listed(version=1)
    record_enterprise_event(engine, first)
    record_enterprise_event(engine, delisted(version=3))
    record_enterprise_event(engine, first)  # redelivered
    record_enterprise_event(engine, updated(version=2))  # older than what is stored
    assert [change for _, _, change, _, _ in _changes(engine)] == ["joined", "left"]


def test_an_enterprise_first_seen_unlisted_has_no_change(engine: Engine) -> None:
    record_enterprise_event(engine, delisted(version=4))
    assert _changes(engine) == []
    assert _row(engine).delisted_at is not None


def test_change_rows_carry_what_a_saved_search_filters_on(engine: Engine) -> None:
    record_enterprise_event(
        engine, listed(version=1, labels=(holding("pso"), holding("senl", counts=True)))
    )
    with Session(engine) as session:
        (row,) = session.exec(select(ListingChangeRow)).all()
    assert (row.counting_labels, row.province, row.municipality) == (
        "pso senl",
        "Overijssel",
        "Enschede",
    )


def test_a_departure_carries_the_labels_that_counted_just_before_it(engine: Engine) -> None:
    two = (holding("pso"), holding("senl"))
    record_enterprise_event(engine, listed(version=1, labels=two))
    record_enterprise_event(engine, delisted(version=2))
    with Session(engine) as session:
        rows = session.exec(select(ListingChangeRow).order_by(col(ListingChangeRow.version)))
        assert [(r.change, r.counting_labels) for r in rows] == [
            ("joined", "pso senl"),
            ("left", "pso senl"),
        ]
