"""The reference data shipped with the registry: municipalities and places, and lookups by name.

`contracts/data/gemeenten.csv` holds every municipality with its province and labour-market
region (shared with the other services through `contracts.places`);
`data/woonplaatsen.csv` the BAG places of the provinces we bundle (see `data/SOURCES.md`).
Both are read once per process.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from contracts.places import Municipality as Municipality
from contracts.places import municipalities as municipalities
from services.registry.regions.names import name_key, province_named, split_qualifier

DATA_PACKAGE = "services.registry.regions"


@dataclass(frozen=True)
class Place:
    """A place (BAG woonplaats) and the municipality it lies in."""

    name: str
    municipality: Municipality


@dataclass(frozen=True)
class PlaceLookup:
    """What the bundled data says about a name: the municipalities it may lie in.

    `namesakes` are bundled places that carry a province qualifier ("Oosterwolde Gld") and
    were not taken for a bare name, because the bare name belongs to a place elsewhere."""

    query: str
    matches: tuple[Municipality, ...]
    namesakes: tuple[str, ...] = ()

    @property
    def unique(self) -> Municipality | None:
        """The one municipality, when the name leaves no doubt."""
        return self.matches[0] if len(self.matches) == 1 else None


@dataclass(frozen=True)
class _Entry:
    name: str
    qualified: bool
    municipality: Municipality


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files(DATA_PACKAGE).joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def places() -> tuple[Place, ...]:
    """Every bundled place; a place whose municipality is unknown is a data error."""
    by_name = {m.name: m for m in municipalities()}
    found = []
    for row in _rows("woonplaatsen.csv"):
        municipality = by_name.get(row["gemeente"])
        if municipality is None or municipality.province != row["provincie"]:
            raise ValueError(f"woonplaatsen.csv: {row} names no municipality of gemeenten.csv")
        found.append(Place(row["woonplaats"], municipality))
    return tuple(found)


def provinces_with_places() -> frozenset[str]:
    """The provinces whose places are bundled."""
    return frozenset(p.municipality.province for p in places())


@cache
def _by_code() -> dict[str, Municipality]:
    return {m.code: m for m in municipalities()}


def municipality_by_code(code: str) -> Municipality | None:
    """The municipality with CBS code "GM0153" (or "0153", "153")."""
    digits = code.strip().upper().removeprefix("GM")
    if not digits.isdigit():
        return None
    return _by_code().get(f"GM{int(digits):04d}")


def _entry(name: str, municipality: Municipality) -> tuple[str, _Entry]:
    base, qualifier = split_qualifier(name)
    return name_key(base), _Entry(name, qualifier is not None, municipality)


@cache
def _municipality_index() -> dict[str, tuple[_Entry, ...]]:
    index: dict[str, list[_Entry]] = defaultdict(list)
    for municipality in municipalities():
        key, entry = _entry(municipality.name, municipality)
        index[key].append(entry)
    return {key: tuple(entries) for key, entries in index.items()}


@cache
def _place_index() -> dict[str, tuple[_Entry, ...]]:
    index: dict[str, list[_Entry]] = defaultdict(list)
    for key, entries in _municipality_index().items():
        index[key].extend(entries)
    for place in places():
        key, entry = _entry(place.name, place.municipality)
        index[key].append(entry)
    return {key: tuple(entries) for key, entries in index.items()}


def find_municipalities(name: str, province: str | None = None) -> tuple[Municipality, ...]:
    """The municipalities called `name` ("Bergen" gives two; "Bergen (NH)" one)."""
    return _lookup(name, province, _municipality_index()).matches


def find_place(name: str, province: str | None = None) -> PlaceLookup:
    """The municipalities a place name may lie in, from bundled places and municipality names.

    A qualifier in the name ("Hengelo (Gld)") or `province` restricts the answer to that
    province. Without one, a bare name means the place BAG names so, never a qualified
    namesake: "Hengelo" is Hengelo in Overijssel; "Oosterwolde" is not "Oosterwolde Gld"."""
    return _lookup(name, province, _place_index())


def _lookup(name: str, province: str | None, index: dict[str, tuple[_Entry, ...]]) -> PlaceLookup:
    base, hint = split_qualifier(name)
    wanted = province_named(province) if province else None
    if (province and wanted is None) or (wanted and hint and wanted != hint):
        return PlaceLookup(name, ())
    wanted = wanted or hint
    entries = index.get(name_key(base), ())
    if wanted:
        chosen = [e for e in entries if e.municipality.province == wanted]
        return PlaceLookup(name, tuple(dict.fromkeys(e.municipality for e in chosen)))
    chosen = [e for e in entries if not e.qualified]
    if not chosen and len({e.municipality for e in entries}) > 1:
        chosen = list(entries)
    namesakes = tuple(e.name for e in entries if e not in chosen)
    return PlaceLookup(name, tuple(dict.fromkeys(e.municipality for e in chosen)), namesakes)
