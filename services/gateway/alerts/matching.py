"""Which listing changes a saved search shows: the search page's filters, applied to where
an enterprise was and what it offered when it joined, returned or left.

Pure: the rows come from the read model's `listing_changes`, read by `store.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.alerts import AlertFilters, Change


@dataclass(frozen=True)
class ListingChange:
    """One row of the listing history, as the matching needs it. `labels` of a departure
    are those it counted while listed (a lapse leaves none counting)."""

    event_id: str
    enterprise_id: str
    occurred_at: datetime
    change: Change
    reason: str | None
    name: str
    municipality: str | None
    region: str | None
    labels: frozenset[str]
    categories: frozenset[str]


def matches(filters: AlertFilters, change: ListingChange) -> bool:
    """Whether the search shows the enterprise as it was at this change: any of the labels,
    any of the categories, and its own region (ignoring case), each only when chosen."""
    if filters.label and change.labels.isdisjoint(filters.label):
        return False
    if filters.category and change.categories.isdisjoint(filters.category):
        return False
    region = filters.region
    return not region or (change.region or "").casefold() == region.casefold()


def period_entries(filters: AlertFilters, changes: Iterable[ListingChange]) -> list[ListingChange]:
    """What a period tells the buyer: per enterprise, its last matching change, but only when
    the period changed whether it is in the search. One that left and came back (a lapse and
    a renewal, a move within the region) was in it before and is in it after: not told.
    Ordered by time."""
    by_enterprise: dict[str, list[ListingChange]] = {}
    for change in sorted(changes, key=lambda c: (c.occurred_at, c.event_id)):
        if matches(filters, change):
            by_enterprise.setdefault(change.enterprise_id, []).append(change)
    told = [seen[-1] for seen in by_enterprise.values() if _in_before(seen) != _in_after(seen)]
    return sorted(told, key=lambda c: (c.occurred_at, c.event_id))


def _in_before(seen: Sequence[ListingChange]) -> bool:
    return seen[0].change == "left"


def _in_after(seen: Sequence[ListingChange]) -> bool:
    return seen[-1].change != "left"
