"""Total, facet counts and filters of a search, from counts per group of enterprises.

Enterprises that share their places, counting labels, categories, delivery regions and
whether they may receive reserved contracts form one group. Each group has facet values (a
sparse 0/1 matrix, groups by values, kept as its ones' rows and columns), each filter is a
test on a group, so the total (every filter) and each facet (every filter but its own) are
sums of the matching enterprises' group counts, one weighted count over the ones per facet
whatever the number of matches. Groups are many where enterprises vary much (one per few
enterprises in the benchmark's data), so no step costs groups times values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from contracts.categories import categories_by_slug
from contracts.labels import LABELS
from services.gateway.read_model.searchable import region_by_token, region_token
from services.gateway.read_model.views import Facets

PLACE_FIELDS = ("province", "region", "municipality")
SET_FACETS = ("label", "category", "delivery_area")
RESERVED = "reserved"
FACETS = (*SET_FACETS, *PLACE_FIELDS, RESERVED)

Counts = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
# A 0/1 matrix of groups by values, as the rows and the columns of its ones.
Ones = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class GroupKey:
    """What the enterprises of one group share, as stored in their rows."""

    province: str | None
    region: str | None
    municipality: str | None
    labels: str | None
    categories: str | None
    delivery_regions: str | None
    reserved: bool

    def values(self) -> list[tuple[str, str]]:
        """Its (facet, value) pairs; the set facets' values parsed from the stored text."""
        pairs = [(f, v) for f in PLACE_FIELDS if (v := getattr(self, f)) is not None]
        stored = (self.labels, self.categories, self.delivery_regions)
        pairs += [(f, v) for f, text in zip(SET_FACETS, stored, strict=True) for v in _split(text)]
        return [*pairs, (RESERVED, "")] if self.reserved else pairs


@dataclass(frozen=True)
class Filters:
    """What a search filters on: any of the labels, categories and delivery regions (as
    tokens); each place equal ignoring case; reserved contracts allowed."""

    label: frozenset[str] = frozenset()
    category: frozenset[str] = frozenset()
    delivery_area: frozenset[str] = frozenset()
    places: dict[str, str] = field(default_factory=dict)
    reserved: bool = False

    @classmethod
    def of(cls, query: Any) -> Filters:
        """The filters of a SearchQuery."""
        places = {f: v.lower() for f in PLACE_FIELDS if (v := getattr(query, f))}
        return cls(
            label=frozenset(query.label),
            category=frozenset(query.category),
            delivery_area=frozenset(region_token(r) for r in query.delivery_area),
            places=places,
            reserved=query.reserved,
        )


@dataclass(frozen=True)
class Tally:
    """The filtered total, the facets, and which groups pass every filter."""

    total: int
    facets: Facets
    passing: Mask


class FacetTable:
    """The groups seen so far (numbered in order of appearance) and their facet values.

    Not thread-safe: its owner (the search index) holds a lock around every use.
    """

    def __init__(self) -> None:
        self._ids: dict[GroupKey, int] = {}
        self._keys: list[GroupKey] = []
        self._columns: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        self._matrix: dict[str, Ones] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def group(self, key: GroupKey) -> int:
        """The number of the group `key`, added when new."""
        number = self._ids.get(key)
        if number is None:
            number = self._ids[key] = len(self._keys)
            self._keys.append(key)
            for facet, value in key.values():
                columns = self._columns[facet]
                columns.setdefault(value, len(columns))
            self._matrix = {}
        return number

    def tally(self, counts: Counts, filters: Filters) -> Tally:
        """Total and facets (each ignoring its own filter) of the enterprises counted per
        group in `counts`, under `filters`."""
        matrix = self._matrices()
        tests = self._tests(matrix, filters)
        everything = _all(tests, len(self._keys))
        facets: dict[str, Any] = {}
        for facet in FACETS:
            others = [test for key, test in tests.items() if key != facet]
            mask = everything if facet not in tests else _all(others, len(self._keys))
            rows, columns = matrix[facet]
            weights = (counts * mask)[rows]
            # Counts of enterprises are far below 2**53, so the float sums are exact.
            summed = np.bincount(columns, weights=weights, minlength=len(self._columns[facet]))
            facets[facet] = dict(
                zip(self._columns[facet], summed.astype(np.int64).tolist(), strict=True)
            )
        return Tally(int(counts[everything].sum()), _facets(facets), everything)

    def _matrices(self) -> dict[str, Ones]:
        if not self._matrix:
            rows: dict[str, list[int]] = {facet: [] for facet in self._columns}
            columns: dict[str, list[int]] = {facet: [] for facet in self._columns}
            for row, key in enumerate(self._keys):
                # Each pair once: a value stored twice is still a one in the matrix.
                for facet, value in dict.fromkeys(key.values()):
                    rows[facet].append(row)
                    columns[facet].append(self._columns[facet][value])
            for facet in self._columns:
                self._matrix[facet] = (
                    np.array(rows[facet], dtype=np.int64),
                    np.array(columns[facet], dtype=np.int64),
                )
        return self._matrix

    def _tests(self, matrix: dict[str, Ones], filters: Filters) -> dict[str, Mask]:
        wanted: dict[str, list[int]] = {}
        for facet in SET_FACETS:
            values: frozenset[str] = getattr(filters, facet)
            if values:
                wanted[facet] = [n for v, n in self._columns[facet].items() if v in values]
        for place, value in filters.places.items():
            wanted[place] = [n for v, n in self._columns[place].items() if v.lower() == value]
        if filters.reserved:
            wanted[RESERVED] = list(self._columns[RESERVED].values())
        return {
            facet: _any(matrix[facet], columns, len(self._keys))
            for facet, columns in wanted.items()
        }


def _all(tests: Sequence[Mask] | dict[str, Mask], groups: int) -> Mask:
    mask = np.ones(groups, dtype=np.bool_)
    for test in tests.values() if isinstance(tests, dict) else tests:
        mask &= test
    return mask


def _any(ones: Ones, columns: list[int], groups: int) -> Mask:
    """Per group: has it any of these columns' values."""
    rows, of = ones
    mask = np.zeros(groups, dtype=np.bool_)
    mask[rows[np.isin(of, columns)]] = True
    return mask


def _facets(counted: dict[str, dict[str, int]]) -> Facets:
    regions = region_by_token()
    areas = {regions[t]: n for t, n in counted["delivery_area"].items() if t in regions and n}
    return Facets(
        label={label: counted["label"].get(label, 0) for label in LABELS},
        category={slug: counted["category"].get(slug, 0) for slug in categories_by_slug()},
        delivery_area=dict(sorted(areas.items())),
        reserved=sum(counted[RESERVED].values()),
        **{f: dict(sorted((v, n) for v, n in counted[f].items() if n)) for f in PLACE_FIELDS},
    )


def _split(text: str | None) -> list[str]:
    return (text or "").split()
