"""Finding a place's municipality in the bundled data: spellings, qualifiers, namesakes."""

from __future__ import annotations

import pytest

from services.registry.regions import (
    BundledResolver,
    ChainResolver,
    FakeResolver,
    Resolution,
    ServedRegion,
    find_municipalities,
    find_place,
    municipality_by_code,
)
from services.registry.regions.names import fold, split_qualifier

pytestmark = pytest.mark.unit


def names(query: str, province: str | None = None) -> list[str]:
    return [m.name for m in find_place(query, province).matches]


@pytest.mark.parametrize(
    "query", ["Hengelo", "Hengelo (O)", "Hengelo (Ov)", "Hengelo Ov", "HENGELO (OV.)"]
)
def test_hengelo_with_or_without_an_overijssel_qualifier_is_hengelo_in_overijssel(
    query: str,
) -> None:
    lookup = find_place(query)
    assert lookup.unique == municipality_by_code("GM0164")


@pytest.mark.parametrize("query", ["Hengelo (Gld)", "Hengelo Gld", "hengelo (GLD.)"])
def test_hengelo_in_gelderland_is_the_village_in_bronckhorst(query: str) -> None:
    assert names(query) == ["Bronckhorst"]


def test_a_province_hint_picks_the_namesake_in_that_province() -> None:
    assert names("Hengelo", province="Gelderland") == ["Bronckhorst"]
    assert names("Geesteren", province="gld") == ["Berkelland"]
    assert names("Hengelo (O)", province="Gelderland") == []


@pytest.mark.parametrize(
    "query", ["'s-Hertogenbosch", "’s-Hertogenbosch", "s Hertogenbosch", "Den Bosch", "den bosch"]
)
def test_s_hertogenbosch_is_found_by_every_usual_spelling(query: str) -> None:
    assert names(query) == ["'s-Hertogenbosch"]


@pytest.mark.parametrize(
    ("query", "municipality"),
    [
        ("Den Haag", "'s-Gravenhage"),
        ("Nuenen c.a.", "Nuenen, Gerwen en Nederwetten"),
        ("Sudwest Fryslan", "Súdwest-Fryslân"),
        ("Marienberg", "Hardenberg"),
        ("MARKELO", "Hof van Twente"),
        ("De Lutte", "Losser"),
        ("St. Jansklooster", "Steenwijkerland"),
        ("Lattrop Breklenkamp", "Dinkelland"),
        ("'s Heerenberg", "Montferland"),
        ("Hof van Twente", "Hof van Twente"),
        ("Amsterdam", "Amsterdam"),
    ],
)
def test_case_accents_hyphens_and_aliases_do_not_matter(query: str, municipality: str) -> None:
    assert names(query) == [municipality]


def test_an_unknown_place_matches_nothing() -> None:
    lookup = find_place("Xyzdorp")
    assert lookup.matches == ()
    assert lookup.unique is None


@pytest.mark.parametrize(
    ("query", "candidates"),
    [
        ("Klarenbeek", {"Apeldoorn", "Voorst"}),
        ("Hoenderloo", {"Apeldoorn", "Ede"}),
        ("Geesteren", {"Tubbergen", "Berkelland"}),
        ("Beuningen", {"Losser", "Beuningen"}),
        ("Laren", {"Laren", "Lochem"}),
        ("Bergen", {"Bergen (NH.)", "Bergen (L.)"}),
    ],
)
def test_a_name_of_several_places_returns_every_candidate(query: str, candidates: set[str]) -> None:
    lookup = find_place(query)
    assert set(names(query)) == candidates
    assert lookup.unique is None


def test_a_bare_name_is_not_taken_for_a_qualified_namesake() -> None:
    lookup = find_place("Oosterwolde")
    assert lookup.matches == ()
    assert lookup.namesakes == ("Oosterwolde Gld",)
    assert names("Oosterwolde (Gld)") == ["Oldebroek"]


