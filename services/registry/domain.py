"""Who is listed, and what buyers see: pure rules over an enterprise and its label holdings.

An enterprise is listed while at least one of its holdings counts (or, with a grace period,
counted until recently) and its place does not lie outside the served region. Every label
event updates one holding, and the passing of time expires validities and ends grace periods;
the enterprise then compares its derived public state with the state consumers last saw, and
says which enterprise event (if any) tells them about the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseState,
    EnterpriseSupplementHidden,
    EnterpriseUpdated,
    LabelHolding,
)
from contracts.labels import LabelEvent, LabelLapsed, LabelName, Observation
from contracts.subjects import EnterpriseKind
from contracts.supplements import SupplementField
from services.registry.categories import derive_categories
from services.registry.regions import Resolution, municipality_by_code
from services.registry.regions.resolver import ResolutionStatus
from services.registry.rules import ListingRules
from services.registry.supplements import StoredSupplement

STRICT = ListingRules()

HoldingKey = tuple[LabelName, str]
ReminderKey = tuple[LabelName, str, date, int]
"""(label, holding_id, valid_until, lead_days): one reminder of one validity period."""

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
    "categories",
    "categories_chosen",
    "supplement",
)


@dataclass
class Holding:
    """One label held by an enterprise, as the scraper last observed it."""

    observation: Observation
    last_event_at: datetime
    lapsed_on: date | None = None
    municipality_code: str | None = None
    place_status: ResolutionStatus | None = None

    @property
    def key(self) -> HoldingKey:
        """(label, holding_id): unique across all registries."""
        return (self.observation.label, self.observation.holding_id)

    def expired(self, today: date) -> bool:
        """Whether its validity ended before `today`."""
        valid_until = self.observation.valid_until
        return valid_until is not None and valid_until < today

    def counts_strictly(self, today: date) -> bool:
        """The listing rule for one holding: a valid label, neither lapsed nor expired."""
        return self.observation.counts and self.lapsed_on is None and not self.expired(today)

    def lapse_day(self, today: date) -> date | None:
        """The first day it no longer counted: when it lapsed, or the day after its validity
        ended, whichever came first; None while it counts or when it never lapsed."""
        if self.counts_strictly(today):
            return None
        valid_until = self.observation.valid_until
        days = [self.lapsed_on] if self.lapsed_on else []
        if valid_until is not None and valid_until < today:
            days.append(valid_until + timedelta(days=1))
        return min(days, default=None)

    def grace_until(self, today: date, grace_days: int) -> date | None:
        """The last day a lapsed holding still counts, while `today` is in its grace period."""
        lapsed = self.lapse_day(today) if grace_days > 0 else None
        if lapsed is None:
            return None
        last = lapsed + timedelta(days=grace_days - 1)
        return last if today <= last else None

    def counts(self, today: date, grace_days: int = 0) -> bool:
        """Whether it counts for listing today, the grace period included."""
        return self.counts_strictly(today) or self.grace_until(today, grace_days) is not None

    def public(self, today: date, grace_days: int = 0) -> LabelHolding:
        """The holding as buyers see it."""
        obs = self.observation
        return LabelHolding(
            label=obs.label,
            holding_id=obs.holding_id,
            level=obs.level,
            pso30plus=obs.pso30plus,
            status=obs.status,
            valid_from=obs.valid_from,
            valid_until=obs.valid_until,
            counts=self.counts(today, grace_days),
            grace_until=self.grace_until(today, grace_days),
            source_url=obs.source_url,
            last_verified_at=self.last_event_at,
        )


@dataclass
class Enterprise:
    """An enterprise with its holdings and the public state consumers last received."""

    enterprise_id: str
    holdings: dict[HoldingKey, Holding] = field(default_factory=dict)
    published: EnterpriseState | None = None
    reminded: set[ReminderKey] = field(default_factory=set)
    next_check_on: date | None = None
    supplement: StoredSupplement | None = None

    @property
    def version(self) -> int:
        """Version of the last published state; 0 before anything was published."""
        return self.published.version if self.published else 0

    @property
    def listed(self) -> bool:
        """Whether consumers were last told this enterprise is listed."""
        return self.published is not None and self.published.listed

    def kvk(self) -> tuple[str, ...]:
        """Every KvK number any of its holdings names."""
        return tuple(sorted({k for h in self.holdings.values() for k in h.observation.kvk}))


def new_enterprise_id(label: LabelName, holding_id: str) -> str:
    """The id of the enterprise a holding founds when it joins no existing one."""
    return deterministic_id("enterprise", label, holding_id)[:16]


def observation_of(event: LabelEvent) -> Observation:
    """The observation a label event carries."""
    return event.last_observation if isinstance(event, LabelLapsed) else event.observation


def apply_label_event(
    enterprise: Enterprise,
    event: LabelEvent,
    today: date,
    source: str,
    resolution: Resolution | None = None,
    rules: ListingRules = STRICT,
) -> EnterpriseEvent | None:
    """Record `event` on its holding and return the enterprise event it causes, if any.

    `resolution` is where the observation's place was found to lie (resolved before the
    transaction); without one, the holding keeps what it knew about the same place.
    An event older than what the holding already reflects (a late redelivery) is ignored.
    """
    obs = observation_of(event)
    current = enterprise.holdings.get((obs.label, obs.holding_id))
    if current is not None and event.occurred_at < current.last_event_at:
        return None
    lapsed_on = event.lapsed_on if isinstance(event, LabelLapsed) else None
    if current is not None and event.kind == "changed":
        lapsed_on = current.lapsed_on
    code, status = _place_of(current, obs, resolution)
    enterprise.holdings[(obs.label, obs.holding_id)] = Holding(
        obs, event.occurred_at, lapsed_on, code, status
    )
    cause = (event.label, event.lapsed_on) if isinstance(event, LabelLapsed) else None
    return _publish(
        enterprise,
        event.occurred_at,
        today,
        source,
        rules,
        lambda before: _lapse(enterprise, before, today, (obs.label, obs.holding_id), cause),
    )


def pass_time(
    enterprise: Enterprise, today: date, source: str, at: datetime, rules: ListingRules = STRICT
) -> EnterpriseEvent | None:
    """The enterprise event that time alone causes by `today`: a validity that ran out
    (delisted, or in grace: updated) or a grace period that ended (delisted)."""
    return _publish(
        enterprise, at, today, source, rules, lambda before: _lapse(enterprise, before, today)
    )


def _place_of(
    current: Holding | None, obs: Observation, resolution: Resolution | None
) -> tuple[str | None, ResolutionStatus | None]:
    """The municipality code and place status a holding gets from an observation."""
    if resolution is not None:
        found = resolution.municipality
        return (found.code if found else None), resolution.status
    if current is not None and current.observation.place == obs.place:
        return current.municipality_code, current.place_status
    return None, None


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
    return EnterpriseState(
        enterprise_id=enterprise.enterprise_id,
        version=version,
        name=face.name,
        place=face.place,
        municipality=municipality.name if municipality else None,
        province=municipality.province if municipality else None,
        region=municipality.labour_market_region if municipality else None,
        website=face.website,
        kvk=enterprise.kvk(),
        labels=tuple(h.public(today, grace) for h in holdings),
        themes=tuple(sorted({t for h in holdings for t in h.observation.themes})),
        listed=listed,
        listed_since=listed_since if listed else None,
        grace_until=max((d for d in grace_ends if d), default=None),
        summary=described.observation.summary if described else None,
        summary_label=described.observation.label if described else None,
        categories=chosen or derive_categories(observations),
        categories_chosen=bool(chosen),
        supplement=enterprise.supplement.shown() if listed and enterprise.supplement else None,
    )


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


def republish(
    enterprise: Enterprise,
    today: date,
    source: str,
    at: datetime,
    moved: LabelName,
    rules: ListingRules = STRICT,
) -> EnterpriseEvent | None:
    """The enterprise event an operator's split causes: a holding of label `moved` left one
    enterprise for another. A delisting names the moved label, from the split's day."""
    return _publish(enterprise, at, today, source, rules, lambda _before: (moved, at.date()))


