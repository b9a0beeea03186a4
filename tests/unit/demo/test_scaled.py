"""The demo registries scaled up: deterministic, one enterprise per holding."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.labels import LABELS
from services.demo.sites.pso import certificate
from services.demo.sites.scaled import KEY_FIELD, scaled_entries
from services.demo.world import World, kvk_numbers

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("label", LABELS)
def test_the_same_count_always_gives_the_same_entries(label: str) -> None:
    world = World(TODAY)

    first, again = scaled_entries(label, 300, world), scaled_entries(label, 300, world)  # type: ignore[arg-type]

    assert first == again
    assert len(first) == 300


@pytest.mark.parametrize("label", LABELS)
def test_every_scaled_holding_has_its_own_key_name_and_website(label: str) -> None:
    entries = scaled_entries(label, 2_000, World(TODAY))  # type: ignore[arg-type]
    names = [e.get("naam") or e.get("organisatie") for e in entries]

    assert len({e[KEY_FIELD[label]] for e in entries}) == 2_000  # type: ignore[index]
    assert len(set(names)) == 2_000
    if label != "pso":
        assert len({e["website"] for e in entries}) == 2_000


def test_scaled_pso_certificates_have_distinct_numbers_and_kvk_numbers() -> None:
    entries = scaled_entries("pso", 2_000, World(TODAY))

    numbers = {certificate(e, TODAY).number for e in entries}
    kvk = {kvk_numbers(e["kvk"]) for e in entries}

    assert len(numbers) == len(kvk) == 2_000


def test_a_registry_needs_a_holding() -> None:
    with pytest.raises(ValueError, match="at least one holding"):
        scaled_entries("pso", 0, World(TODAY))
