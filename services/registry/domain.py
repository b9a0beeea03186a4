"""Who is listed, and what buyers see: pure rules over an enterprise and its label holdings.

An enterprise is listed while at least one of its holdings counts. Every label event updates
one holding; the enterprise then compares its derived public state with the state consumers
last saw, and says which enterprise event (if any) tells them about the difference.
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
    EnterpriseUpdated,
    LabelHolding,
)
from contracts.labels import LabelEvent, LabelLapsed, LabelName, Observation
from contracts.subjects import EnterpriseKind
from services.registry.regions import Resolution, municipality_by_code
from services.registry.regions.resolver import ResolutionStatus

HoldingKey = tuple[LabelName, str]

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

    def counts(self, today: date) -> bool:
        """The listing rule for one holding."""
        return self.observation.counts and self.lapsed_on is None and not self.expired(today)

    def public(self, today: date) -> LabelHolding:
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
            counts=self.counts(today),
            source_url=obs.source_url,
            last_verified_at=self.last_event_at,
        )


@dataclass
class Enterprise:
    """An enterprise with its holdings and the public state consumers last received."""

    enterprise_id: str
    holdings: dict[HoldingKey, Holding] = field(default_factory=dict)
    published: EnterpriseState | None = None

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
    return _publish(
        enterprise,
        event.occurred_at,
        today,
        source,
        lambda before: _lapse(enterprise, event, before, today),
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
    enterprise: Enterprise, today: date, version: int, listed_since: datetime | None
) -> EnterpriseState:
    """The public state derived from the holdings (the newest counting one names it)."""
    holdings = sorted(enterprise.holdings.values(), key=lambda h: h.key)
    counting = [h for h in holdings if h.counts(today)]
    face_holding = max(counting or holdings, key=lambda h: h.last_event_at)
    face = face_holding.observation
    code = face_holding.municipality_code
    municipality = municipality_by_code(code) if code else None
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
        labels=tuple(h.public(today) for h in holdings),
        themes=tuple(sorted({t for h in holdings for t in h.observation.themes})),
        listed=bool(counting),
        listed_since=listed_since if counting else None,
    )


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
    enterprise: Enterprise, today: date, source: str, at: datetime, moved: LabelName
) -> EnterpriseEvent | None:
    """The enterprise event an operator's split causes: a holding of label `moved` left one
    enterprise for another. A delisting names the moved label, from the split's day."""
    return _publish(enterprise, at, today, source, lambda _before: (moved, at.date()))


def _publish(
    enterprise: Enterprise,
    occurred_at: datetime,
    today: date,
    source: str,
    lapse: Callable[[EnterpriseState | None], tuple[LabelName, date]],
) -> EnterpriseEvent | None:
    before = enterprise.published
    since = before.listed_since if before and before.listed else occurred_at
    state = public_state(enterprise, today, enterprise.version + 1, since)
    kind, changes = transition(before, state)
    if kind is None:
        return None
    event_id = deterministic_id(state.enterprise_id, state.version, kind)
    event: EnterpriseEvent
    if kind == "listed":
        event = EnterpriseListed(
            event_id=event_id, enterprise=state, occurred_at=occurred_at, source=source
        )
    elif kind == "updated":
        event = EnterpriseUpdated(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            changes=changes,
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


def _lapse(
    enterprise: Enterprise, cause: LabelEvent, before: EnterpriseState | None, today: date
) -> tuple[LabelName, date]:
    """Which label's lapse delisted the enterprise, and from which day."""
    counted = {(h.label, h.holding_id) for h in before.labels if h.counts} if before else set()
    obs = observation_of(cause)
    if isinstance(cause, LabelLapsed) and (obs.label, obs.holding_id) in counted:
        return cause.label, cause.lapsed_on
    keys = [(obs.label, obs.holding_id), *sorted(counted)]
    holding = next(
        (enterprise.holdings[k] for k in keys if k in counted),
        enterprise.holdings[(obs.label, obs.holding_id)],
    )
    valid_until = holding.observation.valid_until
    if valid_until is not None and holding.expired(today):
        return holding.observation.label, valid_until + timedelta(days=1)
    return holding.observation.label, holding.lapsed_on or cause.occurred_at.date()