def apply_supplement(
    enterprise: Enterprise,
    stored: StoredSupplement,
    today: date,
    source: str,
    at: datetime,
    rules: ListingRules = STRICT,
) -> EnterpriseEvent | None:
    """Keep the enterprise's supplement as it now is (submitted by the enterprise, or fields
    hidden or shown by an operator) and return the event that tells consumers: an update, or
    EnterpriseSupplementHidden when an operator newly hid fields buyers saw (the enterprise is
    told why). A supplement never lists or delists; time may have, meanwhile."""
    before = enterprise.supplement.hidden if enterprise.supplement else ()
    newly = tuple(name for name in stored.hidden if name not in before)
    enterprise.supplement = stored
    reason = stored.hidden_reason
    return _publish(
        enterprise,
        at,
        today,
        source,
        rules,
        lambda before: _lapse(enterprise, before, today),
        hidden=(newly, reason) if newly and reason else None,
    )


def _publish(
    enterprise: Enterprise,
    occurred_at: datetime,
    today: date,
    source: str,
    rules: ListingRules,
    lapse: Callable[[EnterpriseState | None], tuple[LabelName, date]],
    hidden: tuple[tuple[SupplementField, ...], str] | None = None,
) -> EnterpriseEvent | None:
    before = enterprise.published
    since = before.listed_since if before and before.listed else occurred_at
    state = public_state(enterprise, today, enterprise.version + 1, since, rules)
    kind, changes = transition(before, state)
    if kind is None:
        return None
    event_id = deterministic_id(state.enterprise_id, state.version, kind)
    event: EnterpriseEvent
    if kind == "listed":
        event = EnterpriseListed(
            event_id=event_id, enterprise=state, occurred_at=occurred_at, source=source
        )
    elif kind == "updated" and hidden is not None:
        event = EnterpriseSupplementHidden(
            event_id=deterministic_id(state.enterprise_id, state.version, "supplement_hidden"),
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            fields=hidden[0],
            reason=hidden[1],
        )
    elif kind == "updated":
        event = EnterpriseUpdated(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            changes=changes,
        )
    elif any(h.counts for h in state.labels):
        event = EnterpriseDelisted(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            reason="outside_region",
        )
    else:
        label, lapsed_on = lapse(before)
        event = EnterpriseDelisted(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            lapsed_label=label,
            lapsed_on=lapsed_on,
        )
    enterprise.published = state
    return event


def _key(holding: Holding) -> HoldingKey:
    return holding.key


def _lapse(
    enterprise: Enterprise,
    before: EnterpriseState | None,
    today: date,
    cause: HoldingKey | None = None,
    cause_lapse: tuple[LabelName, date] | None = None,
) -> tuple[LabelName, date]:
    """Which label's lapse delisted the enterprise, and from which day.

    The holding a label event was about, if it counted before; else the counted holding that
    lapsed last (time alone ended it). A lapse event names its own day.
    """
    counted = {(h.label, h.holding_id) for h in before.labels if h.counts} if before else set()
    if cause in counted and cause_lapse is not None:
        return cause_lapse
    known = [enterprise.holdings[k] for k in sorted(counted) if k in enterprise.holdings]
    if cause is not None and cause in counted:
        holding = enterprise.holdings[cause]
    elif known:
        holding = max(known, key=lambda h: h.lapse_day(today) or today)
    else:  # nothing counted before: the event's own holding, or any
        holdings = enterprise.holdings
        holding = holdings[cause] if cause in holdings else min(holdings.values(), key=_key)
    return holding.observation.label, holding.lapse_day(today) or today
