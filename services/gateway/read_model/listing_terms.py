"""What the read model derives from an enterprise's labels for finding it: the day its listing
stands to end (for sorting by validity end) and whether it may receive a reserved contract
(article 2.82 of the Aanbestedingswet 2012)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from contracts.enterprises import LabelHolding

# Stored for a listing that no counting label ends (a membership without an end date), so
# "soonest end first" reads one ascending index on SQLite and PostgreSQL alike: their NULLs
# sort at opposite ends, and SQLite's indexes cannot put them last.
NO_END = date(9999, 12, 31)


def listing_ends(holdings: Iterable[LabelHolding]) -> date | None:
    """The last day the listing stands to last: the latest end among its counting holdings
    (a holding in its grace period ends with it), `NO_END` when one of them has no end date,
    None without counting holdings."""
    ends = [h.grace_until or h.valid_until for h in holdings if h.counts]
    if not ends:
        return None
    return NO_END if None in ends else max(end for end in ends if end is not None)


def reserved_contracts(holdings: Iterable[LabelHolding]) -> bool:
    """True when a counting PSO certificate carries the 30+ mark: at least 30% of its
    employees have a distance to the labour market, which article 2.82 asks of an enterprise
    to which a contract is reserved."""
    return any(h.label == "pso" and h.pso30plus and h.counts for h in holdings)
