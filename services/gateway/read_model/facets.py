"""Total, facet counts and filters of a search, from one grouped query.

The enterprises matching the words are read once, grouped by place, labels, categories and
delivery regions: a few thousand groups at most, however many enterprises match. Each filter
is a test on a group, so the total (every filter) and each facet (every filter but its own)
are sums over groups, and the page's rows are narrowed to exactly the groups that pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session, col

from contracts.categories import categories_by_slug
from contracts.labels import LABELS, LabelName
from services.gateway.read_model.searchable import region_by_token
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.read_model.views import Facets

PLACE_FIELDS = ("province", "region", "municipality")
RESERVED = "reserved"
# Filters on a set of values per enterprise: the filter's key, the group's stored text, and
# the column that stores it.
SET_FILTERS = {
    "label": ("labels", "counting_labels"),
    "category": ("categories", "category_slugs"),
    "delivery_area": ("delivery_regions", "delivery_regions"),
}


@dataclass(frozen=True)
class Group:
    """How many matching enterprises share these places, counting labels, categories,
    delivery regions and whether they may receive reserved contracts."""

    province: str | None
    region: str | None
    municipality: str | None
    labels: str | None
    categories: str | None
    delivery_regions: str | None
    reserved: bool
    count: int

    def values(self, key: str) -> frozenset[str]:
        """The values of the set filter `key`, parsed from the stored space-separated text."""
        text: str | None = getattr(self, SET_FILTERS[key][0])
        return frozenset((text or "").split())


Test = Callable[[Group], bool]


@dataclass(frozen=True)
class Tally:
    """The filtered total, the facets, and conditions selecting the filtered rows."""

    total: int
    facets: Facets
    narrowing: list[ColumnElement[bool]]


def read_groups(session: Session, where: Sequence[Any]) -> list[Group]:
    """The rows matching `where`, counted per place, labels, categories, regions and
    reserved contracts."""
    keys = (
        col(EnterpriseRow.province),
        col(EnterpriseRow.region),
        col(EnterpriseRow.municipality),
        col(EnterpriseRow.counting_labels),
        col(EnterpriseRow.category_slugs),
        col(EnterpriseRow.delivery_regions),
        col(EnterpriseRow.reserved),
    )
    rows = session.execute(select(*keys, func.count()).where(*where).group_by(*keys)).all()
    return [Group(*row) for row in rows]


def filter_tests(
    labels: Sequence[LabelName],
    places: dict[str, str | None],
    *,
    categories: Sequence[str] = (),
    regions: Sequence[str] = (),
    reserved: bool = False,
) -> dict[str, Test]:
    """One test per given filter: any of the labels, of the categories, of the delivery
    regions (as tokens); each place equal, ignoring case; reserved contracts allowed."""
    tests: dict[str, Test] = {}
    if reserved:
        tests[RESERVED] = _reserved
    for key, wanted in (("label", labels), ("category", categories), ("delivery_area", regions)):
        if wanted:
            tests[key] = _any_of(key, frozenset(wanted))
    for field, value in places.items():
        if value:
            tests[field] = _same_place(field, value.lower())
    return tests


def tally(groups: Sequence[Group], tests: dict[str, Test]) -> Tally:
    """Total and facets (each ignoring its own filter) of `groups` under `tests`."""
    sets: dict[str, Counter[str]] = {key: Counter() for key in SET_FILTERS}
    places: dict[str, Counter[str]] = {field: Counter() for field in PLACE_FIELDS}
    total = reserved = 0
    passed: dict[str, list[Group]] = {key: [] for key in tests}
    for group in groups:
        failed = {key for key, test in tests.items() if not test(group)}
        for key in tests.keys() - failed:
            passed[key].append(group)
        total += group.count if not failed else 0
        reserved += group.count if group.reserved and failed <= {RESERVED} else 0
        for key, counter in sets.items():
            if failed <= {key}:
                counter.update(dict.fromkeys(group.values(key), group.count))
        for field in PLACE_FIELDS:
            value = getattr(group, field)
            if value is not None and failed <= {field}:
                places[field][value] += group.count
    regions = region_by_token()
    areas = {regions[t]: n for t, n in sets["delivery_area"].items() if t in regions}
    facets = Facets(
        label={label: sets["label"][label] for label in LABELS},
        category={slug: sets["category"][slug] for slug in categories_by_slug()},
        delivery_area=dict(sorted(areas.items())),
        reserved=reserved,
        **{f: dict(sorted(c.items())) for f, c in places.items()},
    )
    return Tally(total, facets, [_narrowing(key, passed[key]) for key in tests])


def _any_of(key: str, wanted: frozenset[str]) -> Test:
    def test(group: Group) -> bool:
        return not wanted.isdisjoint(group.values(key))

    return test


def _same_place(field: str, wanted: str) -> Test:
    def test(group: Group) -> bool:
        value: str | None = getattr(group, field)
        return value is not None and value.lower() == wanted

    return test


def _reserved(group: Group) -> bool:
    return group.reserved


def _narrowing(key: str, passed: list[Group]) -> ColumnElement[bool]:
    """The rows of the groups that pass the filter `key`, by that filter's stored values."""
    if key == RESERVED:
        return col(EnterpriseRow.reserved).is_(True)
    field, column_name = SET_FILTERS.get(key, (key, key))
    column = col(getattr(EnterpriseRow, column_name))
    return column.in_(sorted({getattr(group, field) for group in passed}))