def test_municipalities_are_found_by_name_and_qualifier() -> None:
    assert [m.code for m in find_municipalities("Bergen (NH)")] == ["GM0373"]
    assert len(find_municipalities("Bergen")) == 2
    assert find_municipalities("Goor") == ()


def test_codes_are_read_with_or_without_prefix_and_padding() -> None:
    assert municipality_by_code("153") == municipality_by_code("GM0153")
    assert municipality_by_code("gm0153") is not None
    assert municipality_by_code("Enschede") is None


def test_qualifiers_are_split_only_where_they_name_a_province() -> None:
    assert split_qualifier("Rijswijk (GLD)") == ("Rijswijk", "Gelderland")
    assert split_qualifier("Elst Ut") == ("Elst", "Utrecht")
    assert split_qualifier("Bergen (NH.)") == ("Bergen", "Noord-Holland")
    assert split_qualifier("Den Ham") == ("Den Ham", None)
    assert split_qualifier("Nuenen (c.a.)") == ("Nuenen (c.a.)", None)
    assert fold("’s-Gravenhage") == "s gravenhage"


async def test_the_bundled_resolver_resolves_ambiguous_and_unknown_names_without_guessing() -> None:
    resolver = BundledResolver()
    goor = await resolver.resolve("Goor")
    assert (goor.status, goor.municipality) == ("bundled", municipality_by_code("GM1735"))
    klarenbeek = await resolver.resolve("Klarenbeek")
    assert klarenbeek.status == "ambiguous"
    assert klarenbeek.municipality is None
    assert {m.name for m in klarenbeek.candidates} == {"Apeldoorn", "Voorst"}
    unknown = await resolver.resolve("Xyzdorp")
    assert (unknown.status, unknown.municipality) == ("unresolved", None)
    oosterwolde = await resolver.resolve("Oosterwolde")
    assert oosterwolde.status == "unresolved"
    assert "Oosterwolde Gld" in oosterwolde.detail
    assert (await resolver.resolve("  ")).status == "unresolved"


async def test_the_chain_asks_pdok_only_for_names_the_bundled_data_cannot_place() -> None:
    lemmer = municipality_by_code("GM1940")
    assert lemmer is not None
    pdok = FakeResolver({"Lemmer": Resolution("Lemmer", lemmer, "pdok", "PDOK", (lemmer,))})
    chain = ChainResolver(BundledResolver(), pdok)
    assert (await chain.resolve("Goor")).status == "bundled"
    assert (await chain.resolve("Klarenbeek")).status == "ambiguous"
    assert (await chain.resolve("Lemmer")).municipality == lemmer
    assert pdok.asked == ["Lemmer"]


async def test_a_place_neither_knows_stays_unresolved_with_both_reasons() -> None:
    chain = ChainResolver(BundledResolver(), FakeResolver())
    resolution = await chain.resolve("Xyzdorp")
    assert resolution.status == "unresolved"
    assert "bundled data" in resolution.detail
    assert "fake" in resolution.detail


def test_the_served_region_defaults_to_overijssel_and_gelderland() -> None:
    region = ServedRegion()
    assert region.provinces == ("Overijssel", "Gelderland")
    assert region.serves(find_place("Goor").unique)
    assert region.serves(find_place("Doetinchem").unique)
    assert not region.serves(find_place("Amsterdam").unique)
    assert not region.serves(None)


def test_another_region_is_configured_by_name_or_abbreviation() -> None:
    region = ServedRegion.parse("Friesland, gn, Drenthe")
    assert region.provinces == ("Fryslân", "Groningen", "Drenthe")
    assert region.serves(find_place("Groningen").unique)
    assert not region.serves(find_place("Zwolle").unique)
    with pytest.raises(ValueError, match="Atlantis"):
        ServedRegion.parse("Overijssel, Atlantis")
    with pytest.raises(ValueError):
        ServedRegion.parse("")
