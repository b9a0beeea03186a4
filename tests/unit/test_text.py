"""One folding of text for the category rules and the search."""

from __future__ import annotations

import pytest

from contracts.places import region_named
from contracts.text import fold

pytestmark = pytest.mark.unit


def test_folding_lowers_and_drops_accents_but_keeps_other_scripts() -> None:
    assert fold("Taalcafé Coöperatie") == "taalcafe cooperatie"
    assert fold("Ελλάδα") == "ελλαδα"


def test_a_region_is_named_in_its_own_spelling_whatever_the_case() -> None:
    assert region_named("  twente ") == "Twente"
    assert region_named("Deventer") is None  # a municipality, not a region
    assert region_named("Atlantis") is None
