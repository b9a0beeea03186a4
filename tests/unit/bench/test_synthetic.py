"""Synthetic label events and enterprises: distinct holdings in the served region."""

from __future__ import annotations

import pytest

from services.bench.synthetic import PLACES, enterprise_state, label_granted

pytestmark = pytest.mark.unit


def test_every_label_event_of_a_run_is_a_distinct_holding_of_its_own_enterprise() -> None:
    events = [label_granted("r1", i) for i in range(500)]

    holdings = {(e.observation.label, e.observation.holding_id) for e in events}
    kvk = {e.observation.kvk for e in events}
    websites = {e.observation.website for e in events}
    assert len(holdings) == len(kvk) == len(websites) == len({e.event_id for e in events}) == 500


def test_runs_never_repeat_each_others_events() -> None:
    first = {label_granted("r1", i).event_id for i in range(50)}
    second = {label_granted("r2", i).event_id for i in range(50)}

    assert not first & second


def test_label_events_use_every_label_and_count() -> None:
    events = [label_granted("r1", i) for i in range(8)]

    assert {e.observation.label for e in events} == {"pso", "codeso", "senl", "cedris"}
    assert all(e.observation.counts for e in events)


def test_places_lie_in_the_provinces_the_platform_serves() -> None:
    assert {province for _, province, _ in PLACES} == {"Overijssel", "Gelderland"}


def test_enterprises_hold_one_to_three_counting_labels_and_are_listed() -> None:
    states = [enterprise_state(i) for i in range(6)]

    assert [len(s.labels) for s in states] == [1, 2, 3, 1, 2, 3]
    assert all(s.listed and all(h.counts for h in s.labels) for s in states)
    assert len({s.enterprise_id for s in states}) == 6


def test_enterprises_offer_a_category_and_every_fourth_completed_its_listing() -> None:
    states = [enterprise_state(i) for i in range(8)]

    assert all(len(s.categories) == 1 for s in states)
    assert [s.supplement is not None for s in states] == [True, False, False, False] * 2
    assert [s.categories_chosen for s in states] == [s.supplement is not None for s in states]
