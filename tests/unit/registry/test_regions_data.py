"""The bundled reference data is complete and consistent with itself."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from services.registry.regions import municipalities, municipality_by_code, places
from services.registry.regions.names import PROVINCES

pytestmark = pytest.mark.unit

LABOUR_MARKET_REGIONS = {
    "Achterhoek",
    "Amersfoort",
    "Drechtsteden",
    "Drenthe",
    "Flevoland",
    "Food Valley",
    "Friesland",
    "Gooi en Vechtstreek",
    "Gorinchem",
    "Groningen",
    "Groot Amsterdam",
    "Haaglanden",
    "Helmond-De Peel",
    "Holland Rijnland",
    "Midden-Brabant",
    "Midden-Gelderland",
    "Midden-Holland",
    "Midden-Limburg",
    "Midden-Utrecht",
    "Noord-Holland Noord",
    "Noord-Limburg",
    "Noordoost-Brabant",
    "Regio Zwolle",
    "Rijk van Nijmegen",
    "Rijnmond",
    "Rivierenland",
    "Stedendriehoek en Noordwest Veluwe",
    "Twente",
    "West-Brabant",
    "Zaanstreek/Waterland",
    "Zeeland",
    "Zuid-Holland Centraal",
    "Zuid-Kennemerland en IJmond",
    "Zuid-Limburg",
    "Zuidoost-Brabant",
}


def test_every_municipality_of_2025_is_listed_once_with_a_cbs_code() -> None:
    codes = [m.code for m in municipalities()]
    assert len(codes) == 342
    assert len(set(codes)) == 342
    assert all(re.fullmatch(r"GM\d{4}", code) for code in codes)
    assert len({m.name for m in municipalities()}) == 342


def test_municipalities_lie_in_the_twelve_provinces() -> None:
    per_province = Counter(m.province for m in municipalities())
    assert set(per_province) == set(PROVINCES)
    assert per_province["Overijssel"] == 25
    assert per_province["Gelderland"] == 51


def test_every_municipality_has_one_of_the_35_labour_market_regions() -> None:
    regions = {m.labour_market_region for m in municipalities()}
    assert all(m.labour_market_region for m in municipalities())
    assert regions == LABOUR_MARKET_REGIONS
    assert len(regions) == 35


@pytest.mark.parametrize(
    ("code", "name", "province", "region"),
    [
        ("GM1992", "Voorne aan Zee", "Zuid-Holland", "Rijnmond"),
        ("GM1980", "Dijk en Waard", "Noord-Holland", "Noord-Holland Noord"),
        ("GM1982", "Land van Cuijk", "Noord-Brabant", "Noordoost-Brabant"),
        ("GM1991", "Maashorst", "Noord-Brabant", "Noordoost-Brabant"),
        ("GM0164", "Hengelo", "Overijssel", "Twente"),
        ("GM0193", "Zwolle", "Overijssel", "Regio Zwolle"),
        ("GM0150", "Deventer", "Overijssel", "Stedendriehoek en Noordwest Veluwe"),
        ("GM0222", "Doetinchem", "Gelderland", "Achterhoek"),
        ("GM0268", "Nijmegen", "Gelderland", "Rijk van Nijmegen"),
        ("GM0202", "Arnhem", "Gelderland", "Midden-Gelderland"),
        ("GM0228", "Ede", "Gelderland", "Food Valley"),
        ("GM0281", "Tiel", "Gelderland", "Rivierenland"),
        ("GM0363", "Amsterdam", "Noord-Holland", "Groot Amsterdam"),
    ],
)
def test_recent_mergers_and_our_region_are_listed_as_cbs_has_them(
    code: str, name: str, province: str, region: str
) -> None:
    municipality = municipality_by_code(code)
    assert municipality is not None
    assert (municipality.name, municipality.province) == (name, province)
    assert municipality.labour_market_region == region


def test_merged_away_municipalities_are_gone() -> None:
    names = {m.name for m in municipalities()}
    gone = {"Brielle", "Hellevoetsluis", "Westvoorne", "Heerhugowaard", "Langedijk", "Uden"}
    assert names.isdisjoint(gone | {"Landerd", "Boxmeer", "Cuijk", "Weesp", "Beemster"})


def test_every_place_lies_in_a_listed_municipality_of_the_same_province() -> None:
    by_name = {m.name: m for m in municipalities()}
    for place in places():
        assert by_name[place.municipality.name] == place.municipality


def test_places_of_overijssel_and_gelderland_are_bundled_for_every_municipality() -> None:
    served = {m for m in municipalities() if m.province in {"Overijssel", "Gelderland"}}
    with_places = {p.municipality for p in places()}
    assert with_places == served
    per_province = Counter(p.municipality.province for p in places())
    assert per_province["Overijssel"] >= 170
    assert per_province["Gelderland"] >= 320


def test_no_place_is_listed_twice_in_one_municipality() -> None:
    pairs = [(p.name, p.municipality.code) for p in places()]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(
    ("place", "municipality"),
    [
        ("Enschede", "Enschede"),
        ("Hengelo", "Hengelo"),
        ("Delden", "Hof van Twente"),
        ("Goor", "Hof van Twente"),
        ("Markelo", "Hof van Twente"),
        ("Holten", "Rijssen-Holten"),
        ("Rijssen", "Rijssen-Holten"),
        ("Nijverdal", "Hellendoorn"),
        ("Ootmarsum", "Dinkelland"),
        ("Zwolle", "Zwolle"),
        ("Kampen", "Kampen"),
        ("Deventer", "Deventer"),
        ("Apeldoorn", "Apeldoorn"),
        ("Arnhem", "Arnhem"),
        ("Nijmegen", "Nijmegen"),
        ("Ede", "Ede"),
        ("Doetinchem", "Doetinchem"),
        ("Winterswijk", "Winterswijk"),
        ("Zutphen", "Zutphen"),
        ("Tiel", "Tiel"),
        ("Harderwijk", "Harderwijk"),
        ("Hengelo (Gld)", "Bronckhorst"),
    ],
)
def test_well_known_places_are_bundled_with_their_municipality(
    place: str, municipality: str
) -> None:
    assert municipality in {p.municipality.name for p in places() if p.name == place}
