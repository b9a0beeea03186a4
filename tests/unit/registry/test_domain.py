"""The listing rule for one holding, and what counts as a public change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.registry.enterprise import Enterprise, Holding
from services.registry.public_state import changed_fields, public_state
from tests.unit.registry.factories import MORNING, TODAY, at, observation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("facts", "lapsed", "counts"),
    [
        ({}, False, True),
        ({"valid_until": None}, False, True),
        ({"valid_until": TODAY}, False, True),
        ({"valid_until": TODAY - timedelta(days=1)}, False, False),
        ({"counts": False, "status": "aspirant"}, False, False),
        ({}, True, False),
    ],
    ids=["valid", "no-end-date", "last-valid-day", "expired", "not-counting", "lapsed"],
)
def test_holding_counts_only_while_counting_unlapsed_and_valid(
    facts: dict[str, Any],
    lapsed: bool,
    counts: bool,
) -> None:
    holding = Holding(observation(**facts), MORNING, TODAY if lapsed else None)
    assert holding.counts(TODAY) is counts


def test_enterprise_is_listed_while_one_holding_counts() -> None:
    enterprise = Enterprise("e1")
    for holding in (
        Holding(observation("A", counts=False, status="aspirant"), at(0)),
        Holding(observation("B"), at(1), lapsed_on=TODAY),
    ):
        enterprise.holdings[holding.key] = holding
    assert not public_state(enterprise, TODAY, 1, MORNING).listed
    counting = Holding(observation("C"), at(2))
    enterprise.holdings[counting.key] = counting
    assert public_state(enterprise, TODAY, 1, MORNING).listed


def test_kvk_is_the_union_of_all_holdings_and_themes_are_merged() -> None:
    enterprise = Enterprise("e1")
    for holding in (
        Holding(observation("A", kvk=("02222222", "01111111"), themes=("werk",)), at(0)),
        Holding(
            observation(
                "B",
                kvk=("03333333",),
                counts=False,
                status="aspirant",
                themes=("circulair", "werk"),
            ),
            at(1),
        ),
    ):
        enterprise.holdings[holding.key] = holding
    state = public_state(enterprise, TODAY, 1, MORNING)
    assert state.kvk == ("01111111", "02222222", "03333333")
    assert state.themes == ("circulair", "werk")


def test_a_holding_verified_again_is_no_public_change() -> None:
    enterprise = Enterprise("e1")
    holding = Holding(observation(), at(0))
    enterprise.holdings[holding.key] = holding
    before = public_state(enterprise, TODAY, 1, MORNING)
    holding.last_event_at = at(24)
    after = public_state(enterprise, TODAY, 2, MORNING)
    assert after.labels[0].last_verified_at == at(24)
    assert changed_fields(before, after) == ()
