"""The category list and the CPV reference data it maps to."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from contracts.categories import CATEGORIES, CPV_PATTERN, SLUG_PATTERN, category_named
from contracts.cpv import cpv_codes, cpv_description, parse_cpv

pytestmark = pytest.mark.unit

CONFIRMED = {
    "catering": ("55520000-1", "55510000-8", "55523100-3"),
    "schoonmaak": ("90910000-9", "90911200-8", "90911300-9", "90919200-4"),
    "groenonderhoud": ("77310000-6", "77311000-3", "77313000-7", "77314000-4", "77340000-5"),
    "relatiegeschenken-en-kerstpakketten": ("18530000-3",),
    "drukwerk-en-vormgeving": (
        "79800000-2",
        "79810000-5",
        "79811000-2",
        "79823000-9",
        "79822500-7",
    ),
    "post-en-bezorging": ("64120000-3", "64121100-1", "64121200-2", "79571000-7"),
    "re-integratie-en-arbeidsontwikkeling": (
        "79611000-0",
        "79634000-7",
        "79632000-3",
        "80530000-8",
    ),
    "facilitaire-diensten": ("79993000-1", "79993100-2", "79921000-6", "79992000-4"),
}
REQUIRED_EXTRA = (
    "kringloop-en-hergebruik",
    "fietsen-en-mobiliteit",
    "textiel-en-bedrijfskleding",
    "ict-en-digitale-toegankelijkheid",
    "bouw-en-onderhoud",
    "voeding-en-streekproducten",
    "verpakken-en-assemblage",
    "wasserij",
    "detachering-en-inhuur",
    "zorg-en-welzijn",
)


def test_every_category_maps_only_to_codes_in_the_shipped_cpv_list() -> None:
    known = cpv_codes()
    missing = {c.slug: [code for code in c.cpv if code not in known] for c in CATEGORIES}
    assert {slug: codes for slug, codes in missing.items() if codes} == {}


def test_every_code_is_well_formed_and_listed_once_per_category() -> None:
    for category in CATEGORIES:
        assert category.cpv, category.slug
        assert len(set(category.cpv)) == len(category.cpv), category.slug
        assert all(re.fullmatch(CPV_PATTERN, code) for code in category.cpv), category.slug


def test_slugs_are_unique_and_well_formed_and_names_are_unique() -> None:
    slugs = [c.slug for c in CATEGORIES]
    names = [c.name for c in CATEGORIES]
    assert len(set(slugs)) == len(slugs)
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(SLUG_PATTERN, slug) for slug in slugs)


@pytest.mark.parametrize(("slug", "codes"), sorted(CONFIRMED.items()))
def test_the_confirmed_starting_codes_are_in_their_category(
    slug: str, codes: tuple[str, ...]
) -> None:
    category = category_named(slug)
    assert category is not None
    assert set(codes) <= set(category.cpv)


def test_every_category_a_buyer_in_the_region_needs_exists() -> None:
    assert [slug for slug in REQUIRED_EXTRA if category_named(slug) is None] == []


def test_keywords_are_folded_single_words() -> None:
    for category in CATEGORIES:
        for keyword in category.keywords:
            assert re.fullmatch(r"[a-z0-9]+", keyword), (category.slug, keyword)


def test_the_shipped_list_gives_the_official_dutch_wording() -> None:
    assert cpv_description("55520000-1") == "Cateringdiensten"
    assert cpv_description("90919200-4") == "Schoonmaken van kantoren"
    assert cpv_description("12345678-9") is None
    assert list(cpv_codes()) == sorted(cpv_codes())


def test_the_shipped_file_is_read_by_the_same_parser() -> None:
    text = resources.files("contracts").joinpath("data", "cpv2008.csv").read_text("utf-8")
    assert parse_cpv(text) == cpv_codes()


def test_a_description_with_a_comma_is_read_whole() -> None:
    text = 'code,nl\n15000000-8,"Voeding, dranken, tabak en aanverwante producten"\n'
    assert parse_cpv(text) == {"15000000-8": "Voeding, dranken, tabak en aanverwante producten"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,nl\n5552000-1,Cateringdiensten\n", "line 2: '5552000-1' is not a CPV code"),
        ("code,nl\n55520000-1,\n", "line 2: 55520000-1 has no description"),
        ("code,nl\n55520000-1,Catering,extra\n", "line 2: expected 2 columns, found 3"),
        ("code,nl\n55520000-1,A\n55520000-1,B\n", "line 3: 55520000-1 appears twice"),
        ("code;nl\n55520000-1;A\n", "line 1: header must be 'code,nl'"),
        ("", "line 1: header must be 'code,nl'"),
    ],
)
def test_a_malformed_line_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_cpv(text, "cpv2008.csv")
