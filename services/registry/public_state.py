"""What buyers see of an enterprise: its public state derived from its holdings and its
supplement, and which enterprise event (if any) tells consumers about a change of it."""

from __future__ import annotations

from datetime import date, datetime

from contracts.enterprises import (
    CATEGORIES_MAX,
    HOLDINGS_MAX,
    KVK_MAX,
    THEMES_MAX,
    EnterpriseState,
    LabelHolding,
)
from contracts.subjects import EnterpriseKind
from services.registry.categories import derive_categories
from services.registry.enterprise import Enterprise, Holding
from services.registry.limits import capped
from services.registry.regions import municipality_by_code
from services.registry.rules import STRICT, ListingRules

# Public fields whose change is an EnterpriseUpdated; version and listed_since follow from it.
PUBLIC_FIELDS = (
    "name",
    "place",
    "municipality",
    "province",
    "region",
    "website",
    "kvk",
    "labels",
    "themes",
    "grace_until",
    "summary",
    "summary_label",
    "categories",
    "categories_chosen",
    "supplement",
)


def public_state(
    enterprise: Enterprise,
    today: date,
    version: int,
    listed_since: datetime | None,
    rules: ListingRules = STRICT,
) -> EnterpriseState:
    """The public state derived from the holdings (the newest counting one names it).

    An enterprise whose place is known to lie outside the served region is not listed; one
    whose place could not be resolved is (a gap in our place data must not hide a label
    holder; the operator sees it in `impactoost registry unresolved`).
    """
    grace = rules.grace_days
    holdings = sorted(enterprise.holdings.values(), key=lambda h: h.key)
    counting = [h for h in holdings if h.counts(today, grace)]
    face_holding = max(counting or holdings, key=lambda h: h.last_event_at)
    face = face_holding.observation
    code = face_holding.municipality_code
    municipality = municipality_by_code(code) if code else None
    listed = bool(counting) and (municipality is None or rules.served.serves(municipality))
    in_grace = listed and not any(h.counts_strictly(today) for h in counting)
    grace_ends = [h.grace_until(today, grace) for h in counting] if in_grace else []
    observations = [h.observation for h in counting or holdings]
    chosen = enterprise.supplement.chosen_categories() if enterprise.supplement else ()
    described = _described(counting or holdings)
    eid = enterprise.enterprise_id
    themes = sorted({t for h in holdings for t in h.observation.themes})
    categories = chosen or derive_categories(observations)
    return EnterpriseState(
        enterprise_id=eid,
        version=version,
        name=face.name,
        place=face.place,
        municipality=municipality.name if municipality else None,
        province=municipality.province if municipality else None,
        region=municipality.labour_market_region if municipality else None,
        website=face.website,
        kvk=capped(enterprise.kvk(), KVK_MAX, "kvk", eid),
        labels=_shown_labels(holdings, today, grace, eid),
        themes=capped(themes, THEMES_MAX, "themes", eid),
        listed=listed,
        listed_since=listed_since if listed else None,
        grace_until=max((d for d in grace_ends if d), default=None),
        summary=described.observation.summary if described else None,
        summary_label=described.observation.label if described else None,
        categories=capped(categories, CATEGORIES_MAX, "categories", eid),
        categories_chosen=bool(chosen),
        supplement=enterprise.supplement.shown() if listed and enterprise.supplement else None,
    )


def _shown_labels(
    holdings: list[Holding], today: date, grace: int, enterprise_id: str
) -> tuple[LabelHolding, ...]:
    """Every holding as buyers see it, by key; beyond the contract's limit, those that count
    and were verified last are kept (the listing itself is decided on all of them)."""
    public = [h.public(today, grace) for h in holdings]
    if len(public) <= HOLDINGS_MAX:
        return tuple(public)
    ranked = sorted(
        public,
        key=lambda h: (not h.counts, -h.last_verified_at.timestamp(), h.label, h.holding_id),
    )
    kept = capped(ranked, HOLDINGS_MAX, "labels", enterprise_id)
    return tuple(sorted(kept, key=lambda h: (h.label, h.holding_id)))


def _described(holdings: list[Holding]) -> Holding | None:
    """The most recently verified holding whose registry describes the enterprise."""
    described = [h for h in holdings if h.observation.summary]
    return max(described, key=lambda h: h.last_event_at, default=None)


def changed_fields(before: EnterpriseState, after: EnterpriseState) -> tuple[str, ...]:
    """Public fields that differ; a holding merely verified again is no change."""

    def comparable(state: EnterpriseState) -> dict[str, object]:
        data = state.model_dump(include=set(PUBLIC_FIELDS))
        for holding in data["labels"]:
            holding.pop("last_verified_at")
        return data

    old, new = comparable(before), comparable(after)
    return tuple(name for name in PUBLIC_FIELDS if old[name] != new[name])


def transition(
    before: EnterpriseState | None, after: EnterpriseState
) -> tuple[EnterpriseKind | None, tuple[str, ...]]:
    """The event (if any) that tells consumers who last saw `before` about `after`."""
    if before is None or not before.listed:
        return ("listed" if after.listed else None), ()
    if not after.listed:
        return "delisted", ()
    changes = changed_fields(before, after)
    return ("updated" if changes else None), changes
