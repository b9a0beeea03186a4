"""Which listing changes a saved search shows: the search page's filters applied to the
enterprise as it was, and only what changed whether it is in the search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.alerts import AlertFilters
from services.gateway.alerts.matching import ListingChange, matches, period_entries

pytestmark = pytest.mark.unit
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def change(enterprise_id: str = "e1", minutes: int = 0, **fields: Any) -> ListingChange:
    values: dict[str, Any] = {
        "event_id": f"{enterprise_id}-{minutes}",
        "enterprise_id": enterprise_id,
        "occurred_at": T0 + timedelta(minutes=minutes),
        "change": "joined",
        "reason": None,
        "name": "Kringloop Twente",
        "municipality": "Enschede",
        "region": "Twente",
        "labels": frozenset({"pso"}),
        "categories": frozenset({"catering", "schoonmaak"}),
    }
    return ListingChange(**(values | fields))


def test_no_filter_shows_every_change() -> None:
    assert matches(AlertFilters(), change())


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        (AlertFilters(label=("pso",)), True),
        (AlertFilters(label=("senl", "pso")), True),
        (AlertFilters(label=("senl",)), False),
        (AlertFilters(category=("catering",)), True),
        (AlertFilters(category=("groenonderhoud", "schoonmaak")), True),
        (AlertFilters(category=("groenonderhoud",)), False),
        (AlertFilters(region="Twente"), True),
        (AlertFilters(region="twente"), True),
        (AlertFilters(region="Achterhoek"), False),
        (AlertFilters(label=("pso",), category=("groenonderhoud",)), False),
        (AlertFilters(label=("pso",), category=("catering",), region="Twente"), True),
    ],
)
def test_any_label_any_category_and_the_region_as_the_search_page_filters(
    filters: AlertFilters, shown: bool
) -> None:
    assert matches(filters, change()) is shown


def test_an_enterprise_without_a_region_is_not_in_a_regions_search() -> None:
    assert not matches(AlertFilters(region="Twente"), change(region=None))


def test_joins_and_departures_are_told_in_time_order() -> None:
    changes = [
        change("b", 30, change="left", reason="label_lapsed"),
        change("a", 10),
        change("c", 20, change="returned"),
    ]
    told = period_entries(AlertFilters(), changes)
    assert [(c.enterprise_id, c.change) for c in told] == [
        ("a", "joined"),
        ("c", "returned"),
        ("b", "left"),
    ]


def test_an_enterprise_that_left_and_returned_within_the_period_is_not_told() -> None:
    changes = [change("a", 10, change="left"), change("a", 20, change="returned")]
    assert period_entries(AlertFilters(), changes) == []


def test_one_that_joined_and_left_within_the_period_is_not_told_either() -> None:
    changes = [change("a", 10), change("a", 20, change="left")]
    assert period_entries(AlertFilters(), changes) == []


def test_a_move_within_the_search_is_no_change_but_out_of_its_region_is() -> None:
    moves = [
        change("a", 10, change="left", reason="moved", region="Twente"),
        change("a", 10, change="joined", reason="moved", region="Achterhoek"),
    ]
    assert period_entries(AlertFilters(), moves) == []
    [left] = period_entries(AlertFilters(region="Twente"), moves)
    [arrived] = period_entries(AlertFilters(region="Achterhoek"), moves)
    assert (left.change, arrived.change) == ("left", "joined")


def test_a_change_outside_the_filters_is_not_told() -> None:
    changes = [change("a", 10, categories=frozenset({"wasserij"}))]
    assert period_entries(AlertFilters(category=("catering",)), changes) == []
