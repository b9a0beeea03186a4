"""Total, facet counts and filters of a search, from one grouped query.

The enterprises matching the words are read once, grouped by place and labels: a few hundred
groups however many enterprises match. Each filter is a test on a group, so the total (every
filter) and each facet (every filter but its own) are sums over groups, and the page's rows
are narrowed to exactly the groups that pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session, col

from contracts.labels import LABELS, LabelName
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.read_model.views import Facets

PLACE_FIELDS = ("province", "region", "municipality")


@dataclass(frozen=True)
class Group:
    """How many matching enterprises share these places and counting labels."""

    province: str | None
    region: str | None
    municipality: str | None
    labels: str | None
    count: int

    @property
    def label_set(self) -> frozenset[str]:
        """The labels, parsed from the stored space-separated text."""
        return frozenset((self.labels or "").split())


Test = Callable[[Group], bool]


@dataclass(frozen=True)
class Tally:
    """The filtered total, the facets, and conditions selecting the filtered rows."""

    total: int
    facets: Facets
    narrowing: list[ColumnElement[bool]]


def read_groups(session: Session, where: Sequence[Any]) -> list[Group]:
    """The rows matching `where`, counted per place and labels."""
    keys = (
        col(EnterpriseRow.province),
        col(EnterpriseRow.region),
        col(EnterpriseRow.municipality),
        col(EnterpriseRow.counting_labels),
    )
    rows = session.execute(select(*keys, func.count()).where(*where).group_by(*keys)).all()
    return [Group(*row) for row in rows]


def filter_tests(labels: Sequence[LabelName], places: dict[str, str | None]) -> dict[str, Test]:
    """One test per given filter: any of the labels; each place equal, ignoring case."""
    tests: dict[str, Test] = {}
    if labels:
        wanted = frozenset(labels)
        tests["label"] = lambda group: not wanted.isdisjoint(group.label_set)
    for field, value in places.items():
        if value:
            tests[field] = _same_place(field, value.lower())
    return tests


def tally(groups: Sequence[Group], tests: dict[str, Test]) -> Tally:
    """Total and facets (each ignoring its own filter) of `groups` under `tests`."""
    labels: dict[str, int] = dict.fromkeys(LABELS, 0)
    places: dict[str, Counter[str]] = {field: Counter() for field in PLACE_FIELDS}
    total = 0
    passed: dict[str, list[Group]] = {key: [] for key in tests}
    for group in groups:
        failed = {key for key, test in tests.items() if not test(group)}
        for key in tests.keys() - failed:
            passed[key].append(group)
        total += group.count if not failed else 0
        if failed <= {"label"}:
            for label in group.label_set:
                labels[label] = labels.get(label, 0) + group.count
        for field in PLACE_FIELDS:
            value = getattr(group, field)
            if value is not None and failed <= {field}:
                places[field][value] += group.count
    facets = Facets(label=labels, **{f: dict(sorted(c.items())) for f, c in places.items()})
    return Tally(total, facets, [_narrowing(key, passed[key]) for key in tests])


def _same_place(field: str, wanted: str) -> Test:
    def test(group: Group) -> bool:
        value: str | None = getattr(group, field)
        return value is not None and value.lower() == wanted

    return test


def _narrowing(key: str, passed: list[Group]) -> ColumnElement[bool]:
    """The rows of the groups that pass the filter `key`, by that filter's stored values."""
    column = col(EnterpriseRow.counting_labels if key == "label" else getattr(EnterpriseRow, key))
    field = "labels" if key == "label" else key
    return column.in_(sorted({getattr(group, field) for group in passed}))
