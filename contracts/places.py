"""Municipalities, provinces and labour-market regions: the place names every service shares.

`data/gemeenten.csv` lists every municipality with its CBS code, province and labour-market
region (its sources and reference date are in `data/SOURCES.md`). The registry resolves
places to these; the gateway offers them as delivery areas; both check names against them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from contracts.text import fold

PROVINCES = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)

# Abbreviations and older names -> province (keys as `_province_key` makes them).
PROVINCE_ABBREVIATIONS = {
    "gn": "Groningen",
    "gr": "Groningen",
    "f": "Fryslân",
    "fr": "Fryslân",
    "friesland": "Fryslân",
    "d": "Drenthe",
    "dr": "Drenthe",
    "o": "Overijssel",
    "ov": "Overijssel",
    "fl": "Flevoland",
    "gld": "Gelderland",
    "gl": "Gelderland",
    "u": "Utrecht",
    "ut": "Utrecht",
    "utr": "Utrecht",
    "nh": "Noord-Holland",
    "zh": "Zuid-Holland",
    "z": "Zeeland",
    "zl": "Zeeland",
    "nb": "Noord-Brabant",
    "brabant": "Noord-Brabant",
    "l": "Limburg",
    "li": "Limburg",
    "lb": "Limburg",
}


def _province_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))


def province_named(name: str | None) -> str | None:
    """The official province for a name or abbreviation ("ov", "Friesland", "N.B."), if any."""
    if not name:
        return None
    key = _province_key(name)
    for province in PROVINCES:
        if _province_key(province) == key:
            return province
    return PROVINCE_ABBREVIATIONS.get(key)


NATIONWIDE = "heel Nederland"
"""The delivery area of an enterprise that delivers everywhere in the country."""


@dataclass(frozen=True)
class Municipality:
    """A municipality (gemeente) as CBS lists it."""

    code: str
    name: str
    province: str
    labour_market_region: str


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every municipality, in CBS code order."""
    text = resources.files("contracts").joinpath("data", "gemeenten.csv").read_text("utf-8")
    return tuple(
        Municipality(
            code=row["cbs_code"],
            name=row["gemeente"],
            province=row["provincie"],
            labour_market_region=row["arbeidsmarktregio"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@cache
def regions() -> tuple[str, ...]:
    """Every labour-market region, sorted."""
    return tuple(sorted({m.labour_market_region for m in municipalities()}))


@cache
def _by_folded_name() -> dict[str, str]:
    names = [m.name for m in municipalities()] + list(regions())
    return {name.casefold(): name for name in names}


def delivery_area(text: str) -> str | None:
    """The canonical spelling of a delivery area (a municipality, a labour-market region or
    `heel Nederland`), ignoring case and surrounding space; None when it is none of those."""
    folded = " ".join(text.split()).casefold()
    if folded == NATIONWIDE.casefold():
        return NATIONWIDE
    return _by_folded_name().get(folded)


def region_named(text: str) -> str | None:
    """A labour-market region's own spelling, ignoring case and surrounding space."""
    area = delivery_area(text)
    return area if area in regions() else None


def regions_served(areas: tuple[str, ...]) -> tuple[str, ...]:
    """The labour-market regions a set of delivery areas reaches: named regions, the regions
    of named municipalities, or every region for `heel Nederland`."""
    if NATIONWIDE in areas:
        return regions()
    region_of = {m.name: m.labour_market_region for m in municipalities()}
    known = set(regions())
    return tuple(
        sorted({a if a in known else region_of[a] for a in areas if a in known or a in region_of})
    )
