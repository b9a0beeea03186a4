"""Deriving what an enterprise offers from what its label registries publish."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from contracts.categories import CATEGORIES
from contracts.labels import LabelName, Observation
from services.registry.categories import derive_categories, folded
from tests.unit.registry.factories import observation

pytestmark = pytest.mark.unit

WORLD = Path(__file__).parents[3] / "services" / "demo" / "data" / "world.json"
ORDER = [category.slug for category in CATEGORIES]


def published(label: LabelName, name: str, **facts: Any) -> Observation:
    """A holding as the scraper reads it from `label`'s register; keywords override."""
    values: dict[str, Any] = {
        "label": label,
        "holding_id": name.lower().replace(" ", "-"),
        "name": name,
        "status": "geregistreerd",
        "counts": True,
        "source_url": f"https://{label}.example/{name.lower().replace(' ', '-')}/",
    }
    return Observation(**{**values, **facts})


def level_token(text: str | None) -> str | None:
    """A member type or level as the scraper normalises it (`Sociaal ontwikkelbedrijf`)."""
    return "-".join(text.lower().split()) if text else None


@cache
def world() -> dict[str, list[Observation]]:
    """Every demo enterprise's holdings as the scraper would observe them."""
    enterprises = json.loads(WORLD.read_text("utf-8"))["enterprises"]
    return {
        e["key"]: [from_world(e, label, h) for label, h in e["labels"].items()] for e in enterprises
    }


def from_world(
    enterprise: dict[str, Any], label: LabelName, holding: dict[str, Any]
) -> Observation:
    return published(
        label,
        holding.get("naam") or enterprise["naam"],
        level=level_token(
            holding.get("type") or holding.get("niveau") or holding.get("lidmaatschap")
        ),
        themes=tuple(holding.get("impact") or holding.get("themas") or ()),
        summary=holding.get("samenvatting") or holding.get("beschrijving"),
    )


@pytest.mark.parametrize(
    ("enterprise", "category"),
    [
        ("lunchroom-bij-ons", "catering"),
        ("soepbar-warm-welkom", "catering"),
        ("koks-in-de-maak", "catering"),
        ("ijssel-catering", "catering"),
        ("taalcafe-samen", "catering"),
        ("kringloop-twente", "kringloop-en-hergebruik"),
        ("groenwerk-hengelo", "groenonderhoud"),
        ("groene-vingers", "groenonderhoud"),
        ("pakketwerk-twente", "relatiegeschenken-en-kerstpakketten"),
        ("kerstpakket-en-co", "relatiegeschenken-en-kerstpakketten"),
        ("fietskoeriers-nijmegen", "post-en-bezorging"),
        ("inclusief-digitaal", "ict-en-digitale-toegankelijkheid"),
        ("de-groene-fietser", "fietsen-en-mobiliteit"),
        ("twentewerk", "re-integratie-en-arbeidsontwikkeling"),
        ("larmo-werkbedrijf", "re-integratie-en-arbeidsontwikkeling"),
    ],
)
def test_a_demo_enterprise_gets_the_category_a_buyer_expects(
    enterprise: str, category: str
) -> None:
    assert category in derive_categories(world()[enterprise])


def test_a_green_name_does_not_make_a_bicycle_workshop_a_gardener() -> None:
    derived = derive_categories(world()["de-groene-fietser"])
    assert "groenonderhoud" not in derived
    assert (
        "kringloop-en-hergebruik" not in derived
    )  # "Circulaire productie" is a theme, not an offer


def test_restaurants_are_catering_not_food_products() -> None:
    assert derive_categories(world()["koks-in-de-maak"]) == ("catering",)
    assert derive_categories(world()["lunchroom-bij-ons"]) == ("catering",)


def test_municipalities_and_others_without_an_offer_get_no_category() -> None:
    for key in ("gemeente-hengelo", "gemeente-zutphen", "binnenwerk-tiel"):
        assert derive_categories(world()[key]) == ()


def test_cedris_member_types_mean_reintegration_even_under_a_neutral_name() -> None:
    for member_type in ("leerwerkbedrijf", "sociaal-ontwikkelbedrijf"):
        holding = published("cedris", "Stichting Vooruit", level=member_type)
        assert derive_categories([holding]) == ("re-integratie-en-arbeidsontwikkeling",)
    assert derive_categories([published("cedris", "Stichting Vooruit", level="overig")]) == ()


def test_generic_words_make_no_category() -> None:
    holding = published(
        "senl",
        "Werk & Zo",
        themes=("Arbeidsparticipatie", "Circulaire economie", "Voedsel", "Inclusie"),
        summary="Wij bieden werk, ontwikkeling en een goede werkplek aan iedereen in de wijk.",
    )
    assert derive_categories([holding]) == ()


def test_short_keywords_match_whole_words_only_and_long_ones_inside_words() -> None:
    lottery = published("codeso", "Stichting Postcodeproject", summary="Verkoopt loten.")
    assert derive_categories([lottery]) == ()
    couriers = published("senl", "Snel Rond", summary="Fietskoeriers bezorgen post in de stad.")
    assert "post-en-bezorging" in derive_categories([couriers])


def test_accents_case_and_hyphens_inside_words_are_folded() -> None:
    assert (
        folded("Taalcafé RE-INTEGRATIE naai-atelier - en")
        == "taalcafe reintegratie naaiatelier - en"
    )
    holding = published("codeso", "Samen Sterk", summary="Re-integratie en een naai-atelier.")
    assert derive_categories([holding]) == (
        "re-integratie-en-arbeidsontwikkeling",
        "textiel-en-bedrijfskleding",
    )


def test_nothing_is_derived_from_empty_data() -> None:
    assert derive_categories([]) == ()
    assert derive_categories([published("senl", "Tunga")]) == ()
    assert derive_categories([observation(name="B.V. 123", level=None)]) == ()


def test_derivation_is_deterministic_and_in_category_list_order() -> None:
    holdings = [
        published("senl", "Wijkwerk", summary="Schoonmaak, groenonderhoud en catering in de wijk."),
        published("codeso", "Wijkwerk", summary="Ook drukwerk en kerstpakketten."),
        observation(name="Wijkwerk B.V."),
    ]
    derived = derive_categories(holdings)
    assert derived == tuple(sorted(derived, key=ORDER.index))
    assert len(derived) == 5
    for seed in range(5):
        shuffled = holdings[:]
        random.Random(seed).shuffle(shuffled)
        assert derive_categories(shuffled) == derived
        assert derive_categories(iter(shuffled)) == derived


def test_every_demo_enterprise_derives_only_known_slugs_in_order() -> None:
    for holdings in world().values():
        derived = derive_categories(holdings)
        assert derived == tuple(sorted(set(derived), key=ORDER.index))
